/**
 * Turns two traces of the same TF.js function (recorded at two batch sizes) into one ONNX graph
 * with a symbolic batch dimension 'N'. Dimensions that differ between the traces are the batch
 * ones; a Reshape whose target differs gets -1 there, a Slice running to the end of a batch-sized
 * axis gets an open end. Anything else that depends on the batch size is refused with the op named.
 *
 * Layout: TF.js tensors are NHWC. A 4-D value produced by Conv/Pool/Resize is kept in NCHW
 * ("lazily transposed") and flows through elementwise ops, channel concatenation and spatial
 * reductions as is; it is transposed back to NHWC only where an op needs the TF layout (Reshape,
 * Transpose, MatMul, …) or at a graph output. A plain CNN therefore gets one Transpose after the
 * input and one before its output.
 */
import { A, GraphBuilder, type Dim } from '../builder/graph';
import { NCHW_TO_NHWC, NHWC_TO_NCHW, transpose, unsqueeze } from '../builder/ops';
import { ONNX_DTYPE, type OnnxDType } from '../builder/proto';
import type { Trace, TraceConstant, TraceOp, TraceTensor } from './record';
import { KERNELS } from './kernels';
import { UnsupportedOpError, onnxType } from './errors';

export { UnsupportedOpError, onnxType };

interface Val { name: string; nchw: boolean; plainCache?: string; nchwCache?: string }


export interface ConvertOptions {
  /** Store float weights as float16 (halves the file; no longer bit-parity with TF.js). */
  float16?: boolean;
  /** Graph input dtypes to declare instead of the traced one (e.g. int64 tokens cast to int32). */
  inputTypes?: Record<string, OnnxDType>;
  /**
   * Inputs whose batch axis may be 1 or N: broadcast (ONNX Expand) to the batch size of another
   * input before use — e.g. one query's tokens [1, T] against N frames' features.
   */
  broadcastBatch?: Record<string, string>;
  /** Initializer names by tensor id (a model's weight names instead of engine variable names). */
  constantNames?: ReadonlyMap<number, string>;
}


function symbolicDims(a: readonly number[], b: readonly number[]): Dim[] {
  return a.map((d, i) => (d === b[i] ? d : 'N'));
}

export class Converter {
  readonly vals = new Map<number, Val>();
  /** The op of trace B matching the op being converted. */
  opB!: TraceOp;
  private readonly constsB: TraceConstant[];

  constructor(readonly g: GraphBuilder, readonly a: Trace, readonly b: Trace, readonly opts: ConvertOptions = {}) {
    this.constsB = [...b.constants.values()].sort((x, y) => x.order - y.order);
  }

  /** The traced batch sizes differ: which dims of a tensor in trace A are batch-dependent. */
  batchAxes(ta: TraceTensor, tb: TraceTensor): number[] {
    return ta.shape.flatMap((d, i) => (d !== tb.shape[i] ? [i] : []));
  }

