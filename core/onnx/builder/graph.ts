/**
 * A small ONNX graph builder: value names in, value names out. Nodes are appended in execution
 * order (ONNX requires a topologically sorted graph, which a forward pass traced in order is).
 * Initializers are stored as raw little-endian bytes; float weights may be stored as float16 and
 * widened by a Cast node, which halves the shipped file.
 */
import type { onnx as OnnxNs } from 'onnx-proto';
import { DEFAULT_OPSET, IR_VERSION, ONNX_DTYPE, onnx, type OnnxDType } from './proto';
import { toFloat16Array } from '../../numeric/float16';

/** One attribute value, tagged because ONNX distinguishes int from float attributes. */
export type AttrValue =
  | { kind: 'i'; v: number }
  | { kind: 'f'; v: number }
  | { kind: 's'; v: string }
  | { kind: 'ints'; v: readonly number[] }
  | { kind: 'floats'; v: readonly number[] }
  | { kind: 't'; v: OnnxNs.ITensorProto };

export const A = {
  i: (v: number): AttrValue => ({ kind: 'i', v }),
  f: (v: number): AttrValue => ({ kind: 'f', v }),
  s: (v: string): AttrValue => ({ kind: 's', v }),
  ints: (v: readonly number[]): AttrValue => ({ kind: 'ints', v }),
  floats: (v: readonly number[]): AttrValue => ({ kind: 'floats', v }),
};

/** A dimension: a fixed size, or a symbolic name such as 'N' for the batch. */
export type Dim = number | string;

export interface ValueInfo { name: string; dtype: OnnxDType; dims: readonly Dim[] }

export type TensorData = Float32Array | Int32Array | BigInt64Array | Uint8Array;

export interface ModelOptions {
  opset?: number;
  producerName?: string;
  producerVersion?: string;
  docString?: string;
  /** Stored in ModelProto.metadata_props (readable by any ONNX tool). */
  metadata?: Record<string, string>;
}

const ATTR_TYPE = onnx.AttributeProto.AttributeType;

function bytesOf(data: TensorData | Uint16Array): Uint8Array {
  // Copy: the view may not start at offset 0 of its buffer. (This machine and ONNX are little-endian.)
  return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
}

export function tensorProto(name: string, dtype: OnnxDType, dims: readonly number[], data: TensorData | Uint16Array): OnnxNs.ITensorProto {
  const count = dims.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new Error(`initializer ${name}: ${data.length} values for shape [${dims.join(',')}]`);
  return { name, dims: [...dims], dataType: ONNX_DTYPE[dtype], rawData: bytesOf(data) };
}

function valueInfo(v: ValueInfo): OnnxNs.IValueInfoProto {
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType: ONNX_DTYPE[v.dtype],
        shape: { dim: v.dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function attribute(name: string, a: AttrValue): OnnxNs.IAttributeProto {
  switch (a.kind) {
    case 'i': return { name, type: ATTR_TYPE.INT, i: a.v };
    case 'f': return { name, type: ATTR_TYPE.FLOAT, f: a.v };
    case 's': return { name, type: ATTR_TYPE.STRING, s: new TextEncoder().encode(a.v) };
    case 'ints': return { name, type: ATTR_TYPE.INTS, ints: [...a.v] };
    case 'floats': return { name, type: ATTR_TYPE.FLOATS, floats: [...a.v] };
    case 't': return { name, type: ATTR_TYPE.TENSOR, t: a.v };
  }
}

/**
 * Nodes and initializers that some output in `outputs` depends on, in their original order: what a
 * graph keeps after values nobody reads any more were produced (the builder's traced leftovers, a
 * rewrite's replaced weights).
 */
export function pruneToOutputs(
  nodes: readonly OnnxNs.INodeProto[], initializers: readonly OnnxNs.ITensorProto[], outputs: Iterable<string>,
): { nodes: OnnxNs.INodeProto[]; initializers: OnnxNs.ITensorProto[] } {
  const needed = new Set(outputs);
  const kept: OnnxNs.INodeProto[] = [];
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i]!;
    if (!n.output!.some((o) => needed.has(o))) continue;
    kept.push(n);
    for (const x of n.input!) if (x) needed.add(x);
  }
  return { nodes: kept.reverse(), initializers: initializers.filter((t) => needed.has(t.name!)) };
}

export class GraphBuilder {
  private readonly nodes: OnnxNs.INodeProto[] = [];
  private readonly initializers: OnnxNs.ITensorProto[] = [];
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly used = new Set<string>();
  private readonly constCache = new Map<string, string>();
  /** Element type of every value whose type is known (inputs, initializers, typed nodes). */
  readonly dtypes = new Map<string, OnnxDType>();

  constructor(readonly name: string) {}

