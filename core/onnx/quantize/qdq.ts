/**
 * Static int8 quantisation of an exported graph in ONNX's QDQ form: every chosen Conv gets its
 * weights as int8 (symmetric, one scale per output channel) and its bias as int32 (scale = input
 * scale × weight scale), each through a DequantizeLinear; the float tensors around those convs are
 * passed through QuantizeLinear → DequantizeLinear (uint8, asymmetric, ranges from calibration).
 * onnxruntime's graph optimiser fuses DQ → Conv → (Relu) → Q into QLinearConv and DQ, DQ → Add → Q
 * into QLinearAdd on CPU; any other runtime still computes the same numbers with the float ops.
 *
 * The rewrite is pure (bytes in, bytes out) and deterministic: the same graph and ranges give the
 * same file. Tensors are named after the originals (`<name>__q`, `<name>__f`), consumers keep
 * reading the original names, so the graph's inputs and outputs are unchanged.
 */
import type { onnx as OnnxNs } from 'onnx-proto';
import { ModelError } from '../../errors';
import { float16BitsToFloat32 } from '../../numeric/float16';
import { pruneToOutputs, tensorProto } from '../builder/graph';
import { ONNX_DTYPE, onnx } from '../builder/proto';

/** A float tensor's calibrated range (always widened to contain 0, so 0 is exact). */
export interface TensorRange { min: number; max: number }

/** uint8 affine parameters of one activation tensor. */
export interface ActivationQuant { scale: number; zeroPoint: number }

export function activationQuant(r: TensorRange): ActivationQuant {
  const min = Math.min(0, r.min);
  const max = Math.max(0, r.max);
  const scale = max > min ? (max - min) / 255 : 1;
  const zeroPoint = Math.min(255, Math.max(0, Math.round(-min / scale)));
  return { scale: Math.fround(scale), zeroPoint };
}

const num = (v: number | { toNumber(): number } | null | undefined): number => (v == null ? 0 : typeof v === 'number' ? v : v.toNumber());

/** Conv nodes in graph order, named by their first output (what calibration and the manifest list). */
export function convNames(model: OnnxNs.IModelProto): string[] {
  return (model.graph?.node ?? []).filter((n) => n.opType === 'Conv').map((n) => n.output![0]!);
}

/** Where a plan applies: which convs run in int8, and the activation tensors that get Q → DQ. */
export interface QuantPlan {
  /** Conv outputs (convNames) quantised. */
  convs: string[];
  /** Float tensors passed through Q → DQ: each quantised conv's input and its (post-Relu) output. */
  tensors: string[];
}

/**
 * The tensors to calibrate for quantising `convs`: each one's input, and its output — after the Relu
 * when a Relu is its only reader, so the uint8 range is [0, max] and the Relu folds into the conv.
 */
export function planQuantization(model: OnnxNs.IModelProto, convs: readonly string[]): QuantPlan {
  const nodes = model.graph?.node ?? [];
  const readers = new Map<string, OnnxNs.INodeProto[]>();
  for (const n of nodes) for (const x of n.input ?? []) if (x) readers.set(x, [...(readers.get(x) ?? []), n]);
  const all = convNames(model);
  const tensors: string[] = [];
  const add = (t: string) => { if (!tensors.includes(t)) tensors.push(t); };
  for (const name of convs) {
    if (!all.includes(name)) throw new ModelError(`no Conv node with output "${name}" (has ${all.join(', ')})`);
    const conv = nodes.find((n) => n.opType === 'Conv' && n.output![0] === name)!;
    add(conv.input![0]!);
    const r = readers.get(name) ?? [];
    add(r.length === 1 && r[0]!.opType === 'Relu' ? r[0]!.output![0]! : name);
  }
  return { convs: [...convs], tensors };
}

/** A constant's float values: a float32 initializer, or a float16 one behind a Cast (the exporter's form). */
function constantFloats(name: string, inits: Map<string, OnnxNs.ITensorProto>, producers: Map<string, OnnxNs.INodeProto>): { data: Float32Array; dims: number[] } {
  let t = inits.get(name);
  const cast = producers.get(name);
  if (!t && cast?.opType === 'Cast') t = inits.get(cast.input![0]!);
  if (!t) throw new ModelError(`Conv weight "${name}" is not a constant`);
  const dims = (t.dims ?? []).map(num);
  const raw = t.rawData ?? new Uint8Array(0);
  const bytes = new Uint8Array(raw.byteLength);
  bytes.set(raw); // aligned copy
  if (t.dataType === ONNX_DTYPE.float32) return { data: new Float32Array(bytes.buffer), dims };
  if (t.dataType === ONNX_DTYPE.float16) return { data: Float32Array.from(new Uint16Array(bytes.buffer), float16BitsToFloat32), dims };
  throw new ModelError(`Conv weight "${name}": element type ${t.dataType} is not float`);
}

/** int8 per output channel, symmetric: scale = max |w| / 127 over the channel. */
export function quantizeWeights(w: Float32Array, outChannels: number): { q: Int8Array; scales: Float32Array } {
  const per = w.length / outChannels;
  const q = new Int8Array(w.length);
  const scales = new Float32Array(outChannels);
  for (let c = 0; c < outChannels; c++) {
    let peak = 0;
    for (let i = c * per; i < (c + 1) * per; i++) peak = Math.max(peak, Math.abs(w[i]!));
    const s = peak > 0 ? Math.fround(peak / 127) : 1;
    scales[c] = s;
    for (let i = c * per; i < (c + 1) * per; i++) q[i] = Math.max(-127, Math.min(127, Math.round(w[i]! / s)));
  }
  return { q, scales };
}

