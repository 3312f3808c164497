/**
 * The wasm Conv2DBackpropFilter / Conv2DBackpropInput kernels against the cpu backend, for every
 * kernel size (1, 3, 5, 7), stride (1, 2) and padding (same, valid, numeric, explicit asymmetric)
 * on odd and even input sizes. Max abs and relative differences are printed. With 3 input channels,
 * kernels up to 3×3 take the filter gradient's im2col path, 5×5 and 7×7 its conv form.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../tf';
import { initBackend, loadBackendForComparison } from '../backend';
import { fmt, seededData, wasmVsCpu } from './compareBackends';

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
const PADS: Pad[] = ['same', 'valid', 1, [[0, 0], [2, 1], [0, 3], [0, 0]]];
const TOL = 1e-5;

beforeAll(async () => {
  await initBackend({ prefer: 'wasm', purpose: 'train' });
  await loadBackendForComparison('cpu');
});

function cases(): Array<{ k: number; s: number; pad: Pad; hw: [number, number] }> {
  const out = [];
  for (const k of [1, 3, 5, 7]) for (const s of [1, 2]) for (const pad of PADS) for (const hw of [[9, 8], [10, 11]] as Array<[number, number]>) {
    if (pad === 'valid' && k > hw[0]) continue;
    out.push({ k, s, pad, hw });
  }
  return out;
}

describe('wasm conv2d gradient kernels match cpu', () => {
  for (const { k, s, pad, hw } of cases()) {
    const label = `k${k} s${s} pad=${JSON.stringify(pad)} in=${hw.join('x')}`;
    it(label, async () => {
      const xShape: [number, number, number, number] = [2, hw[0], hw[1], 3];
      const fShape: [number, number, number, number] = [k, k, 3, 4];
      const [dW, dX] = await wasmVsCpu(() => {
        const x = tf.tensor4d(seededData(2 * hw[0] * hw[1] * 3, 1), xShape);
        const w = tf.tensor4d(seededData(k * k * 12, 2), fShape);
        const y = tf.conv2d(x, w, s, pad);
        const dy = tf.tensor4d(seededData(y.size, 3), y.shape as [number, number, number, number]);
        const attrs = { strides: [s, s], pad, dataFormat: 'NHWC', dimRoundingMode: undefined };
        return [
          tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: fShape } as never) as tf.Tensor,
          tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: xShape } as never) as tf.Tensor,
        ];
      });
      console.log(`${label}: dW ${fmt(dW!)} | dx ${fmt(dX!)}`);
      expect(dW!.maxRel).toBeLessThan(TOL);
      expect(dX!.maxRel).toBeLessThan(TOL);
      expect(dW!.scale).toBeGreaterThan(0);
    });
  }

  // The model's channel counts (long contiguous runs in the heap copies) and 1×1 layers.
  const wide: Array<{ k: number; s: number; pad: Pad; x: [number, number, number, number]; cout: number }> = [
    { k: 3, s: 2, pad: 'same', x: [2, 30, 32, 3], cout: 16 }, // the stem: the filter gradient's im2col path
    { k: 3, s: 2, pad: 'same', x: [2, 14, 14, 32], cout: 48 },
    { k: 3, s: 2, pad: 'same', x: [2, 13, 11, 48], cout: 16 },
    { k: 3, s: 2, pad: [[0, 0], [1, 2], [3, 0], [0, 0]], x: [2, 9, 10, 40], cout: 8 },
    { k: 3, s: 1, pad: 'same', x: [2, 7, 7, 64], cout: 64 },
    { k: 1, s: 1, pad: 'same', x: [2, 7, 7, 300], cout: 40 },
    { k: 1, s: 1, pad: 'same', x: [2, 3, 5, 1024], cout: 512 }, // ≥ 2^19 weights: the input gradient's matMul path
    { k: 1, s: 1, pad: 'valid', x: [3, 5, 4, 24], cout: 70 },
    { k: 1, s: 2, pad: 'same', x: [2, 9, 8, 24], cout: 40 },
  ];
  for (const c of wide) {
    const label = `model-like k${c.k} s${c.s} pad=${JSON.stringify(c.pad)} x=${c.x.join('x')} → ${c.cout}`;
    it(label, async () => {
      const fShape: [number, number, number, number] = [c.k, c.k, c.x[3], c.cout];
      const [dW, dX] = await wasmVsCpu(() => {
        const x = tf.tensor4d(seededData(c.x.reduce((a, b) => a * b, 1), 11), c.x);
        const w = tf.tensor4d(seededData(fShape.reduce((a, b) => a * b, 1), 12), fShape);
        const y = tf.conv2d(x, w, c.s, c.pad);
        const dy = tf.tensor4d(seededData(y.size, 13), y.shape as [number, number, number, number]);
        const attrs = { strides: [c.s, c.s], pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined };
        return [
          tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: fShape } as never) as tf.Tensor,
          tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: c.x } as never) as tf.Tensor,
        ];
      });
      console.log(`${label}: dW ${fmt(dW!)} | dx ${fmt(dX!)}`);
      expect(dW!.maxRel).toBeLessThan(TOL);
      expect(dX!.maxRel).toBeLessThan(TOL);
      expect(dW!.scale).toBeGreaterThan(0);
      expect(dX!.scale).toBeGreaterThan(0);
    });
  }

  it('tf.grad through tf.fused.conv2d (bias + relu, stride 2, same) matches cpu', async () => {
    const [dX, dW, dB] = await wasmVsCpu(() => {
      const x = tf.tensor4d(seededData(2 * 12 * 12 * 5, 4), [2, 12, 12, 5]);
      const w = tf.tensor4d(seededData(3 * 3 * 5 * 6, 5), [3, 3, 5, 6]);
      const b = tf.tensor1d(seededData(6, 6));
      const f = (x: tf.Tensor4D, w: tf.Tensor4D, b: tf.Tensor1D) =>
        tf.sum(tf.square(tf.fused.conv2d({ x, filter: w, bias: b, strides: 2, pad: 'same', activation: 'relu' })));
      return tf.grads(f as (...a: tf.Tensor[]) => tf.Tensor)([x, w, b]);
    });
    console.log(`fused conv2d: dx ${fmt(dX!)} | dW ${fmt(dW!)} | db ${fmt(dB!)}`);
    for (const d of [dX!, dW!, dB!]) expect(d.maxRel).toBeLessThan(TOL);
  });
});
