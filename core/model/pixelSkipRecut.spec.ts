/** Re-cutting a trained pixel skip for a finer block computes the same encoder output. */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../tf/tf';
import { initBackend } from '../tf/backend';
import { backboneForward } from './backbones';
import { tinyConfig } from './config';
import { createModel } from './fastpr';
import { PIXEL_SKIP_KERNEL, recutPixelSkipKernel } from './pixelSkipRecut';

beforeAll(async () => { await initBackend({ prefer: 'cpu', purpose: 'infer' }); });

const compact = (block: number) => ({ stemWidth: 8, stages: [{ width: 8, blocks: 0 }, { width: 16, blocks: 1 }, { width: 16, blocks: 0 }], pixelSkip: { block } });

function encode(model: ReturnType<typeof createModel>, image: tf.Tensor4D): Float32Array {
  return tf.tidy(() => backboneForward(model.weights, model.config, image).dataSync() as Float32Array);
}

describe('pixel skip re-cut', () => {
  it('block 4 → 2 and 4 → 1 keep the encoder output (≤ 1e-5), where a zero start would not', () => {
    const coarse = createModel(tinyConfig({ compact: compact(4) }), 5);
    const kernel = coarse.weights.get(PIXEL_SKIP_KERNEL)!;
    kernel.assign(tf.randomNormal(kernel.shape, 0, 0.5, 'float32', 7)); // a trained, non-zero skip
    const image = tf.randomUniform([2, 64, 64, 3], 0, 1, 'float32', 11) as tf.Tensor4D;
    const want = encode(coarse, image);
    for (const block of [2, 1]) {
      const fine = createModel(tinyConfig({ compact: compact(block) }), 6);
      for (const [name, v] of coarse.weights) if (name !== PIXEL_SKIP_KERNEL) fine.weights.get(name)!.assign(v);
      const target = fine.weights.get(PIXEL_SKIP_KERNEL)!;
      expect(target.shape).toEqual([1, 1, (16 / block) ** 2 * 3, 16]);
      const zeroStart = encode(fine, image); // the new kernel as created: zeros
      const recut = recutPixelSkipKernel({ name: PIXEL_SKIP_KERNEL, shape: kernel.shape, data: kernel.dataSync() as Float32Array }, target.shape)!;
      target.assign(tf.tensor(recut.data, recut.shape as [number, number, number, number]));
      const got = encode(fine, image);
      let diff = 0, zeroDiff = 0;
      for (let i = 0; i < want.length; i++) { diff = Math.max(diff, Math.abs(got[i]! - want[i]!)); zeroDiff = Math.max(zeroDiff, Math.abs(zeroStart[i]! - want[i]!)); }
      expect(diff, `block ${block}`).toBeLessThan(1e-5);
      expect(zeroDiff, `block ${block}`).toBeGreaterThan(0.1);
    }
    image.dispose();
  });

  it('refuses shapes that are not a finer cut of the same skip', () => {
    const k = { name: PIXEL_SKIP_KERNEL, shape: [1, 1, 48, 16], data: new Float32Array(48 * 16).fill(1) };
    expect(recutPixelSkipKernel(k, [1, 1, 192, 16])!.data[0]).toBeCloseTo(0.25);
    expect(recutPixelSkipKernel(k, [1, 1, 12, 16])).toBeNull(); // coarser
    expect(recutPixelSkipKernel(k, [1, 1, 192, 8])).toBeNull(); // other width
    expect(recutPixelSkipKernel(k, [1, 1, 108, 16])).toBeNull(); // 6×6: not a multiple of 4
    expect(recutPixelSkipKernel(k, [3, 3, 192, 16])).toBeNull();
  });
});