function node(opType: string, input: string[], output: string, attribute: OnnxNs.IAttributeProto[] = []): OnnxNs.INodeProto {
  return { opType, input, output: [output], name: `${opType}_${output}`, attribute };
}

const int8Tensor = (name: string, dims: number[], data: Int8Array) => tensorProto(name, 'int8', dims, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));

/**
 * Rewrites `modelBytes` per `plan` with the calibrated `ranges` (one per plan.tensors entry).
 * Returns the new model's bytes; unused float weights (and their Casts) are dropped.
 */
export function quantizeGraph(modelBytes: Uint8Array, plan: QuantPlan, ranges: ReadonlyMap<string, TensorRange>): Uint8Array {
  const model = onnx.ModelProto.decode(modelBytes);
  const graph = model.graph!;
  const inits = new Map(graph.initializer!.map((t) => [t.name!, t]));
  const producers = new Map<string, OnnxNs.INodeProto>();
  for (const n of graph.node!) for (const o of n.output!) producers.set(o, n);
  const quant = new Map<string, ActivationQuant>();
  for (const t of plan.tensors) {
    const r = ranges.get(t);
    if (!r || !Number.isFinite(r.min) || !Number.isFinite(r.max)) throw new ModelError(`no calibrated range for tensor "${t}"`);
    quant.set(t, activationQuant(r));
  }
  // The convs by their output name, before the outputs they feed through Q → DQ are renamed.
  const convs = new Map(plan.convs.map((name) => [name, producers.get(name)!]));
  const newInits: OnnxNs.ITensorProto[] = [];
  // The weights' and biases' DequantizeLinear nodes (constants only: they go first).
  const before: OnnxNs.INodeProto[] = [];
  // Q → DQ right after the producer of each planned tensor, which now writes `<name>__f`; the DQ
  // writes the original name, so every reader is unchanged.
  const after = new Map<OnnxNs.INodeProto, OnnxNs.INodeProto[]>();
  for (const t of plan.tensors) {
    const q = quant.get(t)!;
    const p = producers.get(t);
    if (!p) throw new ModelError(`tensor "${t}" is a graph input: quantise it after a node (the encoders' first op is a Transpose)`);
    const [s, z] = [`${t}__scale`, `${t}__zero`];
    newInits.push(tensorProto(s, 'float32', [], Float32Array.of(q.scale)), tensorProto(z, 'uint8', [], Uint8Array.of(q.zeroPoint)));
    p.output = p.output!.map((o) => (o === t ? `${t}__f` : o));
    after.set(p, [...(after.get(p) ?? []), node('QuantizeLinear', [`${t}__f`, s, z], `${t}__q`), node('DequantizeLinear', [`${t}__q`, s, z], t)]);
  }
  // Weights and biases of the quantised convs.
  for (const [name, conv] of convs) {
    const [x, wName, bName] = conv.input!;
    const xq = quant.get(x!);
    if (!xq) throw new ModelError(`Conv "${name}": its input "${x}" is not quantised`);
    const w = constantFloats(wName!, inits, producers);
    const outChannels = w.dims[0]!;
    const { q, scales } = quantizeWeights(w.data, outChannels);
    const wq = `${name}__w_q`;
    newInits.push(int8Tensor(wq, w.dims, q), tensorProto(`${wq}__scale`, 'float32', [outChannels], scales),
      int8Tensor(`${wq}__zero`, [outChannels], new Int8Array(outChannels)));
    const axis0 = [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 0 }];
    before.push(node('DequantizeLinear', [wq, `${wq}__scale`, `${wq}__zero`], `${name}__w`, axis0));
    const inputs = [x!, `${name}__w`];
    if (bName) {
      const b = constantFloats(bName, inits, producers).data;
      const bScale = Float32Array.from(scales, (s) => Math.fround(s * xq.scale));
      const bq = Int32Array.from(b, (v, c) => Math.round(v / bScale[c]!));
      const bqName = `${name}__b_q`;
      newInits.push(tensorProto(bqName, 'int32', [outChannels], bq), tensorProto(`${bqName}__scale`, 'float32', [outChannels], bScale),
        tensorProto(`${bqName}__zero`, 'int32', [outChannels], new Int32Array(outChannels)));
      before.push(node('DequantizeLinear', [bqName, `${bqName}__scale`, `${bqName}__zero`], `${name}__b`, axis0));
      inputs.push(`${name}__b`);
    }
    conv.input = inputs;
  }
  const nodes = [...before, ...graph.node!.flatMap((n) => [n, ...(after.get(n) ?? [])])];
  // Drop what no graph output needs any more (the float weights and their Casts).
  const kept = pruneToOutputs(nodes, [...graph.initializer!, ...newInits], graph.output!.map((o) => o.name!));
  graph.node = kept.nodes;
  graph.initializer = kept.initializers;
  return onnx.ModelProto.encode(model).finish();
}

/** The same graph with `tensors` added as outputs (float, shape left open): what calibration runs. */
export function withObservedOutputs(modelBytes: Uint8Array, tensors: readonly string[]): Uint8Array {
  const model = onnx.ModelProto.decode(modelBytes);
  const graph = model.graph!;
  const have = new Set(graph.output!.map((o) => o.name));
  for (const t of tensors) {
    if (have.has(t)) continue;
    graph.output!.push({ name: t, type: { tensorType: { elemType: ONNX_DTYPE.float32 } } });
  }
  return onnx.ModelProto.encode(model).finish();
}
