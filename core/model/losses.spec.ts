import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../tf/tf';
import { initBackend } from '../tf/backend';
import { boxLoss, cellAttributeLoss, cellRankingLoss, confidenceLoss, confidenceLossBce, labelLoss, offsetLoss, reconstructionLoss, slotCrossEntropy, totalLoss } from './losses';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu', purpose: 'train', allowCpuTraining: true });
});

const val = (t: tf.Tensor) => t.dataSync()[0]!;

describe('loss terms against hand computation', () => {
  it('L_cla: categorical cross-entropy over known slots only', () => {
    const logits = tf.tensor3d([[[1, 2, 3], [0, 0, 0]], [[0, 5, 0], [2, 0, 0]]]);
    const targets = tf.tensor2d([[2, 0], [1, 0]], undefined, 'int32');
    const known = tf.tensor2d([[1, 0], [1, 1]]);
    const ce = (l: number[], t: number) => Math.log(l.reduce((s, v) => s + Math.exp(v), 0)) - l[t]!;
    const want = (ce([1, 2, 3], 2) + ce([0, 5, 0], 1) + ce([2, 0, 0], 0)) / 3;
    expect(val(labelLoss(logits, targets, known))).toBeCloseTo(want, 5);
  });

  it('L_roi (slotCrossEntropy): a softmax per slot over its own tokens, mean over masked (row, slot) pairs', () => {
    // Vocabulary of 5 tokens: slot 0 owns tokens 0–1, slot 1 owns tokens 2–4.
    const membership = tf.tensor2d([[1, 0], [1, 0], [0, 1], [0, 1], [0, 1]]);
    const logits = tf.tensor2d([[1, 3, 0, 2, -1], [0, 0, 5, 5, 5]]);
    const targets = tf.tensor2d([[1, 2], [0, 4]], undefined, 'int32');
    const mask = tf.tensor2d([[1, 1], [0, 1]]);
    const ce = (l: number[], t: number) => Math.log(l.reduce((s, v) => s + Math.exp(v), 0)) - l[t]!;
    // row 0: slot 0 over [1, 3] picks 3; slot 1 over [0, 2, −1] picks 0. row 1: slot 1 over [5, 5, 5] picks the last.
    const want = (ce([1, 3], 1) + ce([0, 2, -1], 0) + ce([5, 5, 5], 2)) / 3;
    expect(val(slotCrossEntropy(logits, membership, targets, mask))).toBeCloseTo(want, 5);
  });

  it('L_con: sum of squared errors over cells, mean over the batch', () => {
    const conf = tf.tensor2d([[0.5, 0.2, 0.9, 0.1], [0.3, 0, 0, 0]]);
    const target = tf.tensor2d([[0, 0, 1, 0], [0, 0, 0, 0]]);
    // sample 1: .25 + .04 + .01 + .01 = .31; sample 2: .09 → mean .2
    expect(val(confidenceLoss(conf, target))).toBeCloseTo(0.2, 6);
  });

  it("L_con 'bce': binary cross-entropy on logits, summed over cells, mean over the batch", () => {
    const logits = tf.tensor2d([[0, -2, 3, 40], [-40, 1, 0, 0]]);
    const target = tf.tensor2d([[0, 0, 1, 0], [1, 0, 0, 0]]);
    const sig = (z: number) => 1 / (1 + Math.exp(-z));
    const bce = (z: number, t: number) => -(t * Math.log(sig(z)) + (1 - t) * Math.log(1 - sig(z)));
    // Saturated logits (±40) are where a naive log(σ) would give Infinity; the stable form gives 40.
    const s1 = bce(0, 0) + bce(-2, 0) + bce(3, 1) + 40;
    const s2 = 40 + bce(1, 0) + bce(0, 0) + bce(0, 0);
    expect(val(confidenceLossBce(logits, target))).toBeCloseTo((s1 + s2) / 2, 4);
  });

  it('L_attr: per-slot softmax over that slot\'s value tokens of <I_en[c], E[token]>·scale, on masked cells', () => {
    // V = 5 tokens: slot 0 owns tokens 0 (unknown), 1, 2; slot 1 owns 3 (unknown), 4 — one value only.
    const table = tf.tensor2d([[9, 9], [1, 0], [0, 1], [9, 9], [1, 1]]);
    const membership = tf.tensor2d([[0, 0], [1, 0], [1, 0], [0, 0], [0, 1]]);
    // B = 1, two cells, M = 2.
    const encoded = tf.tensor3d([[[2, 0], [0, 1]]]);
    const targets = tf.tensor3d([[[2, 4], [1, 0]]], undefined, 'int32');
    const mask = tf.tensor3d([[[1, 1], [1, 0]]]);
    const scale = 0.5;
    // cell 0 scores: token1 = 2·.5 = 1, token2 = 0 → slot 0 target token 2: −log(e^0/(e^1+e^0)).
    const c0s0 = Math.log(Math.exp(1) + 1) - 0;
    // slot 1 has a single value: its loss is 0 whatever the score (the unknown token 3 is excluded).
    const c0s1 = 0;
    // cell 1 scores: token1 = 0, token2 = .5 → slot 0 target token 1.
    const c1s0 = Math.log(1 + Math.exp(0.5)) - 0;
    expect(val(cellAttributeLoss(encoded, table, membership, targets, mask, scale))).toBeCloseTo((c0s0 + c0s1 + c1s0) / 3, 5);
  });

  it('L_loc: squared x, y and sqrt-w, sqrt-h errors on the responsible cell only', () => {
    const pred = tf.tensor3d([[[0.5, 0.5, 0.25, 0.64], [0.9, 0.9, 0.9, 0.9]], [[0, 0, 0.5, 0.5], [0, 0, 0.5, 0.5]]]);
    const target = tf.tensor3d([[[0.2, 0.6, 0.36, 0.16], [0, 0, 0, 0]], [[0, 0, 0, 0], [0, 0, 0, 0]]]);
    const obj = tf.tensor2d([[1, 0], [0, 0]]);
    const present = tf.tensor1d([1, 0]);
    // (0.3)² + (0.1)² + (0.5 − 0.6)² + (0.8 − 0.4)² = 0.09 + 0.01 + 0.01 + 0.16 = 0.27, one present sample
    expect(val(boxLoss(pred, target, obj, present))).toBeCloseTo(0.27, 4);
  });

  it("L_loc 'log': squared x, y and ln-w, ln-h errors; a size off by the same factor costs the same at any size", () => {
    const obj = tf.tensor2d([[1, 0], [0, 0]]);
    const present = tf.tensor1d([1, 0]);
    const eps = 1e-4;
    const lnErr = (p: number, t: number) => (Math.log(p + eps) - Math.log(t + eps)) ** 2;
    const pred = tf.tensor3d([[[0.5, 0.5, 0.06, 0.2], [0.9, 0.9, 0.9, 0.9]], [[0, 0, 0.5, 0.5], [0, 0, 0.5, 0.5]]]);
    const target = tf.tensor3d([[[0.2, 0.6, 0.04, 0.16], [0, 0, 0, 0]], [[0, 0, 0, 0], [0, 0, 0, 0]]]);
    const want = 0.09 + 0.01 + lnErr(0.06, 0.04) + lnErr(0.2, 0.16);
    expect(val(boxLoss(pred, target, obj, present, 'log'))).toBeCloseTo(want, 4);
    // A small and a large person, each predicted 1.5× too wide and tall: the same log loss, while √ charges the small one 10× less.
    const one = (w: number, h: number, mode: 'sqrt' | 'log') =>
      val(boxLoss(tf.tensor3d([[[0, 0, 1.5 * w, 1.5 * h]]]), tf.tensor3d([[[0, 0, w, h]]]), tf.tensor2d([[1]]), tf.tensor1d([1]), mode));
    expect(one(0.05, 0.15, 'log')).toBeCloseTo(one(0.5, 0.6, 'log'), 2);
    expect(one(0.05, 0.15, 'sqrt')).toBeLessThan(one(0.5, 0.6, 'sqrt') / 3);
  });

  it('L_rank: −log of the softmax mass on the positive cells, over queries that have one', () => {
    const logits = tf.tensor2d([[2, 0, 1, -1], [0, 3, 3, 0], [5, 5, 5, 5]]);
    // row 0: one positive (cell 2); row 1: two positives (cells 1, 2); row 2: absent target, not counted.
    const target = tf.tensor2d([[0, 0, 1, 0], [0, 1, 1, 0], [0, 0, 0, 0]]);
    const lse = (v: number[]) => Math.log(v.reduce((s, x) => s + Math.exp(x), 0));
    const want = (lse([2, 0, 1, -1]) - 1 + lse([0, 3, 3, 0]) - lse([3, 3])) / 2;
    expect(val(cellRankingLoss(logits, target))).toBeCloseTo(want, 5);
    // Raising the positive cell's logit lowers the loss; raising another person's raises it.
    expect(val(cellRankingLoss(tf.tensor2d([[2, 0, 3, -1]]), tf.tensor2d([[0, 0, 1, 0]])))).toBeLessThan(lse([2, 0, 1, -1]) - 1);
    expect(val(cellRankingLoss(tf.tensor2d([[4, 0, 1, -1]]), tf.tensor2d([[0, 0, 1, 0]])))).toBeGreaterThan(lse([2, 0, 1, -1]) - 1);
  });

  it('L_rec: mean absolute error over pixels, averaged over present samples', () => {
    const pred = tf.tensor4d([1, 2, 3, 4, 9, 9, 9, 9], [2, 2, 2, 1]);
    const target = tf.tensor4d([0, 2, 5, 4, 0, 0, 0, 0], [2, 2, 2, 1]);
    // sample 1: (1 + 0 + 2 + 0)/4 = 0.75; sample 2 absent
    expect(val(reconstructionLoss(pred, target, tf.tensor1d([1, 0])))).toBeCloseTo(0.75, 6);
  });

  it('L_off: 8-class cross-entropy over valid samples', () => {
    const logits = tf.tensor2d([[0, 0, 0, 0, 0, 0, 0, Math.log(8)], [5, 0, 0, 0, 0, 0, 0, 0]]);
    const labels = tf.tensor1d([7, 3], 'int32');
    // sample 1: p = 8 / (7 + 8) → −log(8/15); sample 2 invalid
    expect(val(offsetLoss(logits, labels, tf.tensor1d([1, 0])))).toBeCloseTo(-Math.log(8 / 15), 5);
  });

  it('eq. 6–7 combine the terms with their λ', () => {
    const s = (v: number) => tf.scalar(v);
    const w = { ssl: 2, con: 100, loc: 5, cla: 1, rec: 0.5, off: 3, attr: 0, roi: 0, rank: 0 };
    const got = val(totalLoss({ cla: s(1), rec: s(2), off: s(0.1), con: s(0.01), loc: s(0.2) }, w));
    expect(got).toBeCloseTo(2 * (1 + 1 + 0.3) + 1 + 1, 5);
    // L_rank joins the localisation part with its own λ (not scaled by λ_ssl).
    const withRank = val(totalLoss({ cla: s(1), rec: s(2), off: s(0.1), con: s(0.01), loc: s(0.2), rank: s(0.5) }, { ...w, rank: 4 }));
    expect(withRank).toBeCloseTo(got + 2, 5);
  });
});
