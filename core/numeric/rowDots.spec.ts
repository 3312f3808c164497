/** rowDots (the WebAssembly SIMD kernel) against its defined scalar result, bit for bit. */
import { describe, expect, it } from 'vitest';
import { Rng } from '../model/rng';
import { rowDotsAccelerated, rowDotsReference, rowDotsWorkspace } from './rowDots';

describe('rowDots', () => {
  it('runs as WebAssembly SIMD here (Node 20 has it)', () => {
    expect(rowDotsAccelerated()).toBe(true);
  });

  it('equals the scalar reference exactly: shapes, the shared (Gram) workspace, fewer rows, a grown memory', () => {
    const rng = new Rng(20261201);
    const shapes: Array<[number, number, number, boolean]> = [
      [1, 4, 2, false], [3, 8, 6, false], [196, 48, 256, false], [7, 12, 10, false], [8, 8, 14, true], [256, 256, 256, true],
      [64, 4, 4096, false], // 2 MiB of rows: grows the kernel's memory past its first pages
    ];
    for (const [na, nb, K, shared] of shapes) {
      const ws = rowDotsWorkspace(na, nb, K, shared);
      for (let i = 0; i < ws.a.length; i++) ws.a[i] = (rng.next() - 0.5) * 10 ** Math.floor(rng.next() * 6 - 3);
      if (!shared) for (let i = 0; i < ws.b.length; i++) ws.b[i] = rng.next() - 0.5;
      const want = rowDotsReference(ws.a, na, ws.b, nb, K, new Float64Array(na * nb));
      expect(Array.from(ws.run())).toEqual(Array.from(want));
      // Only the first rows of a (the rest of out is left as it was).
      const rows = Math.max(1, na >> 1);
      ws.out.fill(7);
      const part = ws.run(rows);
      expect(Array.from(part.subarray(0, rows * nb))).toEqual(Array.from(want.subarray(0, rows * nb)));
      expect(part.subarray(rows * nb).every((x) => x === 7)).toBe(true);
    }
    // Gram matrices come out exactly symmetric (the same products in the same order).
    const ws = rowDotsWorkspace(12, 12, 30, true);
    for (let i = 0; i < ws.a.length; i++) ws.a[i] = rng.next() - 0.5;
    const g = ws.run();
    for (let a = 0; a < 12; a++) for (let b = 0; b < 12; b++) expect(g[a * 12 + b]).toBe(g[b * 12 + a]);
  });

  it('refuses shapes the kernel does not block for', () => {
    expect(() => rowDotsWorkspace(2, 6, 4)).toThrow(/multiple of 4/);
    expect(() => rowDotsWorkspace(2, 4, 3)).toThrow(/even/);
    expect(() => rowDotsWorkspace(2, 4, 4, true)).toThrow(/na = nb/);
  });
});
