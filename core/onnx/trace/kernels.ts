/**
 * TF.js kernel → ONNX node mappings: elementwise and tensor-shape kernels. Neural-network kernels
 * (Conv, Pool, Resize, BatchNorm, MatMul) are in kernelsNn.ts. Each handler reads the traced op
 * (shapes of trace A; the matching op of trace B in cv.opB for batch-dependent attributes).
 */
import { A, tensorProto, type AttrValue } from '../builder/graph';
import { cast, reduce, squeeze, unsqueeze } from '../builder/ops';
import type { OnnxDType } from '../builder/proto';
import type { Converter } from './convert';
import { UnsupportedOpError, onnxType } from './errors';
import type { TraceOp, TraceTensor } from './record';
import { NN_KERNELS } from './kernelsNn';

export type KernelHandler = (cv: Converter, op: TraceOp) => void;

/** Logical NHWC axis j of a 4-D tensor sits at this axis in NCHW storage. */
export const STORED_AXIS = [0, 2, 3, 1];
const INT64_MAX = Number.MAX_SAFE_INTEGER;

export function input(op: TraceOp, i = 0): TraceTensor {
  const x = op.inputs[i];
  if (!x) throw new Error(`${op.kernel}: missing input ${i}`);
  return x.tensor;
}
export function named(op: TraceOp, key: string): TraceTensor | undefined {
  return op.inputs.find((x) => x.key === key)?.tensor;
}
export function output(op: TraceOp, i = 0): TraceTensor {
  const t = op.outputs[i];
  if (!t) throw new Error(`${op.kernel}: missing output ${i}`);
  return t;
}
function norm(axis: number, rank: number): number { return axis < 0 ? axis + rank : axis; }
function axesOf(v: unknown, rank: number): number[] {
  if (v == null) return Array.from({ length: rank }, (_, i) => i);
  return (Array.isArray(v) ? v : [v]).map((a) => norm(Number(a), rank));
}

/** Elementwise op keeping the operand's layout. */
function unary(onnxOp: string, attrs: Record<string, AttrValue> = {}): KernelHandler {
  return (cv, op) => {
    const x = input(op);
    const v = cv.value(x);
    cv.set(output(op), cv.g.op(onnxOp, [v.name], attrs), v.nchw);
  };
}

/** Elementwise binary op with TF broadcasting; stays NCHW if either operand is. */
function binary(onnxOp: string, outDtype?: OnnxDType): KernelHandler {
  return (cv, op) => {
    const [a, b] = [input(op, 0), input(op, 1)];
    const out = output(op);
    const lazy = out.shape.length === 4 && (cv.isNchw(a) || cv.isNchw(b));
    const names = lazy ? [cv.broadcastNchw(a), cv.broadcastNchw(b)] : [cv.plain(a), cv.plain(b)];
    cv.set(out, cv.g.op(onnxOp, names, {}, outDtype ? { dtype: outDtype } : {}), lazy);
  };
}

function composite(build: (cv: Converter, x: string) => string): KernelHandler {
  return (cv, op) => {
    const v = cv.value(input(op));
    cv.set(output(op), build(cv, v.name), v.nchw);
  };
}

const scalar = (cv: Converter, v: number) => cv.g.scalar(v);

function reduction(onnxKind: 'Sum' | 'Mean' | 'Max' | 'Min' | 'Prod', axisAttr: string): KernelHandler {
  return (cv, op) => {
    const x = input(op);
    const rank = x.shape.length;
    const axes = axesOf(op.attrs[axisAttr], rank);
    const keep = op.attrs.keepDims === true;
    const v = cv.value(x);
    if (v.nchw && (keep || (axes.includes(1) && axes.includes(2)))) {
      // Kept NCHW; without keepDims the surviving axes (N, C) are in the same order either way.
      cv.set(output(op), reduce(cv.g, onnxKind, v.name, axes.map((a) => STORED_AXIS[a]!).sort(), keep), keep);
      return;
    }
    if (axes.length === 0) { cv.set(output(op), cv.g.op('Identity', [cv.plain(x)])); return; }
    cv.set(output(op), reduce(cv.g, onnxKind, cv.plain(x), axes, keep));
  };
}

