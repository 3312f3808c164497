/** Rice coding of pca codes (pcaCodec.ts packCodes, unpackCodes) against the bit-by-bit coder and decoder they replaced. */
import { describe, expect, it } from 'vitest';
import { Rng } from '../model/rng';
import { packCodes, unpackCodes } from './pcaCodec';

/** The bit-by-bit decoder unpackCodes replaced (30 Nov 2026), kept as the reference it must agree with. */
function unpackCodesBitByBit(buf: Uint8Array, prev: Int16Array | null, out: Int16Array, group = out.length): void {
  const n = out.length;
  const total = buf.length * 8;
  let pos = 0;
  const bit = () => (buf[pos >>> 3]! >>> (7 - (pos & 7))) & 1;
  for (let g = 0; g < n; g += group) {
    const end = Math.min(n, g + group);
    if (pos + 4 > total) throw new Error('feature codes are truncated');
    let k = 0;
    for (let b = 0; b < 4; b++, pos++) k = (k << 1) | bit();
    if (k === 15) {
      if (prev) { if (prev !== out) for (let i = g; i < end; i++) out[i] = prev[i]!; } else out.fill(0, g, end);
      continue;
    }
    for (let i = g; i < end; i++) {
      let q = 0;
      for (;;) {
        if (pos >= total) throw new Error('feature codes are truncated');
        const b = bit();
        pos++;
        if (b === 0) break;
        if (++q > 24) throw new Error('feature codes are damaged');
      }
      const bits = q === 24 ? 32 : k;
      if (pos + bits > total) throw new Error('feature codes are truncated');
      let r = 0;
      for (let b = 0; b < bits; b++, pos++) r = r * 2 + bit();
      const u = q === 24 ? r : q * (1 << k) + r;
      const v = (u & 1) === 0 ? u / 2 : -(u + 1) / 2;
      out[i] = prev ? prev[i]! + v : v;
    }
  }
  if (total - pos >= 8) throw new Error('feature codes have trailing bytes');
}

/**
 * The bit-by-bit encoder packCodes replaced (1 Dec 2026: bits now leave a byte at a time and the
 * Rice parameter scan stops early where the cost is convex), kept as the reference it must agree with.
 */
function packCodesBitByBit(codes: Int16Array, prev: Int16Array | null, group = codes.length): Buffer {
  const n = codes.length;
  const u = new Uint32Array(n);
  for (let i = 0; i < n; i++) { const v = prev ? codes[i]! - prev[i]! : codes[i]!; u[i] = v >= 0 ? 2 * v : -2 * v - 1; }
  const out = new Uint8Array(n * 6 + 16);
  let byte = 0;
  let bit = 0;
  const put = (value: number, bits: number) => {
    for (let b = bits - 1; b >= 0; b--) {
      if ((value >>> b) & 1) out[byte] = out[byte]! | (0x80 >>> bit);
      if (++bit === 8) { bit = 0; byte++; }
    }
  };
  for (let g = 0; g < n; g += group) {
    const end = Math.min(n, g + group);
    let any = false;
    for (let i = g; i < end; i++) if (u[i] !== 0) { any = true; break; }
    if (!any) { put(15, 4); continue; }
    let bestK = 0;
    let bestBits = Infinity;
    for (let k = 0; k < 15; k++) {
      let bits = 0;
      for (let i = g; i < end; i++) { const q = u[i]! >>> k; bits += q >= 24 ? 24 + 1 + 32 : q + 1 + k; }
      if (bits < bestBits) { bestBits = bits; bestK = k; }
    }
    put(bestK, 4);
    for (let i = g; i < end; i++) {
      const q = u[i]! >>> bestK;
      if (q >= 24) { for (let j = 0; j < 24; j++) put(1, 1); put(0, 1); put(u[i]! >>> 16, 16); put(u[i]! & 0xffff, 16); continue; }
      for (let j = 0; j < q; j++) put(1, 1);
      put(0, 1);
      if (bestK > 0) put(u[i]! & ((1 << bestK) - 1), bestK);
    }
  }
  return Buffer.from(out.subarray(0, byte + (bit > 0 ? 1 : 0)));
}

/** What a decoder makes of `buf`: the codes, or its error message. */
function outcome(decode: typeof unpackCodes, buf: Uint8Array, prev: Int16Array | null, n: number, group: number): string {
  const out = new Int16Array(n);
  try { decode(buf, prev ? prev.slice() : null, out, group); return Array.from(out).join(','); } catch (err) { return (err as Error).message; }
}

describe('pca codec: Rice coding', () => {
  it('encodes and decodes exactly as the bit-by-bit references: every Rice parameter, escapes, held groups, truncation and damage', () => {
    const seeded = new Rng(20261130);
    const rng = () => seeded.next();
    let compared = 0, errors = 0;
    for (let trial = 0; trial < 300; trial++) {
      const group = [1, 5, 48][trial % 3]!;
      const n = group * (1 + (trial % 7));
      const scale = [0, 1, 3, 40, 900, 20000][trial % 6]!;
      const prev = trial % 2 ? Int16Array.from({ length: n }, () => Math.round((rng() - 0.5) * 2000)) : null;
      const codes = Int16Array.from({ length: n }, (_, i) => {
        if (prev && rng() < 0.4) return prev[i]!; // held: a zero difference
        const v = Math.round((rng() - 0.5) * 2 * scale * rng());
        return Math.max(-32767, Math.min(32767, (prev ? prev[i]! : 0) + v));
      });
      const packed = packCodes(codes, prev, group);
      expect(Buffer.compare(packed, packCodesBitByBit(codes, prev, group))).toBe(0);
      expect(outcome(unpackCodes, packed, prev, n, group)).toBe(Array.from(codes).join(','));
      // Every truncation, a trailing byte, and flipped bits give the reference's result or error.
      const variants: Uint8Array[] = [Buffer.concat([packed, Buffer.from([0])])];
      for (let cut = 0; cut < packed.length; cut++) variants.push(packed.subarray(0, cut));
      for (let f = 0; f < 6; f++) {
        const damaged = Uint8Array.from(packed);
        damaged[Math.floor(rng() * damaged.length)]! ^= 1 << Math.floor(rng() * 8);
        variants.push(damaged);
      }
      variants.push(Uint8Array.from(packed, () => 0xff));
      for (const v of variants) {
        const want = outcome(unpackCodesBitByBit, v, prev, n, group);
        expect(outcome(unpackCodes, v, prev, n, group)).toBe(want);
        compared++;
        if (want.startsWith('feature codes')) errors++;
      }
    }
    expect(compared).toBeGreaterThan(3000);
    expect(errors).toBeGreaterThan(1000);
  });
});
