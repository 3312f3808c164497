/**
 * The host-loop Adam update (used on wasm/cpu) against the tensor-op update: same weights, moments
 * and gradient norm after several steps, with and without clipping, on the wasm backend.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../tf/tf';
import { initBackend } from '../tf/backend';
import { Adam } from './adam';

beforeAll(async () => {
  await initBackend({ prefer: 'wasm', purpose: 'train' });
});

function weights(): Map<string, tf.Variable> {
  const w = new Map<string, tf.Variable>();
  w.set('a', tf.variable(tf.tensor2d([[0.5, -1, 2], [0, 3, -0.25]]), true));
  w.set('b', tf.variable(tf.tensor1d([0, 0, 0, 0]), true)); // zero weight with zero gradients
  return w;
}

function grads(step: number): Map<string, tf.Tensor> {
  return new Map<string, tf.Tensor>([
    ['a', tf.tensor2d([[0.1 * step, -2, 1e-4], [5, -0.3, 0.7 / step]])],
    ['b', tf.tensor1d([0, step === 2 ? 1e-3 : 0, 0, -4])],
  ]);
}

describe('Adam host loop matches the tensor-op update', () => {
  for (const clipNorm of [0, 1]) {
    it(`clipNorm ${clipNorm}`, () => {
      const opts = { learningRate: 1e-2, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, clipNorm };
      const [wOps, wHost] = [weights(), weights()];
      const ops = new Adam(wOps, opts, 'ops');
      const host = new Adam(wHost, opts, 'host');
      for (let s = 1; s <= 4; s++) {
        const nOps = ops.apply(grads(s));
        const nHost = host.apply(grads(s));
        expect(Math.abs(nOps - nHost) / nOps).toBeLessThan(1e-6);
      }
      let maxRel = 0;
      for (const name of ['a', 'b']) {
        const a = wOps.get(name)!.dataSync(), b = wHost.get(name)!.dataSync();
        const scale = Math.max(...Array.from(a, Math.abs), 1e-3);
        for (let i = 0; i < a.length; i++) maxRel = Math.max(maxRel, Math.abs(a[i]! - b[i]!) / scale);
      }
      const sa = ops.state(), sh = host.state();
      expect(sh.steps).toEqual(sa.steps);
      for (let k = 0; k < sa.arrays.length; k++) {
        const x = sa.arrays[k]!.data, y = sh.arrays[k]!.data;
        for (let i = 0; i < x.length; i++) expect(Math.abs(x[i]! - y[i]!)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(x[i]!)));
      }
      console.log(`clipNorm ${clipNorm}: weights max rel diff ${maxRel.toExponential(2)}`);
      expect(maxRel).toBeLessThan(1e-6);
      // Something actually moved.
      expect(wHost.get('a')!.dataSync()[0]).not.toBe(0.5);
    });
  }
});