function reshape(cv: Converter, op: TraceOp): void {
  const out = output(op);
  const batch = cv.batchAxes(out, output(cv.opB));
  if (batch.length > 1) throw new UnsupportedOpError(`Reshape to [${out.shape}] puts the batch size in ${batch.length} dimensions`);
  const x = input(op);
  if (x.shape.join() === out.shape.join()) {
    // A no-op reshape (tf.batchNorm's as4D, for one): keep the value and its layout.
    const v = cv.value(x);
    cv.set(out, v.name, v.nchw);
    return;
  }
  const target = out.shape.map((d, i) => (batch.includes(i) ? -1 : d));
  cv.set(out, cv.g.op('Reshape', [cv.plain(x), cv.g.int64s(target)]));
}

function transposeKernel(cv: Converter, op: TraceOp): void {
  const x = input(op);
  const perm = (op.attrs.perm as number[]).map((p) => norm(p, x.shape.length));
  const v = cv.value(x);
  // Logical axis p of an NCHW-held tensor is stored at STORED_AXIS[p]: fold the two transposes.
  const stored = v.nchw ? perm.map((p) => STORED_AXIS[p]!) : perm;
  cv.set(output(op), cv.g.op('Transpose', [v.name], { perm: A.ints(stored) }));
}

function concat(cv: Converter, op: TraceOp): void {
  const out = output(op);
  const rank = out.shape.length;
  const axis = norm(Number(op.attrs.axis ?? 0), rank);
  const ins = op.inputs.map((x) => x.tensor);
  if (rank === 4 && axis === 3 && ins.some((t) => cv.isNchw(t))) {
    cv.set(out, cv.g.op('Concat', ins.map((t) => cv.nchw(t)), { axis: A.i(1) }), true);
    return;
  }
  cv.set(out, cv.g.op('Concat', ins.map((t) => cv.plain(t)), { axis: A.i(axis) }));
}

function pack(cv: Converter, op: TraceOp): void {
  const out = output(op);
  const axis = norm(Number(op.attrs.axis ?? 0), out.shape.length);
  const parts = op.inputs.map((x) => unsqueeze(cv.g, cv.plain(x.tensor), [axis]));
  cv.set(out, parts.length === 1 ? parts[0]! : cv.g.op('Concat', parts, { axis: A.i(axis) }));
}

function unpack(cv: Converter, op: TraceOp): void {
  const x = input(op);
  const axis = norm(Number(op.attrs.axis ?? 0), x.shape.length);
  const n = op.outputs.length;
  const parts = n === 1 ? [cv.plain(x)] : cv.g.node('Split', [cv.plain(x)], { axis: A.i(axis) }, { outputs: n });
  parts.forEach((p, i) => cv.set(output(op, i), squeeze(cv.g, p, [axis])));
}

function splitV(cv: Converter, op: TraceOp): void {
  const x = input(op);
  const axis = norm(Number(op.attrs.axis ?? 0), x.shape.length);
  if (cv.batchAxes(x, input(cv.opB)).includes(axis)) throw new UnsupportedOpError('split along the batch axis');
  const sizes = op.outputs.map((o) => o.shape[axis]!);
  const parts = cv.g.node('Split', [cv.plain(x), cv.g.int64s(sizes)], { axis: A.i(axis) }, { outputs: sizes.length });
  parts.forEach((p, i) => cv.set(output(op, i), p));
}

/** Slice bounds per axis; an axis sliced whole gets an open end so it may be the batch axis. */
function sliceBounds(cv: Converter, op: TraceOp, begin: number[], count: (axis: number) => number, strides: number[]): { starts: number[]; ends: number[] } {
  const x = input(op);
  const xb = input(cv.opB);
  const batch = cv.batchAxes(x, xb);
  const ends = begin.map((b, i) => {
    const whole = b === 0 && strides[i] === 1 && count(i) === x.shape[i];
    if (whole) return INT64_MAX;
    if (batch.includes(i)) throw new UnsupportedOpError(`slice of part of the batch axis ${i}`);
    return b + count(i) * strides[i]! - (strides[i]! > 0 ? strides[i]! - 1 : strides[i]! + 1);
  });
  return { starts: begin, ends };
}

