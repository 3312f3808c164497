/**
 * Multiply-accumulates of a traced forward pass, counted from the kernels that dominate
 * (convolutions and matrix products), per batch item. Elementwise ops, softmax and pooling are
 * not counted, as in core/model/macs.ts, so the two figures can be compared.
 */
import type { Trace } from './record';

const prod = (xs: readonly number[]) => xs.reduce((a, b) => a * b, 1);

export function traceMacs(trace: Trace, batch: number): number {
  let total = 0;
  for (const op of trace.ops) {
    const out = op.outputs[0]?.shape ?? [];
    const get = (k: string) => op.inputs.find((x) => x.key === k)?.tensor.shape;
    switch (op.kernel) {
      case 'Conv2D': case 'FusedConv2D': {
        const f = get('filter')!;
        total += prod(out) * f[0]! * f[1]! * f[2]!;
        break;
      }
      case 'DepthwiseConv2dNative': case 'FusedDepthwiseConv2D': {
        const f = get('filter')!;
        total += prod(out) * f[0]! * f[1]!;
        break;
      }
      case 'BatchMatMul': case '_FusedMatMul': {
        const a = get('a')!;
        const k = op.attrs.transposeA ? a[a.length - 2]! : a[a.length - 1]!;
        total += prod(out) * k;
        break;
      }
      default:
    }
  }
  return total / batch;
}
