/**
 * The wasm BatchMatMul kernel against the cpu backend: every transpose combination, batch 1,
 * equal batches, and one side broadcast, at this model's shapes and at odd small ones; plus the
 * reuse of one tensor's data under two shapes (which aborts the stock kernel's operator cache).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../tf';
import { initBackend, loadBackendForComparison } from '../backend';
import { fmt, seededData, wasmVsCpu } from './compareBackends';

const TOL = 1e-5;

beforeAll(async () => {
  await initBackend({ prefer: 'wasm', purpose: 'train' });
  await loadBackendForComparison('cpu');
});

const CASES: Array<{ a: number[]; b: number[]; ta: boolean; tb: boolean }> = [];
for (const [a, b] of [
  [[5, 3], [3, 7]], [[392, 256], [256, 126]], [[8, 16, 256], [8, 256, 49]], [[8, 49, 49], [8, 49, 256]],
  [[2, 3, 4, 5], [2, 3, 5, 6]], [[1, 6, 4], [3, 4, 2]], [[3, 6, 4], [4, 2]], [[4, 6], [3, 6, 2]],
]) {
  for (const ta of [false, true]) for (const tb of [false, true]) {
    const sa = ta ? [...a!.slice(0, -2), a![a!.length - 1]!, a![a!.length - 2]!] : a!;
    const sb = tb ? [...b!.slice(0, -2), b![b!.length - 1]!, b![b!.length - 2]!] : b!;
    CASES.push({ a: sa, b: sb, ta, tb });
  }
}

describe('wasm BatchMatMul matches cpu', () => {
  for (const c of CASES) {
    const label = `${JSON.stringify(c.a)}${c.ta ? 'ᵀ' : ''} · ${JSON.stringify(c.b)}${c.tb ? 'ᵀ' : ''}`;
    it(label, async () => {
      const [d] = await wasmVsCpu(() => {
        const a = tf.tensor(seededData(c.a.reduce((x, y) => x * y, 1), 1), c.a);
        const b = tf.tensor(seededData(c.b.reduce((x, y) => x * y, 1), 2), c.b);
        return [tf.matMul(a, b, c.ta, c.tb)];
      });
      console.log(`${label}: ${fmt(d!)}`);
      expect(d!.maxRel).toBeLessThan(TOL);
      expect(d!.scale).toBeGreaterThan(0);
    });
  }

  it('the same data as b under two shapes, and the gradient of a batched product', async () => {
    const [r1, r2, r3, ga, gb] = await wasmVsCpu(() => {
      const x = tf.tensor2d(seededData(24, 3), [4, 6]);
      const a = tf.tensor2d(seededData(12, 4), [3, 4]);
      const c = tf.tensor2d(seededData(16, 5), [2, 8]);
      const p = tf.tensor3d(seededData(2 * 5 * 3, 6), [2, 5, 3]);
      const q = tf.tensor3d(seededData(2 * 4 * 3, 7), [2, 4, 3]);
      const g = tf.grads((u: tf.Tensor, v: tf.Tensor) => tf.sum(tf.square(tf.matMul(u as tf.Tensor3D, v as tf.Tensor3D, false, true))));
      const [dp, dq] = g([p, q]);
      return [tf.matMul(a, x), tf.matMul(c, tf.reshape(x, [8, 3])), tf.matMul(a, x), dp!, dq!];
    });
    for (const d of [r1!, r2!, r3!, ga!, gb!]) expect(d.maxRel).toBeLessThan(TOL);
  });
});
