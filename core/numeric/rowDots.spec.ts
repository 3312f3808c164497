/** rowDots (the WebAssembly SIMD kernel) against its defined scalar result, bit for bit. */
import { describe, expect, it } from 'vitest';
import { Rng } from '../model/rng';
import { rowDotsAccelerated, rowDotsReference, rowDotsWorkspace } from './rowDots';

/** The defined result for unpadded rows: the reference on the rows padded to an even length. */
function expected(a: number[][], b: number[][]): number[] {
  const K = a[0]!.length + (a[0]!.length & 1);
  const pad = (rows: number[][]) => Float64Array.from(rows.flatMap((r) => (r.length < K ? [...r, 0] : r)));
  return Array.from(rowDotsReference(pad(a), a.length, pad(b), b.length, K, new Float64Array(a.length * b.length)));
}

describe('rowDots', () => {
  it('runs as WebAssembly SIMD here (Node 20 has it)', () => {
    expect(rowDotsAccelerated()).toBe(true);
  });

  it('equals the scalar reference exactly: shapes the kernel blocks for and ones it pads (odd K, nb not in fours), the shared (Gram) workspace, a grown memory', () => {
    const rng = new Rng(20261201);
    const shapes: Array<[number, number, number, boolean]> = [
      [1, 4, 2, false], [3, 8, 6, false], [196, 48, 256, false], [7, 12, 10, false], [8, 8, 14, true], [256, 256, 256, true],
      [2, 6, 3, false], [5, 1, 7, false], [6, 6, 9, true], [3, 3, 1, true],
      [64, 4, 4096, false], // 2 MiB of rows: grows the kernel's memory past its first pages
    ];
    for (const [na, nb, K, shared] of shapes) {
      const rows = (n: number, scale: () => number) => Array.from({ length: n }, () => Array.from({ length: K }, () => (rng.next() - 0.5) * scale()));
      const a = rows(na, () => 10 ** Math.floor(rng.next() * 6 - 3));
      const b = shared ? a : rows(nb, () => 1);
      // A workspace of another shape first, so the memory holds stale values where this one pads.
      const stale = rowDotsWorkspace(9, 9, 33);
      stale.a.fill(7);
      stale.b.fill(7);
      const ws = rowDotsWorkspace(na, nb, K, shared);
      a.forEach((r, i) => r.forEach((v, m) => { ws.a[i * ws.stride + m] = v; }));
      if (!shared) b.forEach((r, j) => r.forEach((v, m) => { ws.b[j * ws.stride + m] = v; }));
      const out = ws.run();
      const got = a.flatMap((_, i) => b.map((_, j) => out[i * ws.outStride + j]!));
      expect(got).toEqual(expected(a, b));
    }
    // Gram matrices come out exactly symmetric (the same products in the same order).
    const ws = rowDotsWorkspace(12, 12, 30, true);
    for (let i = 0; i < ws.a.length; i++) ws.a[i] = rng.next() - 0.5;
    const g = ws.run();
    for (let a = 0; a < 12; a++) for (let b = 0; b < 12; b++) expect(g[a * ws.outStride + b]).toBe(g[b * ws.outStride + a]);
  });

  it('refuses a shared workspace of two shapes', () => {
    expect(() => rowDotsWorkspace(2, 4, 4, true)).toThrow(/na = nb/);
  });
});