function slice(cv: Converter, op: TraceOp): void {
  const x = input(op);
  const out = output(op);
  const begin = (op.attrs.begin as number[]).map((b, i) => norm(b, x.shape[i]!));
  const strides = begin.map(() => 1);
  const { starts, ends } = sliceBounds(cv, op, begin, (i) => out.shape[i]!, strides);
  const axes = starts.map((_, i) => i);
  cv.set(out, cv.g.op('Slice', [cv.plain(x), cv.g.int64s(starts), cv.g.int64s(ends), cv.g.int64s(axes)]));
}

function stridedSlice(cv: Converter, op: TraceOp): void {
  const x = input(op);
  const at = op.attrs as Record<string, number | number[]>;
  if (at.ellipsisMask || at.newAxisMask) throw new UnsupportedOpError('stridedSlice with ellipsis or new-axis masks');
  const rank = x.shape.length;
  const strides = Array.from({ length: rank }, (_, i) => (at.strides as number[])[i] ?? 1);
  if (strides.some((s) => s <= 0)) throw new UnsupportedOpError('stridedSlice with non-positive strides');
  const begin: number[] = []; const count: number[] = [];
  for (let i = 0; i < rank; i++) {
    const dim = x.shape[i]!;
    const shrink = ((at.shrinkAxisMask as number) >> i) & 1;
    let b = ((at.beginMask as number) >> i) & 1 ? 0 : norm((at.begin as number[])[i] ?? 0, dim);
    let e = ((at.endMask as number) >> i) & 1 ? dim : norm((at.end as number[])[i] ?? dim, dim);
    b = Math.min(Math.max(b, 0), dim); e = shrink ? b + 1 : Math.min(Math.max(e, 0), dim);
    begin.push(b); count.push(Math.max(0, Math.ceil((e - b) / strides[i]!)));
  }
  const { starts, ends } = sliceBounds(cv, op, begin, (i) => count[i]!, strides);
  let y = cv.g.op('Slice', [cv.plain(x), cv.g.int64s(starts), cv.g.int64s(ends), cv.g.int64s(starts.map((_, i) => i)), cv.g.int64s(strides)]);
  const shrinkAxes = Array.from({ length: rank }, (_, i) => i).filter((i) => ((at.shrinkAxisMask as number) >> i) & 1);
  if (shrinkAxes.length) y = squeeze(cv.g, y, shrinkAxes);
  cv.set(output(op), y);
}

function pad(cv: Converter, op: TraceOp): void {
  const x = input(op);
  const paddings = op.attrs.paddings as [number, number][];
  const mode = op.kernel === 'MirrorPad' ? String(op.attrs.mode) : 'constant';
  if (mode === 'symmetric') throw new UnsupportedOpError('MirrorPad symmetric has no ONNX equivalent');
  const v = cv.value(x);
  const order = v.nchw ? [0, 3, 1, 2] : paddings.map((_, i) => i); // stored axis k holds logical order[k]
  const pads = [...order.map((k) => paddings[k]![0]), ...order.map((k) => paddings[k]![1])];
  const ins = [v.name, cv.g.int64s(pads)];
  if (mode === 'constant') ins.push(cv.g.scalar(Number(op.attrs.constantValue ?? 0)));
  cv.set(output(op), cv.g.op('Pad', ins, { mode: A.s(mode === 'reflect' ? 'reflect' : 'constant') }), v.nchw);
}

