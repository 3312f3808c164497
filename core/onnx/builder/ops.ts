/**
 * Typed node helpers with TensorFlow semantics, on top of GraphBuilder. Layout convention: the
 * exported graphs keep TF.js's NHWC at their inputs and outputs; convolutions and pools run in
 * NCHW (ONNX's only layout for Conv/Pool) between one Transpose in and one Transpose out
 * (see core/onnx/export/README.md). Opset 13 semantics throughout.
 */
import { A, type GraphBuilder } from './graph';
import { ONNX_DTYPE, type OnnxDType } from './proto';

export type Pads4 = [top: number, left: number, bottom: number, right: number];

/**
 * TF's padding for a 2-D window op: 'valid' = none; 'same' = total padding
 * max((out−1)·stride + effectiveK − in, 0), the smaller half at the top/left — so at stride 2 with
 * an even input the single padded row/column is at the bottom/right only.
 */
export function tfPads2d(
  pad: 'same' | 'valid' | number | Pads4,
  inH: number, inW: number, kH: number, kW: number,
  strides: [number, number], dilations: [number, number] = [1, 1],
): Pads4 {
  if (Array.isArray(pad)) return pad;
  if (typeof pad === 'number') return [pad, pad, pad, pad];
  if (pad === 'valid') return [0, 0, 0, 0];
  const one = (inp: number, k: number, s: number, d: number): [number, number] => {
    const eff = (k - 1) * d + 1;
    const out = Math.ceil(inp / s);
    const total = Math.max((out - 1) * s + eff - inp, 0);
    const before = Math.floor(total / 2);
    return [before, total - before];
  };
  const [t, b] = one(inH, kH, strides[0], dilations[0]);
  const [l, r] = one(inW, kW, strides[1], dilations[1]);
  return [t, l, b, r];
}

/** TF conv filter [kH, kW, inC, outC] → ONNX Conv weight [outC, inC, kH, kW]. */
export function hwioToOihw(data: Float32Array, shape: readonly number[]): { data: Float32Array; dims: number[] } {
  const [kh, kw, ci, co] = shape as [number, number, number, number];
  const out = new Float32Array(data.length);
  for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) {
    out[((o * ci + i) * kh + y) * kw + x] = data[((y * kw + x) * ci + i) * co + o]!;
  }
  return { data: out, dims: [co, ci, kh, kw] };
}

/** TF depthwise filter [kH, kW, inC, mult] → grouped Conv weight [inC·mult, 1, kH, kW] (group = inC). */
export function depthwiseToOihw(data: Float32Array, shape: readonly number[]): { data: Float32Array; dims: number[] } {
  const [kh, kw, ci, m] = shape as [number, number, number, number];
  const out = new Float32Array(data.length);
  for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let c = 0; c < ci; c++) for (let j = 0; j < m; j++) {
    out[((c * m + j) * kh + y) * kw + x] = data[((y * kw + x) * ci + c) * m + j]!;
  }
  return { data: out, dims: [ci * m, 1, kh, kw] };
}

export const NHWC_TO_NCHW = [0, 3, 1, 2];
export const NCHW_TO_NHWC = [0, 2, 3, 1];

export function transpose(g: GraphBuilder, x: string, perm: readonly number[]): string {
  return g.op('Transpose', [x], { perm: A.ints(perm) });
}

export interface ConvOptions { strides: [number, number]; pads: Pads4; dilations?: [number, number]; group?: number }

/** Conv on NCHW input; ONNX pads order is [top, left, bottom, right]. */
export function conv(g: GraphBuilder, x: string, w: string, bias: string | undefined, o: ConvOptions): string {
  const [t, l, b, r] = o.pads;
  return g.op('Conv', bias ? [x, w, bias] : [x, w], {
    strides: A.ints(o.strides),
    pads: A.ints([t, l, b, r]),
    dilations: A.ints(o.dilations ?? [1, 1]),
    group: A.i(o.group ?? 1),
  });
}

export function pool(g: GraphBuilder, kind: 'max' | 'avg', x: string, kernel: [number, number], strides: [number, number], pads: Pads4): string {
  const [t, l, b, r] = pads;
  const attrs = { kernel_shape: A.ints(kernel), strides: A.ints(strides), pads: A.ints([t, l, b, r]) };
  // TF's AvgPool averages only over real (unpadded) pixels.
  return kind === 'max'
    ? g.op('MaxPool', [x], attrs)
    : g.op('AveragePool', [x], { ...attrs, count_include_pad: A.i(0) });
}

/**
 * Bilinear resize of an NCHW tensor with tf.image.resizeBilinear's coordinate rule:
 * alignCorners → 'align_corners'; halfPixelCenters → 'half_pixel'; neither (TF.js default) → 'asymmetric'.
 */
export function resizeBilinear(g: GraphBuilder, x: string, n: number | string, c: number, outH: number, outW: number, alignCorners: boolean, halfPixelCenters: boolean): string {
  const mode = alignCorners ? 'align_corners' : halfPixelCenters ? 'half_pixel' : 'asymmetric';
  let sizes: string;
  if (typeof n === 'number') sizes = g.int64s([n, c, outH, outW]);
  else sizes = g.op('Concat', [g.op('Slice', [g.op('Shape', [x], {}, { dtype: 'int64' }), g.int64s([0]), g.int64s([1])]), g.int64s([c, outH, outW])], { axis: A.i(0) });
  return g.op('Resize', [x, '', '', sizes], { mode: A.s('linear'), coordinate_transformation_mode: A.s(mode), nearest_mode: A.s('floor') });
}

export function cast(g: GraphBuilder, x: string, to: OnnxDType): string {
  return g.op('Cast', [x], { to: A.i(ONNX_DTYPE[to]) }, { dtype: to });
}

/** Opset 13: Squeeze/Unsqueeze/ReduceSum take axes as an input; ReduceMean/Max/Min/Prod as an attribute. */
export function unsqueeze(g: GraphBuilder, x: string, axes: readonly number[]): string {
  return g.op('Unsqueeze', [x, g.int64s(axes)]);
}
export function squeeze(g: GraphBuilder, x: string, axes: readonly number[]): string {
  return g.op('Squeeze', [x, g.int64s(axes)]);
}
export function reduce(g: GraphBuilder, kind: 'Sum' | 'Mean' | 'Max' | 'Min' | 'Prod', x: string, axes: readonly number[], keepDims: boolean): string {
  if (kind === 'Sum') return g.op('ReduceSum', [x, g.int64s(axes)], { keepdims: A.i(keepDims ? 1 : 0) });
  return g.op(`Reduce${kind}`, [x], { axes: A.ints(axes), keepdims: A.i(keepDims ? 1 : 0) });
}

export function reshape(g: GraphBuilder, x: string, shape: readonly number[]): string {
  return g.op('Reshape', [x, g.int64s(shape)]);
}

export function softmax(g: GraphBuilder, x: string, axis: number): string {
  return g.op('Softmax', [x], { axis: A.i(axis) });
}

/** Gemm on 2-D input: y = x·W + b, W stored [in, out] as TF dense kernels are. */
export function dense(g: GraphBuilder, x2d: string, w: string, b?: string): string {
  return g.op('Gemm', b ? [x2d, w, b] : [x2d, w], { alpha: A.f(1), beta: A.f(1) });
}
