/**
 * Records a TF.js forward pass at kernel level. Every tfjs-core op reaches the backend through
 * `ENGINE.runKernel(kernelName, inputs, attrs)`; while recording, that method is wrapped so each
 * top-level kernel call is logged with its input tensors, attributes and output shapes, while the
 * real backend still computes the values (so shapes need no inference of our own, and the trace
 * doubles as the reference output).
 *
 * Tensors not produced by a recorded kernel and not graph inputs are constants (weights, scalars):
 * their values are read when first seen. A kernel whose inputs are all constants is folded: its
 * outputs become constants too (e.g. a transposed weight, tf.range, a one-hot table).
 */
import * as tf from '../../tf/tf';

export type TraceDType = 'float32' | 'int32' | 'bool';

export interface TraceTensor { id: number; shape: number[]; dtype: TraceDType }

export interface TraceConstant extends TraceTensor {
  values: Float32Array | Int32Array | Uint8Array;
  /** tf.Variable name when the constant is a weight. */
  variable?: string;
  /** Order of first appearance, used to match constants between two traces. */
  order: number;
}

export interface TraceOp {
  kernel: string;
  /** Named inputs in the kernel's own order (array-input kernels such as Concat use '0', '1', …). */
  inputs: { key: string; tensor: TraceTensor }[];
  attrs: Record<string, unknown>;
  outputs: TraceTensor[];
}

export interface Trace {
  inputs: Record<string, TraceTensor>;
  outputs: Record<string, TraceTensor>;
  ops: TraceOp[];
  constants: Map<number, TraceConstant>;
}

function describe(t: tf.Tensor): TraceTensor {
  return { id: t.id, shape: [...t.shape], dtype: t.dtype as TraceDType };
}

function snapshot(t: tf.Tensor, order: number): TraceConstant {
  if (t.dtype !== 'float32' && t.dtype !== 'int32' && t.dtype !== 'bool') throw new Error(`cannot export a ${t.dtype} constant`);
  const raw = t.dataSync();
  const values = t.dtype === 'float32' ? Float32Array.from(raw as Float32Array)
    : t.dtype === 'int32' ? Int32Array.from(raw as Int32Array) : Uint8Array.from(raw as Uint8Array);
  const c: TraceConstant = { ...describe(t), values, order };
  // Duck-typed: tfjs-core may be loaded twice (ESM and CJS), so instanceof is unreliable.
  const v = t as unknown as { trainable?: boolean; assign?: unknown; name?: string };
  if (typeof v.assign === 'function' && typeof v.name === 'string') c.variable = v.name;
  return c;
}

type RunKernel = (name: string, inputs: Record<string, tf.Tensor | null>, attrs?: Record<string, unknown>) => tf.Tensor | tf.Tensor[];

let recording = false;

/**
 * Runs `fn` on `inputs` and records its kernels. `fn` must be a pure function of its inputs and
 * captured weights (no data-dependent control flow: the trace is a straight-line program).
 * Returns the trace and the real outputs' values (for parity checks), and disposes what it made.
 */
export function recordTrace(
  inputs: Record<string, tf.Tensor>,
  fn: (inputs: Record<string, tf.Tensor>) => Record<string, tf.Tensor>,
): { trace: Trace; values: Record<string, Float32Array | Int32Array | Uint8Array> } {
  if (recording) throw new Error('recordTrace is not re-entrant');
  const engine = tf.engine() as unknown as { runKernel: RunKernel };
  const original = engine.runKernel;
  const produced = new Set<number>(Object.values(inputs).map((t) => t.id));
  const trace: Trace = { inputs: {}, outputs: {}, ops: [], constants: new Map() };
  for (const [name, t] of Object.entries(inputs)) trace.inputs[name] = describe(t);
  let depth = 0;

  const constantOf = (t: tf.Tensor): TraceConstant => {
    let c = trace.constants.get(t.id);
    if (!c) { c = snapshot(t, trace.constants.size); trace.constants.set(t.id, c); }
    return c;
  };

  engine.runKernel = function (this: unknown, name, kernelInputs, attrs) {
    if (depth > 0) return original.call(this, name, kernelInputs, attrs);
    const entries = Object.entries(kernelInputs).filter((e): e is [string, tf.Tensor] => e[1] != null);
    const folded = entries.every(([, t]) => !produced.has(t.id));
    if (folded) entries.forEach(([, t]) => constantOf(t));
    depth++;
    let result: tf.Tensor | tf.Tensor[];
    try {
      result = original.call(this, name, kernelInputs, attrs);
    } finally {
      depth--;
    }
    const outs = Array.isArray(result) ? result : [result];
    if (folded) {
      outs.forEach((t) => constantOf(t));
    } else {
      entries.forEach(([, t]) => { if (!produced.has(t.id)) constantOf(t); });
      outs.forEach((t) => produced.add(t.id));
      trace.ops.push({
        kernel: name,
        inputs: entries.map(([key, t]) => ({ key, tensor: describe(t) })),
        attrs: { ...(attrs ?? {}) },
        outputs: outs.map(describe),
      });
    }
    return result;
  };

  recording = true;
  const values: Record<string, Float32Array | Int32Array | Uint8Array> = {};
  try {
    tf.tidy(() => {
      const out = fn(inputs);
      for (const [name, t] of Object.entries(out)) {
        if (!produced.has(t.id)) throw new Error(`output ${name} does not depend on the graph inputs`);
        trace.outputs[name] = describe(t);
        values[name] = t.dataSync().slice() as Float32Array | Int32Array | Uint8Array;
      }
    });
  } finally {
    engine.runKernel = original;
    recording = false;
  }
  return { trace, values };
}