function gather(cv: Converter, op: TraceOp): void {
  if (Number(op.attrs.batchDims ?? 0) !== 0) throw new UnsupportedOpError('gather with batchDims');
  const x = input(op);
  const axis = norm(Number(op.attrs.axis ?? 0), x.shape.length);
  cv.set(output(op), cv.g.op('Gather', [cv.plain(x), cv.plain(input(op, 1))], { axis: A.i(axis) }));
}

function castKernel(cv: Converter, op: TraceOp): void {
  const v = cv.value(input(op));
  cv.set(output(op), cast(cv.g, v.name, onnxType(String(op.attrs.dtype))), v.nchw);
}

function argReduce(kind: 'ArgMax' | 'ArgMin'): KernelHandler {
  return (cv, op) => {
    const x = input(op);
    const axis = norm(Number(op.attrs.axis ?? 0), x.shape.length);
    const idx = cv.g.op(kind, [cv.plain(x)], { axis: A.i(axis), keepdims: A.i(0) }, { dtype: 'int64' });
    cv.set(output(op), cast(cv.g, idx, 'int32'));
  };
}

function oneHot(cv: Converter, op: TraceOp): void {
  const dt = onnxType(String(op.attrs.dtype ?? 'int32'));
  const vals = [Number(op.attrs.offValue ?? 0), Number(op.attrs.onValue ?? 1)];
  const values = dt === 'float32' ? cv.g.initializer('onehot_values', 'float32', [2], Float32Array.from(vals))
    : cv.g.initializer('onehot_values', 'int32', [2], Int32Array.from(vals));
  const depth = cv.g.int64s([Number(op.attrs.depth)]);
  cv.set(output(op), cv.g.op('OneHot', [cv.plain(input(op)), depth, values], { axis: A.i(-1) }, { dtype: dt }));
}

function likeKernel(value: number): KernelHandler {
  return (cv, op) => {
    const x = input(op);
    const dt = onnxType(x.dtype);
    const data = dt === 'float32' ? Float32Array.of(value) : dt === 'int32' ? Int32Array.of(value) : Uint8Array.of(value);
    const t = tensorProto('value', dt, [1], data);
    const shape = cv.g.op('Shape', [cv.plain(x)], {}, { dtype: 'int64' });
    cv.set(output(op), cv.g.op('ConstantOfShape', [shape], { value: { kind: 't', v: t } }, { dtype: dt }));
  };
}

function tile(cv: Converter, op: TraceOp): void {
  const reps = op.attrs.reps as number[];
  if ((cv.opB.attrs.reps as number[]).join() !== reps.join()) throw new UnsupportedOpError('tile repetitions depend on the batch size');
  cv.set(output(op), cv.g.op('Tile', [cv.plain(input(op)), cv.g.int64s(reps)]));
}

function softmaxKernel(onnxOp: 'Softmax' | 'LogSoftmax'): KernelHandler {
  return (cv, op) => {
    const x = input(op);
    const axis = norm(Number(op.attrs.dim ?? op.attrs.axis ?? -1), x.shape.length);
    cv.set(output(op), cv.g.op(onnxOp, [cv.plain(x)], { axis: A.i(axis) }));
  };
}

function addN(cv: Converter, op: TraceOp): void {
  const ins = op.inputs.map((x) => x.tensor);
  const lazy = ins.some((t) => cv.isNchw(t)) && output(op).shape.length === 4;
  const names = ins.map((t) => (lazy ? cv.broadcastNchw(t) : cv.plain(t)));
  cv.set(output(op), names.length === 1 ? cv.g.op('Identity', names) : cv.g.op('Sum', names), lazy);
}

function select(cv: Converter, op: TraceOp): void {
  const [c, a, b] = [input(op, 0), input(op, 1), input(op, 2)];
  cv.set(output(op), cv.g.op('Where', [cv.plain(c), cv.plain(a), cv.plain(b)], {}, { dtype: onnxType(a.dtype) }));
}

