/** The prefilter's graphs and foldFc1 (fc1 folded into the fusion for the split exact head) against the plain products they compute. */
import { describe, expect, it } from 'vitest';
import { Rng } from '../model/rng';
import type { FoldedQuery, HeadWeights } from './foldedHead';
import { OnnxSession } from '../onnx/runtime';
import { fitGraph, foldFc1, proxyGraph } from './prefilterGraphs';

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

/**
 * The proxy graph (the slots' softmax over each frame's cells, slot-major) and the fit graph's
 * attention recomputed from the proxy's lse, against the formulas in plain float64 JS — with attention
 * logits large enough that exp() without the max subtracted would overflow float32.
 */
describe('proxyGraph and fitGraph', () => {
  it.each([[1, 'ordinary logits'], [40, 'logits near ±100']])('scale %i (%s): lse, proxy and α⊗y fusion match float64', async (scale) => {
    const S = 3, cells = S * S, K = 3, D = 4, F = 5, H = 6, N = 2;
    const rng = new Rng(77 + scale);
    const rand = (n: number, s = 1) => Float32Array.from({ length: n }, () => (rng.next() - 0.5) * s);
    const dense = (out: number, inp: number) => ({ w: rand(out * inp), b: rand(out), out, inp });
    const h = {
      S, logitScale: 0.7 * scale, cellScale: cells,
      fuse: dense(F, K * D), fc1: dense(H, F), fc2: dense(H, H), conf1: dense(H, H), conf2: dense(1, H), box1: dense(H, H), box2: dense(4, H),
    } as unknown as HeadWeights;
    const f: FoldedQuery = { K, D, bv: rand(D * K, 2), mv: rand(K), wf: rand(F * K * D), cm: rand(K * F), fb: h.fuse.b };
    const y = rand(N * cells * D, 3);
    const g = rand(K * D), hk = rand(K), c0 = 0.25;
    const proxySession = await OnnxSession.create(proxyGraph(h, f), { provider: 'cpu', label: 'proxy' });
    const fitSession = await OnnxSession.create(fitGraph(h, f), { provider: 'cpu', label: 'fit' });
    try {
      const p = await proxySession.run({
        y: { type: 'float32', data: y, dims: [N, cells, D] }, g: { type: 'float32', data: g, dims: [K, D] },
        hk: { type: 'float32', data: hk, dims: [K, 1] }, c0: { type: 'float32', data: Float32Array.of(c0), dims: [1] },
      });
      const lse = p.lse!.data as Float32Array, proxy = p.proxy!.data as Float32Array;
      // Reference: logit_k(c) = scale·(y(c)·bv_k + mv_k); α = S²·softmax over the frame's cells; proxy = Σ_k α_k (g_k·y + h_k) + c0.
      const logit = (r: number, k: number) => { let s = f.mv[k]!; for (let j = 0; j < D; j++) s += y[r * D + j]! * f.bv[j * K + k]!; return s * h.logitScale; };
      const alphaRef = new Float64Array(N * cells * K);
      for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) {
        const ls = Array.from({ length: cells }, (_, c) => logit(n * cells + c, k));
        const max = Math.max(...ls);
        const sum = ls.reduce((a, v) => a + Math.exp(v - max), 0);
        const lseRef = max + Math.log(sum);
        expect(Math.abs(lse[n * K + k]! - lseRef)).toBeLessThan(1e-4 * Math.max(1, Math.abs(lseRef)));
        ls.forEach((v, c) => { alphaRef[(n * cells + c) * K + k] = cells * Math.exp(v - lseRef); });
      }
      for (let r = 0; r < N * cells; r++) {
        let ref = c0;
        for (let k = 0; k < K; k++) { let t = hk[k]!; for (let j = 0; j < D; j++) t += g[k * D + j]! * y[r * D + j]!; ref += alphaRef[r * K + k]! * t; }
        expect(Math.abs(proxy[r]! - ref)).toBeLessThan(1e-3 * Math.max(1, Math.abs(ref)));
      }
      // The fit graph on some rows (frame·S² + cell) of the whole batch, which it gathers with their
      // frames' lse: fused = wf·(α⊗y) + fb + α·cm. Run on one row at a time, its Gram matrix of
      // [fused, 1, max(logit, floor)] holds that row's fused vector in the ones' row (row F).
      const rows = [0, 4, cells + 2, 2 * cells - 1];
      const fusedRef = (r: number) => Array.from({ length: F }, (_, o) => {
        let ref = f.fb[o]!;
        for (let k = 0; k < K; k++) {
          const a = alphaRef[r * K + k]!;
          ref += a * f.cm[k * F + o]!;
          for (let j = 0; j < D; j++) ref += f.wf[o * K * D + k * D + j]! * a * y[r * D + j]!;
        }
        return ref;
      });
      const run = (rs: number[], floor: number) => fitSession.run({
        yAll: { type: 'float32', data: y, dims: [N * cells, D] }, lseAll: { type: 'float32', data: lse, dims: [N, K] },
        rows: { type: 'int32', data: Int32Array.from(rs), dims: [rs.length] }, floor: { type: 'float32', data: Float32Array.of(floor), dims: [1] },
      });
      const P = F + 2;
      for (const r of rows) {
        const one = await run([r], -Infinity);
        const gram = one.gram!.data as Float32Array;
        const logit = (one.logit!.data as Float32Array)[0]!;
        fusedRef(r).forEach((ref, o) => expect(Math.abs(gram[F * P + o]! - ref)).toBeLessThan(1e-3 * Math.max(1, Math.abs(ref))));
        expect(gram[F * P + F]).toBe(1);
        expect(gram[F * P + F + 1]).toBeCloseTo(logit, 5); // the target, uncensored
      }
      // All rows at once: the Gram matrix is the sum of the rows' outer products, and a floor above
      // every logit censors the target to the floor.
      const all = await run(rows, 1e3);
      const gram = all.gram!.data as Float32Array;
      expect(gram[F * P + F]).toBe(rows.length);
      expect(gram[(F + 1) * P + F + 1]).toBeCloseTo(rows.length * 1e6, -1);
      const refs = rows.map(fusedRef);
      for (let a = 0; a < F; a++) {
        const want = refs.reduce((sum, v) => sum + v[a]!, 0);
        expect(Math.abs(gram[a * P + F]! - want)).toBeLessThan(1e-3 * Math.max(1, Math.abs(want)));
      }
    } finally {
      await proxySession.dispose();
      await fitSession.dispose();
    }
  });
});
