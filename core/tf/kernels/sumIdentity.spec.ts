/**
 * The wasm Sum (leading-axes fast path, stock kernel otherwise) and the copy-free Identity against
 * the cpu backend.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../tf';
import { initBackend, loadBackendForComparison } from '../backend';
import { fmt, seededData, wasmVsCpu } from './compareBackends';
import { leadingAxes } from './sum';

beforeAll(async () => {
  await initBackend({ prefer: 'wasm', purpose: 'train' });
  await loadBackendForComparison('cpu');
});

describe('wasm Sum', () => {
  it('recognises leading-axis reductions', () => {
    expect(leadingAxes([0, 1, 2], 4)).toBe(3);
    expect(leadingAxes([2, 0, 1], 4)).toBe(3);
    expect(leadingAxes(0, 2)).toBe(1);
    expect(leadingAxes([-4, -3], 4)).toBe(2);
    expect(leadingAxes([1, 2], 4)).toBe(-1);
    expect(leadingAxes([0, 2], 4)).toBe(-1);
    expect(leadingAxes([0, 1, 2, 3], 4)).toBe(-1); // all axes: stock kernel
    expect(leadingAxes([], 3)).toBe(-1);
  });

  const cases: Array<{ shape: number[]; axis: number | number[]; keepDims: boolean }> = [
    { shape: [8, 112, 112, 16], axis: [0, 1, 2], keepDims: false }, // the stem's bias gradient
    { shape: [8, 7, 7, 256], axis: [0, 1, 2], keepDims: false },
    { shape: [3, 5, 7, 2], axis: [0, 1], keepDims: true },
    { shape: [392, 126], axis: 0, keepDims: false },
    { shape: [4, 6], axis: [-2], keepDims: true },
    { shape: [8, 16, 49, 4], axis: [1], keepDims: false }, // stock path
    { shape: [5, 6, 7], axis: [0, 1, 2], keepDims: false }, // stock path (all axes)
    { shape: [2, 9], axis: [1], keepDims: true }, // stock path
  ];
  for (const c of cases) {
    it(`${c.shape.join('×')} axis ${JSON.stringify(c.axis)} keepDims ${c.keepDims}`, async () => {
      const size = c.shape.reduce((a, b) => a * b, 1);
      const shapes: number[][] = [];
      const [d] = await wasmVsCpu(() => {
        const s = tf.sum(tf.tensor(seededData(size, 7), c.shape), c.axis, c.keepDims);
        shapes.push(s.shape);
        return [s];
      });
      console.log(`sum ${c.shape.join('×')} ${JSON.stringify(c.axis)}: ${fmt(d!)}`);
      expect(shapes[0]).toEqual(shapes[1]);
      expect(d!.scale).toBeGreaterThan(0);
      expect(d!.maxRel).toBeLessThan(1e-5);
    });
  }

  it('int32 input goes to the stock kernel', async () => {
    await tf.setBackend('wasm');
    const r = tf.sum(tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2], 'int32'), 0);
    expect(r.dtype).toBe('int32');
    expect(Array.from(r.dataSync())).toEqual([9, 12]);
  });
});

describe('wasm Identity shares data', () => {
  it('clone keeps values after the original is disposed, and no data leaks', async () => {
    await tf.setBackend('wasm');
    const before = tf.memory().numBytes;
    const x = tf.tensor1d([1, 2, 3]);
    const y = tf.clone(x);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3]);
    y.dispose();
    expect(tf.memory().numBytes).toBe(before);
  });

  it('gradients through cast/clone match cpu', async () => {
    const [d] = await wasmVsCpu(() => [
      tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.clone(tf.cast(t, 'float32')))))(tf.tensor2d(seededData(12, 3), [3, 4])),
    ]);
    console.log(`clone/cast gradient: ${fmt(d!)}`);
    expect(d!.maxAbs).toBeLessThan(1e-6);
  });
});
