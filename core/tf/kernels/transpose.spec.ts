/** The wasm Transpose (tiled copy for permutations that swap two groups of axes, stock otherwise) against the cpu backend. */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../tf';
import { initBackend, loadBackendForComparison } from '../backend';
import { onBackends, seededData } from './compareBackends';
import { swapGroups } from './transpose';

beforeAll(async () => {
  await initBackend({ prefer: 'wasm', purpose: 'train' });
  await loadBackendForComparison('cpu');
});

describe('wasm Transpose', () => {
  it('recognises permutations that swap two groups of axes', () => {
    expect(swapGroups([4096, 392], [1, 0])).toEqual([1, 4096, 392, 1]);
    expect(swapGroups([448, 56, 2, 32], [0, 2, 1, 3])).toEqual([448, 56, 2, 32]);
    expect(swapGroups([8, 56, 56, 32], [1, 2, 0, 3])).toEqual([1, 8, 3136, 32]);
    expect(swapGroups([2, 3, 4, 5], [0, 1, 3, 2])).toEqual([6, 4, 5, 1]);
    expect(swapGroups([2, 1, 4], [1, 2, 0])).toEqual([1, 2, 4, 1]); // the size-1 axis moves nothing
    expect(swapGroups([2, 3, 4], [0, 1, 2])).toEqual([1, 1, 1, 24]); // identity
    expect(swapGroups([8, 112, 112, 16], [3, 1, 2, 0])).toBeNull(); // three groups reversed: stock
    expect(swapGroups([2, 3, 4], [2, 1, 0])).toBeNull(); // a full reversal: stock
  });

  const cases: Array<{ shape: number[]; perm: number[] }> = [
    { shape: [4096, 392], perm: [1, 0] }, // the fusion conv's input gradient
    { shape: [37, 21], perm: [1, 0] }, // ragged tiles
    { shape: [448, 56, 2, 32], perm: [0, 2, 1, 3] }, // a stride-2 input gradient's phase interleave
    { shape: [8, 56, 56, 32], perm: [1, 2, 0, 3] }, // the filter gradient's batch-to-channel move
    { shape: [5, 9, 11, 3], perm: [0, 2, 1, 3] }, // small K: element loop
    { shape: [3, 13, 17], perm: [0, 2, 1] },
    { shape: [6, 7, 20], perm: [1, 0, 2] }, // K ≥ 16: memmove per block
    { shape: [2, 1, 4, 3], perm: [2, 1, 0, 3] },
    { shape: [4, 1, 6], perm: [1, 0, 2] }, // only a size-1 axis moves: a copy
    { shape: [8, 12, 10, 16], perm: [3, 1, 2, 0] }, // stock path
    { shape: [2, 3, 4, 5], perm: [2, 0, 3, 1] }, // stock path
  ];
  for (const c of cases) {
    it(`${c.shape.join('×')} perm ${JSON.stringify(c.perm)} equals the cpu backend exactly`, async () => {
      const size = c.shape.reduce((a, b) => a * b, 1);
      const shapes: number[][] = [];
      const r = await onBackends(['wasm', 'cpu'], () => {
        const t = tf.transpose(tf.tensor(seededData(size, 11), c.shape), c.perm);
        shapes.push(t.shape);
        return [t];
      });
      expect(shapes[0]).toEqual(shapes[1]);
      expect(Array.from(r.wasm![0]!)).toEqual(Array.from(r.cpu![0]!));
    });
  }

  it('int32 and bool tensors move too', async () => {
    await tf.setBackend('wasm');
    const i = tf.transpose(tf.tensor3d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [2, 3, 2], 'int32'), [0, 2, 1]);
    expect(i.dtype).toBe('int32');
    expect(Array.from(i.dataSync())).toEqual([1, 3, 5, 2, 4, 6, 7, 9, 11, 8, 10, 12]);
    const b = tf.transpose(tf.tensor2d([true, false, false, true, true, false], [2, 3], 'bool'));
    expect(b.dtype).toBe('bool');
    expect(Array.from(b.dataSync())).toEqual([1, 1, 0, 1, 0, 0]);
  });
});
