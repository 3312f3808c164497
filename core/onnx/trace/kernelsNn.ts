/**
 * TF.js kernel → ONNX node mappings for neural-network kernels: convolutions, pools, bilinear
 * resize, batch norm and matrix products. Window ops run on NCHW values (see convert.ts); their
 * padding is TF's own, computed by tfjs-core's conv_util and written as explicit ONNX pads — so
 * TF's asymmetric 'same' padding at stride 2 (extra row/column at the bottom/right) is exact.
 */
import * as tf from '../../tf/tf';
import { A } from '../builder/graph';
import { conv, depthwiseToOihw, hwioToOihw, pool, resizeBilinear, type Pads4 } from '../builder/ops';
import type { Converter } from './convert';
import { UnsupportedOpError } from './errors';
import type { KernelHandler } from './kernels';
import type { TraceOp, TraceTensor } from './record';

type Shape4 = [number, number, number, number];
const { computeConv2DInfo, computePool2DInfo } = tf.backend_util;

function inp(op: TraceOp, key: string): TraceTensor | undefined {
  return op.inputs.find((x) => x.key === key)?.tensor;
}
function req(op: TraceOp, key: string): TraceTensor {
  const t = inp(op, key);
  if (!t) throw new Error(`${op.kernel}: missing input ${key}`);
  return t;
}
function out(op: TraceOp): TraceTensor { return op.outputs[0]!; }

function padsOf(info: { padInfo: { top: number; left: number; bottom: number; right: number } }): Pads4 {
  const p = info.padInfo;
  return [p.top, p.left, p.bottom, p.right];
}

/** Applies a fused activation to a value (NCHW or plain alike; PReLU weights broadcast to it). */
function activate(cv: Converter, op: TraceOp, x: string, nchw: boolean): string {
  const act = String(op.attrs.activation ?? 'linear');
  switch (act) {
    case 'linear': return x;
    case 'relu': return cv.g.op('Relu', [x]);
    case 'relu6': return cv.g.op('Clip', [x, cv.g.scalar(0), cv.g.scalar(6)]);
    case 'sigmoid': return cv.g.op('Sigmoid', [x]);
    case 'elu': return cv.g.op('Elu', [x], { alpha: A.f(1) });
    case 'leakyrelu': return cv.g.op('LeakyRelu', [x], { alpha: A.f(Number(op.attrs.leakyreluAlpha ?? 0.2)) });
    case 'prelu': {
      const w = req(op, 'preluActivationWeights');
      return cv.g.op('PRelu', [x, nchw ? cv.broadcastNchw(w) : cv.plain(w)]);
    }
    default: throw new UnsupportedOpError(`fused activation ${act}`);
  }
}

/** Adds a bias: as Conv's B input when it is a constant per-channel vector, else by broadcasting. */
function convLike(cv: Converter, op: TraceOp, depthwise: boolean): void {
  const x = req(op, 'x');
  const filter = req(op, 'filter');
  const bias = inp(op, 'bias');
  if (op.attrs.dataFormat && op.attrs.dataFormat !== 'NHWC') throw new UnsupportedOpError(`${op.kernel} with dataFormat ${String(op.attrs.dataFormat)}`);
  const info = computeConv2DInfo(x.shape as Shape4, filter.shape as Shape4, op.attrs.strides as [number, number],
    (op.attrs.dilations ?? 1) as [number, number], op.attrs.pad as 'same', op.attrs.dimRoundingMode as 'floor' | undefined, depthwise);
  const fc = cv.constant(filter);
  let w: string;
  if (fc) {
    const t = depthwise ? depthwiseToOihw(fc.values as Float32Array, fc.shape) : hwioToOihw(fc.values as Float32Array, fc.shape);
    w = cv.g.initializer(`${cv.constantStem(fc, 'filter')}_oihw`, 'float32', t.dims, t.data, { float16: cv.opts.float16 });
  } else if (!depthwise) {
    w = cv.g.op('Transpose', [cv.plain(filter)], { perm: A.ints([3, 2, 0, 1]) });
  } else {
    throw new UnsupportedOpError('depthwise convolution with a computed (non-weight) filter');
  }
  const bc = bias ? cv.constant(bias) : undefined;
  const outC = out(op).shape[3]!;
  const biasIn = bc && bc.dtype === 'float32' && bc.values.length === outC && bc.shape.length <= 1
    ? cv.g.initializer(cv.constantStem(bc, 'bias'), 'float32', [outC], bc.values as Float32Array)
    : undefined;
  let y = conv(cv.g, cv.nchw(x), w, biasIn, {
    strides: [info.strideHeight, info.strideWidth],
    dilations: [info.dilationHeight, info.dilationWidth],
    pads: padsOf(info),
    group: depthwise ? x.shape[3]! : 1,
  });
  if (bias && !biasIn) y = cv.g.op('Add', [y, cv.broadcastNchw(bias)]);
  cv.set(out(op), activate(cv, op, y, true), true);
}

function poolKernel(kind: 'max' | 'avg'): KernelHandler {
  return (cv, op) => {
    const x = req(op, 'x');
    const info = computePool2DInfo(x.shape as Shape4, op.attrs.filterSize as [number, number], op.attrs.strides as [number, number],
      1, op.attrs.pad as 'same', op.attrs.dimRoundingMode as 'floor' | undefined);
    const y = pool(cv.g, kind, cv.nchw(x), [info.filterHeight, info.filterWidth], [info.strideHeight, info.strideWidth], padsOf(info));
    cv.set(out(op), y, true);
  };
}

