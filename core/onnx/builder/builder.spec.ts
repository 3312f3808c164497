/** The graph builder on its own: hand-built graphs run by onnxruntime, float16 storage, padding rule. */
import { describe, expect, it } from 'vitest';
import { ModelError } from '../../errors';
import { OnnxSession, hostTensor } from '../runtime';
import { float16BitsToFloat32, float32ToFloat16Bits } from '../../numeric/float16';
import { GraphBuilder } from './graph';
import { conv, tfPads2d } from './ops';

describe('tfPads2d', () => {
  it("follows TF 'same': at stride 2 on an even input the extra row/column is bottom/right", () => {
    expect(tfPads2d('same', 8, 8, 3, 3, [2, 2])).toEqual([0, 0, 1, 1]);
    expect(tfPads2d('same', 7, 7, 3, 3, [2, 2])).toEqual([1, 1, 1, 1]);
    expect(tfPads2d('same', 8, 8, 3, 3, [1, 1])).toEqual([1, 1, 1, 1]);
    expect(tfPads2d('same', 8, 8, 4, 4, [1, 1])).toEqual([1, 1, 2, 2]);
    expect(tfPads2d('valid', 8, 8, 3, 3, [2, 2])).toEqual([0, 0, 0, 0]);
  });
});

describe('float16', () => {
  it('round-trips exactly representable values and rounds others to nearest', () => {
    for (const v of [0, 1, -2, 0.5, 65504, 2 ** -24, -0.25]) expect(float16BitsToFloat32(float32ToFloat16Bits(v))).toBe(v);
    expect(float16BitsToFloat32(float32ToFloat16Bits(1 + 2 ** -11))).toBe(1); // tie → even
    expect(float16BitsToFloat32(float32ToFloat16Bits(1e6))).toBe(Infinity);
    const x = 0.1234567;
    expect(Math.abs(float16BitsToFloat32(float32ToFloat16Bits(x)) - x)).toBeLessThan(x * 2 ** -11);
  });
});

describe('GraphBuilder', () => {
  function sumConvModel(float16: boolean): Uint8Array {
    // y = Conv(x, w) with w = all ones 3×3 and TF stride-2 'same' pads: each output sums its window.
    const g = new GraphBuilder('sum');
    const x = g.input('x', 'float32', ['N', 1, 4, 4]);
    const w = g.initializer('w', 'float32', [1, 1, 3, 3], new Float32Array(9).fill(1), { float16 });
    g.output('y', conv(g, x, w, undefined, { strides: [2, 2], pads: tfPads2d('same', 4, 4, 3, 3, [2, 2]) }), 'float32', ['N', 1, 2, 2]);
    return g.serialize();
  }

  it('builds a model onnxruntime runs, with asymmetric explicit pads', async () => {
    for (const f16 of [false, true]) {
      const s = await OnnxSession.create(sumConvModel(f16));
      const x = Float32Array.from({ length: 16 }, (_, i) => i);
      const { y } = await s.run({ x: hostTensor('float32', x, [1, 1, 4, 4]) });
      // Windows start at rows/cols 0 and 2; the bottom/right window is padded (row/col 4 = 0).
      const win = (r: number, c: number) => [0, 1, 2].flatMap((i) => [0, 1, 2].map((j) => (r + i < 4 && c + j < 4 ? x[(r + i) * 4 + c + j]! : 0))).reduce((a, b) => a + b);
      expect(Array.from(y!.data as Float32Array)).toEqual([win(0, 0), win(0, 2), win(2, 0), win(2, 2)]);
      expect(s.inputs[0]).toMatchObject({ name: 'x', shape: ['N', 1, 4, 4] });
      await s.dispose();
    }
  });

  it('a truncated model is a ModelError naming the model', async () => {
    const bytes = sumConvModel(false);
    await expect(OnnxSession.create(bytes.slice(0, bytes.length - 20), { label: 'encoder.onnx' }))
      .rejects.toSatisfy((e: unknown) => e instanceof ModelError && /encoder\.onnx/.test((e as Error).message));
  });
});
