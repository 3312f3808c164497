/**
 * The wasm DepthwiseConv2dNativeBackpropFilter / -Input kernels against the cpu backend, for
 * kernel sizes 1, 3, 5, 7, strides 1 and 2, same / valid / explicit padding, channel multiplier
 * 1 (XNNPACK path) and 2 (direct-loop path).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../tf';
import { initBackend, loadBackendForComparison } from '../backend';
import { fmt, seededData, wasmVsCpu } from './compareBackends';

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
const TOL = 1e-5;

beforeAll(async () => {
  await initBackend({ prefer: 'wasm', purpose: 'train' });
  await loadBackendForComparison('cpu');
});

describe('wasm depthwise conv gradient kernels match cpu', () => {
  const pads: Pad[] = ['same', 'valid', [[0, 0], [1, 2], [3, 0], [0, 0]]];
  for (const k of [1, 3, 5, 7]) for (const s of [1, 2]) for (const pad of pads) for (const mult of [1, 2]) {
    const hw: [number, number] = k === 7 ? [10, 9] : [9, 10];
    const label = `k${k} s${s} pad=${JSON.stringify(pad)} multiplier=${mult}`;
    it(label, async () => {
      const c = 3;
      const xShape: [number, number, number, number] = [2, hw[0], hw[1], c];
      const fShape: [number, number, number, number] = [k, k, c, mult];
      const [dW, dX] = await wasmVsCpu(() => {
        const x = tf.tensor4d(seededData(2 * hw[0] * hw[1] * c, 11), xShape);
        const w = tf.tensor4d(seededData(k * k * c * mult, 12), fShape);
        const y = tf.depthwiseConv2d(x, w, s, pad);
        const dy = tf.tensor4d(seededData(y.size, 13), y.shape as [number, number, number, number]);
        const attrs = { strides: [s, s], pad, dilations: [1, 1], dimRoundingMode: undefined };
        return [
          tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { ...attrs, filterShape: fShape } as never) as tf.Tensor,
          tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter: w }, { ...attrs, inputShape: xShape } as never) as tf.Tensor,
        ];
      });
      console.log(`${label}: dW ${fmt(dW!)} | dx ${fmt(dX!)}`);
      expect(dW!.maxRel).toBeLessThan(TOL);
      expect(dX!.maxRel).toBeLessThan(TOL);
      expect(dW!.scale).toBeGreaterThan(0);
    });
  }
});
