/** foldFc1 (fc1 folded into the fusion for the split exact head) against the plain products it computes. */
import { describe, expect, it } from 'vitest';
import { Rng } from '../model/rng';
import type { FoldedQuery, HeadWeights } from './foldedHead';
import { foldFc1 } from './prefilterGraphs';

describe('foldFc1', () => {
  it.each([[3, 5, 7, 6], [15, 48, 256, 256], [2, 3, 9, 5]])('K=%i, D=%i, F=%i, H=%i: w = fc1·wf, b = fc1·fb + fc1.b, cm = cm·fc1ᵀ', (K, D, F, H) => {
    const rng = new Rng(K * 1000 + F);
    const rand = (n: number) => Float32Array.from({ length: n }, () => rng.next() - 0.5);
    const KD = K * D;
    const fc1 = { w: rand(H * F), b: rand(H), out: H };
    fc1.w[3] = 0; // a zero weight (the JS loop before skipped them) adds nothing
    const h = { fuse: { out: F }, fc1 } as unknown as HeadWeights;
    const f = { K, D, wf: rand(F * KD), fb: rand(F), cm: rand(K * F) } as unknown as FoldedQuery;
    const got = foldFc1(h, f);
    let worst = 0;
    for (let o1 = 0; o1 < H; o1++) {
      for (let j = 0; j < KD; j++) {
        let s = 0;
        for (let o = 0; o < F; o++) s += fc1.w[o1 * F + o]! * f.wf[o * KD + j]!;
        worst = Math.max(worst, Math.abs(got.w[o1 * KD + j]! - Math.fround(s)));
      }
      let bs = fc1.b[o1]!;
      for (let o = 0; o < F; o++) bs += fc1.w[o1 * F + o]! * f.fb[o]!;
      expect(got.b[o1]).toBe(Math.fround(bs));
      for (let k = 0; k < K; k++) {
        let s = 0;
        for (let o = 0; o < F; o++) s += f.cm[k * F + o]! * fc1.w[o1 * F + o]!;
        expect(got.cm[k * H + o1]).toBe(Math.fround(s));
      }
    }
    // float64 sums in another order, then rounded to float32: equal but for the last bit, rarely.
    expect(worst).toBeLessThan(1e-6);
  });
});