  private constVal(c: TraceConstant): Val {
    const cb = this.constsB[c.order];
    if (!cb || cb.shape.join(',') !== c.shape.join(',')) {
      throw new UnsupportedOpError(`constant ${c.variable ?? `#${c.order}`} [${c.shape}] depends on the batch size (build it from the input's shape instead)`);
    }
    const stem = this.constantStem(c, 'const');
    const dt = onnxType(c.dtype);
    const data = c.dtype === 'int32' ? (c.values as Int32Array) : c.dtype === 'bool' ? (c.values as Uint8Array) : (c.values as Float32Array);
    const name = this.g.initializer(stem, dt, c.shape, data, { float16: this.opts.float16 && dt === 'float32' && c.values.length > 16 });
    const v: Val = { name, nchw: false };
    this.vals.set(c.id, v);
    return v;
  }

  /**
   * The stem of an initializer made from constant c: the model's weight name (constantNames), else
   * the engine variable's, else `fallback`. Not the engine's numeric variable names alone: they
   * count up within a process, so a second export of the same model in one process would differ.
   */
  constantStem(c: TraceConstant, fallback: string): string {
    return (this.opts.constantNames?.get(c.id) ?? c.variable ?? fallback).replace(/[^A-Za-z0-9_.]/g, '_');
  }

  /** The current ONNX value of a traced tensor and whether it is held in NCHW. */
  value(t: TraceTensor): Val { return this.val(t); }

  private val(t: TraceTensor): Val {
    const v = this.vals.get(t.id);
    if (v) return v;
    const c = this.a.constants.get(t.id);
    if (!c) throw new Error(`tensor #${t.id} [${t.shape}] used before it was produced`);
    return this.constVal(c);
  }

  constant(t: TraceTensor): TraceConstant | undefined { return this.a.constants.get(t.id); }
  /** Whether the value is held in NCHW (never true for a constant; does not emit the constant). */
  isNchw(t: TraceTensor): boolean { return this.vals.get(t.id)?.nchw ?? false; }

  /** The value in TF's own layout. */
  plain(t: TraceTensor): string {
    const v = this.val(t);
    if (!v.nchw) return v.name;
    v.plainCache ??= transpose(this.g, v.name, NCHW_TO_NHWC);
    return v.plainCache;
  }

  /** A 4-D NHWC value in NCHW layout. Constants are permuted at export time. */
  nchw(t: TraceTensor): string {
    if (t.shape.length !== 4) throw new Error(`expected a 4-D tensor, got [${t.shape}]`);
    const c = this.vals.has(t.id) ? undefined : this.constant(t);
    if (c && c.dtype === 'float32') return this.cachedConst4(c, c.shape);
    const v = this.val(t);
    if (v.nchw) return v.name;
    if (v.nchwCache) return v.nchwCache;
    {
      v.nchwCache = transpose(this.g, v.name, NHWC_TO_NCHW);
    }
    return v.nchwCache;
  }

  /**
   * An operand to combine elementwise with an NCHW value: TF broadcasting aligns shapes on the
   * right, so a rank-r operand is first padded to rank 4 with leading 1s, then permuted.
   */
  broadcastNchw(t: TraceTensor): string {
    const r = t.shape.length;
    if (r === 4) return this.nchw(t);
    const c = this.vals.has(t.id) || r === 0 ? undefined : this.constant(t);
    if (c && c.dtype === 'float32') return this.cachedConst4(c, [...Array(4 - r).fill(1), ...c.shape] as number[]);
    const v = this.val(t);
    if (v.nchw || r === 0) return v.name;
    const padded = unsqueeze(this.g, v.name, Array.from({ length: 4 - r }, (_, i) => i));
    return transpose(this.g, padded, NHWC_TO_NCHW);
  }

  private const4 = new Map<number, string>();
  private cachedConst4(c: TraceConstant, shape4: number[]): string {
    const hit = this.const4.get(c.id);
    if (hit) return hit;
    const [n, h, w, ch] = shape4 as [number, number, number, number];
    const src = c.values as Float32Array;
    const out = new Float32Array(src.length);
    for (let i = 0; i < n; i++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < ch; k++) {
      out[((i * ch + k) * h + y) * w + x] = src[((i * h + y) * w + x) * ch + k]!;
    }
    const name = this.g.initializer(`${this.constantStem(c, 'const')}_bc`, 'float32', [n, ch, h, w], out, { float16: this.opts.float16 && out.length > 16 });
    this.const4.set(c.id, name);
    return name;
  }

  set(t: TraceTensor, name: string, nchw = false): void {
    this.vals.set(t.id, { name, nchw });
    this.g.dtypes.set(name, onnxType(t.dtype));
  }

  /** Converts the whole trace: inputs, every op in order, outputs. */
  run(): void {
    for (const [name, ta] of Object.entries(this.a.inputs)) {
      const tb = this.b.inputs[name]!;
      const declared = this.opts.inputTypes?.[name] ?? onnxType(ta.dtype);
      const dims = symbolicDims(ta.shape, tb.shape);
      const like = this.opts.broadcastBatch?.[name];
      let value = this.g.input(name, declared, like ? ['Q', ...dims.slice(1)] : dims);
      const traced = onnxType(ta.dtype);
      if (declared !== traced) value = this.g.op('Cast', [value], { to: A.i(ONNX_DTYPE[traced]) }, { dtype: traced });
      if (like) {
        if (!this.a.inputs[like]) throw new Error(`broadcastBatch: no input ${like}`);
        const n = this.g.op('Slice', [this.g.op('Shape', [like], {}, { dtype: 'int64' }), this.g.int64s([0]), this.g.int64s([1])], {}, { dtype: 'int64' });
        const shape = this.g.op('Concat', [n, this.g.int64s(ta.shape.slice(1))], { axis: A.i(0) }, { dtype: 'int64' });
        value = this.g.op('Expand', [value, shape], {}, { dtype: traced });
      }
      this.set(ta, value);
    }
    if (this.a.ops.length !== this.b.ops.length) {
      throw new UnsupportedOpError(`the forward pass runs ${this.a.ops.length} kernels at one batch size and ${this.b.ops.length} at another`);
    }
    this.a.ops.forEach((op, i) => {
      const opB = this.b.ops[i]!;
      if (opB.kernel !== op.kernel) throw new UnsupportedOpError(`kernel ${i} is ${op.kernel} at one batch size and ${opB.kernel} at another`);
      const handler = KERNELS[op.kernel];
      if (!handler) throw new UnsupportedOpError(`TF.js kernel ${op.kernel} has no ONNX export (op ${i})`);
      this.opB = opB;
      try {
        handler(this, op);
      } catch (err) {
        if (err instanceof UnsupportedOpError) throw err;
        throw new UnsupportedOpError(`exporting ${op.kernel} (op ${i}, inputs ${op.inputs.map((x) => `[${x.tensor.shape}]`).join(' ')}): ${(err as Error).message}`);
      }
    });
    for (const [name, ta] of Object.entries(this.a.outputs)) {
      const tb = this.b.outputs[name]!;
      this.g.output(name, this.plain(ta), onnxType(ta.dtype), symbolicDims(ta.shape, tb.shape));
    }
  }
}

/** Builds the ONNX graph of a function traced at two batch sizes. */
export function convertTraces(name: string, a: Trace, b: Trace, opts: ConvertOptions = {}): GraphBuilder {
  const g = new GraphBuilder(name);
  new Converter(g, a, b, opts).run();
  return g;
}