export const KERNELS: Record<string, KernelHandler> = {
  Identity: unary('Identity'),
  Relu: unary('Relu'),
  Sigmoid: unary('Sigmoid'),
  Tanh: unary('Tanh'),
  Exp: unary('Exp'),
  Log: unary('Log'),
  Sqrt: unary('Sqrt'),
  Abs: unary('Abs'),
  Neg: unary('Neg'),
  Floor: unary('Floor'),
  Ceil: unary('Ceil'),
  Round: unary('Round'),
  Sign: unary('Sign'),
  Erf: unary('Erf'),
  Sin: unary('Sin'),
  Cos: unary('Cos'),
  Reciprocal: unary('Reciprocal'),
  Softplus: unary('Softplus'),
  Elu: unary('Elu', { alpha: A.f(1) }),
  LeakyRelu: (cv, op) => unary('LeakyRelu', { alpha: A.f(Number(op.attrs.alpha ?? 0.2)) })(cv, op),
  LogicalNot: unary('Not'),
  Rsqrt: composite((cv, x) => cv.g.op('Reciprocal', [cv.g.op('Sqrt', [x])])),
  Square: composite((cv, x) => cv.g.op('Mul', [x, x])),
  Relu6: composite((cv, x) => cv.g.op('Clip', [x, scalar(cv, 0), scalar(cv, 6)])),
  Log1p: composite((cv, x) => cv.g.op('Log', [cv.g.op('Add', [x, scalar(cv, 1)])])),
  Expm1: composite((cv, x) => cv.g.op('Sub', [cv.g.op('Exp', [x]), scalar(cv, 1)])),
  ClipByValue: (cv, op) => composite((c, x) => c.g.op('Clip', [x, scalar(c, Number(op.attrs.clipValueMin)), scalar(c, Number(op.attrs.clipValueMax))]))(cv, op),
  Add: binary('Add'),
  Sub: binary('Sub'),
  Multiply: binary('Mul'),
  RealDiv: binary('Div'),
  Maximum: binary('Max'),
  Minimum: binary('Min'),
  Pow: binary('Pow'),
  Prelu: binary('PRelu'),
  SquaredDifference: (cv, op) => {
    binary('Sub')(cv, op);
    const out = output(op);
    const d = cv.value(out);
    cv.set(out, cv.g.op('Mul', [d.name, d.name]), d.nchw);
  },
  Equal: binary('Equal', 'bool'),
  Greater: binary('Greater', 'bool'),
  Less: binary('Less', 'bool'),
  GreaterEqual: binary('GreaterOrEqual', 'bool'),
  LessEqual: binary('LessOrEqual', 'bool'),
  LogicalAnd: binary('And', 'bool'),
  NotEqual: (cv, op) => {
    binary('Equal', 'bool')(cv, op);
    const out = output(op);
    const eq = cv.value(out);
    cv.set(out, cv.g.op('Not', [eq.name], {}, { dtype: 'bool' }), eq.nchw);
  },
  LogicalOr: binary('Or', 'bool'),
  AddN: addN,
  Select: select,
  Cast: castKernel,
  Reshape: reshape,
  ExpandDims: (cv, op) => {
    const out = output(op);
    cv.set(out, unsqueeze(cv.g, cv.plain(input(op)), [norm(Number(op.attrs.dim), out.shape.length)]));
  },
  Transpose: transposeKernel,
  Concat: concat,
  Pack: pack,
  Unpack: unpack,
  SplitV: splitV,
  GatherV2: gather,
  Slice: slice,
  StridedSlice: stridedSlice,
  PadV2: pad,
  MirrorPad: pad,
  Tile: tile,
  Mean: reduction('Mean', 'axis'),
  Sum: reduction('Sum', 'axis'),
  Prod: reduction('Prod', 'axis'),
  Max: reduction('Max', 'reductionIndices'),
  Min: reduction('Min', 'axis'),
  ArgMax: argReduce('ArgMax'),
  ArgMin: argReduce('ArgMin'),
  OneHot: oneHot,
  ZerosLike: likeKernel(0),
  OnesLike: likeKernel(1),
  Softmax: softmaxKernel('Softmax'),
  LogSoftmax: softmaxKernel('LogSoftmax'),
  ...NN_KERNELS,
};
