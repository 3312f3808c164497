import { describe, expect, it } from 'vitest';
import { foldConvBn } from './imagenet';
import type { NamedArray } from './weightsFile';

describe('ImageNet import: batch-norm folding', () => {
  it('folded conv + bias equals conv followed by batch norm, and OIHW becomes HWIO', () => {
    // conv 1×2 kernel (kh=1, kw=2), 2 inputs, 2 outputs, OIHW.
    const W = [1, 2, 3, 4, /* o=1 */ -1, 0.5, 2, -3];
    const a = (name: string, shape: number[], data: number[]): [string, NamedArray] => [name, { name, shape, data: new Float32Array(data) }];
    const src = new Map([
      a('c.weight', [2, 2, 1, 2], W),
      a('b.weight', [2], [2, 0.5]),
      a('b.bias', [2], [0.1, -0.2]),
      a('b.running_mean', [2], [1, -1]),
      a('b.running_var', [2], [4, 0.25]),
    ]);
    const [kernel, bias] = foldConvBn(src, 'c', 'b', 'backbone.x', 'f.json');
    expect(kernel!.name).toBe('backbone.x.kernel');
    expect(kernel!.shape).toEqual([1, 2, 2, 2]);
    // x at the two kernel taps (w = 0, 1) for channels (i = 0, 1).
    const x = [[0.3, -1.2], [2.0, 0.7]]; // x[w][i]
    for (let o = 0; o < 2; o++) {
      let conv = 0;
      let folded = bias!.data[o]!;
      for (let w = 0; w < 2; w++) {
        for (let i = 0; i < 2; i++) {
          conv += W[((o * 2 + i) * 1 + 0) * 2 + w]! * x[w]![i]!;
          folded += kernel!.data[((0 * 2 + w) * 2 + i) * 2 + o]! * x[w]![i]!;
        }
      }
      const gamma = [2, 0.5][o]!;
      const beta = [0.1, -0.2][o]!;
      const mean = [1, -1][o]!;
      const variance = [4, 0.25][o]!;
      const bn = (gamma * (conv - mean)) / Math.sqrt(variance + 1e-5) + beta;
      expect(folded).toBeCloseTo(bn, 4);
    }
    expect(() => foldConvBn(src, 'c', 'missing', 't', 'f.json')).toThrow(/f\.json: ImageNet weights lack missing\.weight/);
  });
});