function resize(mode: 'linear' | 'nearest'): KernelHandler {
  return (cv, op) => {
    const x = req(op, 'images');
    const [outH, outW] = op.attrs.size as [number, number];
    const align = op.attrs.alignCorners === true;
    const half = op.attrs.halfPixelCenters === true;
    if (mode === 'linear') {
      cv.set(out(op), resizeBilinear(cv.g, cv.nchw(x), 'N', x.shape[3]!, outH, outW, align, half), true);
      return;
    }
    // TF nearest: asymmetric + floor (or align_corners + round_prefer_ceil; half-pixel + round_prefer_ceil).
    const ctm = align ? 'align_corners' : half ? 'tf_half_pixel_for_nn' : 'asymmetric';
    const nearest = align || half ? 'round_prefer_ceil' : 'floor';
    const xn = cv.nchw(x);
    const n = cv.g.op('Slice', [cv.g.op('Shape', [xn], {}, { dtype: 'int64' }), cv.g.int64s([0]), cv.g.int64s([1])]);
    const sizes = cv.g.op('Concat', [n, cv.g.int64s([x.shape[3]!, outH, outW])], { axis: A.i(0) });
    cv.set(out(op), cv.g.op('Resize', [xn, '', '', sizes], { mode: A.s('nearest'), coordinate_transformation_mode: A.s(ctm), nearest_mode: A.s(nearest) }), true);
  };
}

/** Per-channel constant as [C,1,1] for an NCHW operand, [C] otherwise. */
function channelConst(cv: Converter, stem: string, data: Float32Array, nchw: boolean): string {
  return cv.g.initializer(stem, 'float32', nchw ? [data.length, 1, 1] : [data.length], data);
}

function batchNorm(cv: Converter, op: TraceOp): void {
  const x = req(op, 'x');
  const eps = Number(op.attrs.varianceEpsilon ?? 0.001);
  const params = ['mean', 'variance', 'scale', 'offset'].map((k) => inp(op, k));
  const consts = params.map((p) => (p ? cv.constant(p) : undefined));
  const C = x.shape[x.shape.length - 1]!;
  const v = cv.value(x);
  const foldable = params.every((p, i) => !p || (consts[i] && consts[i]!.values.length === C || consts[i]?.values.length === 1));
  if (foldable && params[0] && params[1]) {
    // y = (x − mean) · scale/√(var+ε) + offset, per channel, as the cpu kernel computes it.
    const get = (i: number, dflt: number) => (j: number) => {
      const c = consts[i];
      if (!c) return dflt;
      return c.values.length === 1 ? c.values[0]! : c.values[j]!;
    };
    const mean = get(0, 0), variance = get(1, 1), scale = get(2, 1), offset = get(3, 0);
    const a = new Float32Array(C), m = new Float32Array(C), b = new Float32Array(C);
    for (let j = 0; j < C; j++) { m[j] = mean(j); a[j] = scale(j) / Math.sqrt(variance(j) + eps); b[j] = offset(j); }
    const lazy = v.nchw && x.shape.length === 4;
    const xin = lazy ? v.name : cv.plain(x);
    const centred = cv.g.op('Sub', [xin, channelConst(cv, 'bn_mean', m, lazy)]);
    const scaled = cv.g.op('Mul', [centred, channelConst(cv, 'bn_scale', a, lazy)]);
    cv.set(out(op), cv.g.op('Add', [scaled, channelConst(cv, 'bn_offset', b, lazy)]), lazy);
    return;
  }
  const P = (t: TraceTensor | undefined) => (t ? cv.plain(t) : undefined);
  const [mean, variance, scale, offset] = params.map(P);
  let y = cv.g.op('Sub', [cv.plain(x), mean!]);
  const inv = cv.g.op('Reciprocal', [cv.g.op('Sqrt', [cv.g.op('Add', [variance!, cv.g.scalar(eps)])])]);
  y = cv.g.op('Mul', [y, scale ? cv.g.op('Mul', [inv, scale]) : inv]);
  if (offset) y = cv.g.op('Add', [y, offset]);
  cv.set(out(op), y);
}

function swapLast(cv: Converter, x: string, rank: number): string {
  const perm = Array.from({ length: rank }, (_, i) => i);
  [perm[rank - 1], perm[rank - 2]] = [perm[rank - 2]!, perm[rank - 1]!];
  return cv.g.op('Transpose', [x], { perm: A.ints(perm) });
}

function matMul(cv: Converter, op: TraceOp): void {
  const a = req(op, 'a');
  const b = req(op, 'b');
  let an = cv.plain(a);
  let bn = cv.plain(b);
  if (op.attrs.transposeA) an = swapLast(cv, an, a.shape.length);
  if (op.attrs.transposeB) bn = swapLast(cv, bn, b.shape.length);
  let y = cv.g.op('MatMul', [an, bn]);
  const bias = inp(op, 'bias');
  if (bias) y = cv.g.op('Add', [y, cv.plain(bias)]);
  cv.set(out(op), activate(cv, op, y, false));
}

export const NN_KERNELS: Record<string, KernelHandler> = {
  Conv2D: (cv, op) => convLike(cv, op, false),
  FusedConv2D: (cv, op) => convLike(cv, op, false),
  DepthwiseConv2dNative: (cv, op) => convLike(cv, op, true),
  FusedDepthwiseConv2D: (cv, op) => convLike(cv, op, true),
  MaxPool: poolKernel('max'),
  AvgPool: poolKernel('avg'),
  ResizeBilinear: resize('linear'),
  ResizeNearestNeighbor: resize('nearest'),
  FusedBatchNorm: batchNorm,
  BatchMatMul: matMul,
  _FusedMatMul: matMul,
};