  /** A fresh value name with the given stem. */
  fresh(stem: string): string {
    const base = stem.replace(/[^A-Za-z0-9_./:-]/g, '_') || 'v';
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  input(name: string, dtype: OnnxDType, dims: readonly Dim[]): string {
    if (this.used.has(name)) throw new Error(`value name ${name} already used`);
    this.used.add(name);
    this.inputs.push({ name, dtype, dims });
    this.dtypes.set(name, dtype);
    return name;
  }

  /** Declares `value` as a graph output named `name` (an Identity node renames it if needed). */
  output(name: string, value: string, dtype: OnnxDType, dims: readonly Dim[]): void {
    if (value !== name) {
      if (this.used.has(name)) throw new Error(`output name ${name} already used`);
      this.used.add(name);
      this.nodes.push({ opType: 'Identity', input: [value], output: [name], name: `out_${name}` });
    }
    this.outputs.push({ name, dtype, dims });
  }

  /**
   * A weight or constant. Float data with `float16: true` is stored as float16 and widened by a
   * Cast, so the value the graph sees is float32 either way.
   */
  initializer(stem: string, dtype: OnnxDType, dims: readonly number[], data: TensorData, opts: { float16?: boolean } = {}): string {
    if (opts.float16 && dtype === 'float32' && data instanceof Float32Array) {
      const stored = this.fresh(`${stem}__f16`);
      this.initializers.push(tensorProto(stored, 'float16', dims, toFloat16Array(data)));
      this.dtypes.set(stored, 'float16');
      return this.op('Cast', [stored], { to: A.i(ONNX_DTYPE.float32) }, { name: stem, dtype: 'float32' });
    }
    const name = this.fresh(stem);
    this.initializers.push(tensorProto(name, dtype, dims, data));
    this.dtypes.set(name, dtype);
    return name;
  }

  /** An int64 vector constant (shapes, axes, pads), shared between nodes that need the same one. */
  int64s(values: readonly number[], stem = 'const_i64'): string {
    const key = `i64:${values.join(',')}`;
    const hit = this.constCache.get(key);
    if (hit) return hit;
    const name = this.initializer(stem, 'int64', [values.length], BigInt64Array.from(values.map((v) => BigInt(v))));
    this.constCache.set(key, name);
    return name;
  }

  /** A float32 scalar constant (rank 0), shared. */
  scalar(value: number, stem = 'const_f32'): string {
    const key = `f32:${Object.is(value, -0) ? '-0' : value}`;
    const hit = this.constCache.get(key);
    if (hit) return hit;
    const name = this.initializer(stem, 'float32', [], Float32Array.of(value));
    this.constCache.set(key, name);
    return name;
  }

  /** Appends a node; returns its output value names. '' in inputs marks an omitted optional input. */
  node(opType: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}, opts: { outputs?: number; name?: string; dtype?: OnnxDType } = {}): string[] {
    const stem = opts.name ?? opType.toLowerCase();
    const outs = Array.from({ length: opts.outputs ?? 1 }, (_, i) => this.fresh(i === 0 ? stem : `${stem}_o${i}`));
    this.nodes.push({
      opType,
      input: [...inputs],
      output: outs,
      name: `${opType}_${outs[0]}`,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    const dtype = opts.dtype ?? (inputs[0] ? this.dtypes.get(inputs[0]) : undefined);
    if (dtype) for (const o of outs) this.dtypes.set(o, dtype);
    return outs;
  }

  /** A single-output node. */
  op(opType: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}, opts: { name?: string; dtype?: OnnxDType } = {}): string {
    return this.node(opType, inputs, attrs, opts)[0]!;
  }

  get nodeCount(): number { return this.nodes.length; }
  opCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const n of this.live().nodes) counts[n.opType!] = (counts[n.opType!] ?? 0) + 1;
    return counts;
  }
  get inputInfos(): readonly ValueInfo[] { return this.inputs; }
  get outputInfos(): readonly ValueInfo[] { return this.outputs; }

  /** Op types used, for the export report. */
  opTypes(): string[] { return [...new Set(this.live().nodes.map((n) => n.opType!))].sort(); }

  /** Bytes of the initializers that end up in the file. */
  initializerBytes(): number { return this.live().initializers.reduce((s, t) => s + (t.rawData?.byteLength ?? 0), 0); }

  /**
   * Nodes and initializers that some graph output depends on. A traced forward pass may compute
   * values nobody reads (e.g. a training-only readout); they are left out of the file.
   */
  private live(): { nodes: OnnxNs.INodeProto[]; initializers: OnnxNs.ITensorProto[] } {
    return pruneToOutputs(this.nodes, this.initializers, this.outputs.map((o) => o.name));
  }

  toModelProto(opts: ModelOptions = {}): OnnxNs.ModelProto {
    const { nodes, initializers } = this.live();
    return onnx.ModelProto.create({
      irVersion: IR_VERSION,
      producerName: opts.producerName ?? 'fastpr-workstation',
      producerVersion: opts.producerVersion ?? '0',
      docString: opts.docString ?? '',
      opsetImport: [{ domain: '', version: opts.opset ?? DEFAULT_OPSET }],
      metadataProps: Object.entries(opts.metadata ?? {}).map(([key, value]) => ({ key, value })),
      graph: {
        name: this.name,
        node: nodes,
        initializer: initializers,
        input: this.inputs.map(valueInfo),
        output: this.outputs.map(valueInfo),
      },
    });
  }

  serialize(opts: ModelOptions = {}): Uint8Array {
    return onnx.ModelProto.encode(this.toModelProto(opts)).finish();
  }
}
