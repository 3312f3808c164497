/** The wasm UnsortedSegmentSum (gather's gradient) against the cpu backend. */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../tf';
import { initBackend, loadBackendForComparison } from '../backend';
import { fmt, seededData, wasmVsCpu } from './compareBackends';

beforeAll(async () => {
  await initBackend({ prefer: 'wasm', purpose: 'train' });
  await loadBackendForComparison('cpu');
});

describe('wasm UnsortedSegmentSum', () => {
  it('sums repeated ids and drops out-of-range ids (float32 and int32)', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [5, 2]);
    const ids = tf.tensor1d([2, 0, 2, 5, -1], 'int32');
    expect(Array.from(tf.unsortedSegmentSum(x, ids, 3).dataSync())).toEqual([3, 4, 0, 0, 6, 8]);
    const xi = tf.tensor1d([1, 2, 3], 'int32');
    const r = tf.unsortedSegmentSum(xi, tf.tensor1d([1, 1, 0], 'int32'), 2);
    expect(r.dtype).toBe('int32');
    expect(Array.from(r.dataSync())).toEqual([3, 3]);
  });

  it('gradient of an embedding lookup (gather with repeats, rank-2 indices) matches cpu', async () => {
    const [d] = await wasmVsCpu(() => {
      const table = tf.tensor2d(seededData(10 * 6, 21), [10, 6]);
      const idx = tf.tensor2d([1, 4, 4, 9, 0, 1], [2, 3], 'int32');
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.gather(t, idx))))(table);
      return [g];
    });
    console.log(`gather gradient: ${fmt(d!)}`);
    expect(d!.maxAbs).toBeLessThan(1e-6);
    expect(d!.scale).toBeGreaterThan(0);
  });
});
