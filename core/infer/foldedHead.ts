/**
 * A per-query "folded" copy of head.onnx for searching cached features: the same numbers with a
 * fraction of the work. Nothing about the model changes; the weights are read from head.onnx.
 *
 * Why it is cheaper: the exported head builds Ĩ_i = S²·w_i ⊙ I_en for all T = 16 slots, transposes
 * the [N, T, S², M] tensor into [N, S, S, T·M] channels and runs the fusion 1×1 conv C over 4,096
 * channels (≈ 80% of the head's 0.065 GMAC per frame, plus ~200 MB of intermediate tensors per
 * batch of 256). With masking of unknown slots on (the shipped configuration), a query's unknown
 * slots contribute exactly 0 to C's input, so only the K known slots' M input channels of C are
 * needed: fused = C_known · [S²·w_k ⊙ I_en]_k + b. For a query the slot embeddings are constants,
 * so the attention logits become one [M, K] matrix. Everything after C (FC, FI, FB) is per-cell
 * dense layers, run here as 2-D Gemms over N·S² rows instead of NCHW 1×1 convs.
 *
 * The graph is recognised structurally (fusion conv → FC1 → FC2 → conf/box heads) and verified
 * numerically against the exported head on real features before use (searchIndex does that); any
 * mismatch or unknown structure falls back to the exported head. Outputs: confidence [N, S, S] and
 * boxes [N, S, S, 4]; attention maps still come from the exported head (frame detail).
 */
import { float16BitsToFloat32 } from '../numeric/float16';
import { A, GraphBuilder } from '../onnx/builder/graph';
import { onnx, type OnnxTypes } from '../onnx/builder/proto';
import { OnnxSession } from '../onnx/runtime';

type Node = OnnxTypes.INodeProto;
interface Dense { w: Float32Array; out: number; inp: number; b: Float32Array }

/** The head's weights and constants needed to fold it for a query. */
export interface HeadWeights {
  table: Float32Array;
  vocab: number;
  M: number;
  T: number;
  S: number;
  /** 1/(τ√M): scale of the attention logits. */
  logitScale: number;
  /** S²: scale of the attention weights in Ĩ. */
  cellScale: number;
  /** Unknown slots are zeroed before C (tokens equal to their slot offset). */
  masked: boolean;
  offsets: number[];
  fuse: Dense;
  fc1: Dense;
  fc2: Dense;
  conf1: Dense;
  conf2: Dense;
  box1: Dense;
  box2: Dense;
}

function tensorFloats(t: OnnxTypes.ITensorProto): Float32Array | null {
  const n = (t.dims ?? []).reduce<number>((a, d) => a * Number(d), 1);
  const raw = t.rawData && t.rawData.length ? t.rawData : null;
  if (t.dataType === onnx.TensorProto.DataType.FLOAT) {
    if (raw) return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + n * 4));
    return t.floatData && t.floatData.length === n ? Float32Array.from(t.floatData) : null;
  }
  if (t.dataType === onnx.TensorProto.DataType.FLOAT16 && raw) {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = float16BitsToFloat32(raw[2 * i]! | (raw[2 * i + 1]! << 8));
    return out;
  }
  return null;
}

function tensorInts(t: OnnxTypes.ITensorProto): number[] | null {
  const n = (t.dims ?? []).reduce<number>((a, d) => a * Number(d), 1);
  const raw = t.rawData && t.rawData.length ? t.rawData : null;
  if (t.dataType === onnx.TensorProto.DataType.INT64 && raw) {
    const v = new BigInt64Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + n * 8));
    return Array.from(v, Number);
  }
  if (t.dataType === onnx.TensorProto.DataType.INT32 && raw) return Array.from(new Int32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + n * 4)));
  if (t.int64Data && t.int64Data.length === n) return t.int64Data.map(Number);
  if (t.int32Data && t.int32Data.length === n) return [...t.int32Data];
  return null;
}

/** Reads the weights of an exported FastPR head; null when its structure is not the one known here. */
export function readHeadWeights(bytes: Uint8Array): HeadWeights | null {
  const g = onnx.ModelProto.decode(bytes).graph;
  if (!g) return null;
  const inits = new Map((g.initializer ?? []).map((t) => [t.name!, t]));
  const byOut = new Map<string, Node>();
  for (const n of g.node ?? []) for (const o of n.output ?? []) byOut.set(o, n);
  const floats = (name: string | undefined): { data: Float32Array; dims: number[] } | null => {
    if (!name) return null;
    let t = inits.get(name);
    const cast = byOut.get(name);
    if (!t && cast?.opType === 'Cast') t = inits.get(cast.input![0]!); // float16-stored weights
    const data = t ? tensorFloats(t) : null;
    return data && t ? { data, dims: (t.dims ?? []).map(Number) } : null;
  };
  const producer = (v: string | undefined, op: string): Node | null => {
    let n = v ? byOut.get(v) : undefined;
    while (n && (n.opType === 'Identity' || n.opType === 'Reshape' || n.opType === 'Transpose') && op !== n.opType) n = byOut.get(n.input![0]!);
    return n && n.opType === op ? n : null;
  };
  const dense = (conv: Node | null): Dense | null => {
    if (!conv || (conv.attribute ?? []).some((a) => a.name === 'group' && Number(a.i) !== 1)) return null;
    const w = floats(conv.input![1]);
    const b = floats(conv.input![2]);
    if (!w || !b || w.dims.length !== 4 || w.dims[2] !== 1 || w.dims[3] !== 1 || b.data.length !== w.dims[0]) return null;
    return { w: w.data, out: w.dims[0]!, inp: w.dims[1]!, b: b.data };
  };
  // confidence ← Sigmoid ← conf2 ← Relu ← conf1 ← Relu(fc2) ; boxes ← Sigmoid ← box2 ← Relu ← box1 ← same Relu
  const conf2n = producer(producer(g.output?.find((o) => o.name === 'confidence')?.name ?? undefined, 'Sigmoid')?.input![0], 'Conv');
  const conf1n = producer(producer(conf2n?.input![0], 'Relu')?.input![0], 'Conv');
  const box2n = producer(producer(g.output?.find((o) => o.name === 'boxes')?.name ?? undefined, 'Sigmoid')?.input![0], 'Conv');
  const box1n = producer(producer(box2n?.input![0], 'Relu')?.input![0], 'Conv');
  if (!conf1n || !box1n || conf1n.input![0] !== box1n.input![0]) return null;
  const fc2n = producer(producer(conf1n.input![0], 'Relu')?.input![0], 'Conv');
  const fc1n = producer(producer(fc2n?.input![0], 'Relu')?.input![0], 'Conv');
  const fusen = producer(fc1n?.input![0], 'Conv');
  const softmax = (g.node ?? []).filter((n) => n.opType === 'Softmax');
  const gather = (g.node ?? []).find((n) => n.opType === 'Gather');
  if (softmax.length !== 1 || !gather || !fusen) return null;
  const sm = softmax[0]!;
  const axis = Number((sm.attribute ?? []).find((a) => a.name === 'axis')?.i ?? -1);
  if (axis !== -1 && axis !== 2) return null;
  const scalarOf = (mul: Node | undefined, other: string): number | null => {
    if (!mul || mul.opType !== 'Mul') return null;
    const c = mul.input!.find((x) => x !== other);
    const f = floats(c);
    return f && f.data.length === 1 ? f.data[0]! : null;
  };
  const logitMul = byOut.get(sm.input![0]!);
  const logitScale = scalarOf(logitMul, logitMul?.input?.find((x) => byOut.get(x)?.opType === 'MatMul') ?? '');
  const cellMul = (g.node ?? []).find((n) => n.opType === 'Mul' && n.input!.includes(sm.output![0]!));
  const cellScale = scalarOf(cellMul, sm.output![0]!);
  const table = floats(gather.input![0]);
  const parts = [dense(fusen), dense(fc1n), dense(fc2n), dense(conf1n), dense(conf2n), dense(box1n), dense(box2n)];
  if (logitScale === null || cellScale === null || !table || table.dims.length !== 2 || parts.some((p) => !p)) return null;
  const [fuse, fc1, fc2, conf1, conf2, box1, box2] = parts as Dense[];
  const M = table.dims[1]!;
  const S = Math.round(Math.sqrt(cellScale));
  const T = fuse!.inp / M;
  const equal = (g.node ?? []).find((n) => n.opType === 'Equal');
  const offsetsT = equal ? inits.get(equal.input!.find((x) => inits.has(x)) ?? '') : undefined;
  const offsets = offsetsT ? tensorInts(offsetsT) : null;
  const masked = !!equal && !!offsets;
  if (!Number.isInteger(T) || S * S !== cellScale || fuse!.out !== fc1!.inp || conf2!.out !== 1 || box2!.out !== 4 || (masked && offsets!.length !== T)) return null;
  return {
    table: table.data, vocab: table.dims[0]!, M, T, S, logitScale, cellScale, masked, offsets: offsets ?? [],
    fuse: fuse!, fc1: fc1!, fc2: fc2!, conf1: conf1!, conf2: conf2!, box1: box1!, box2: box2!,
  };
}

/** The slots whose Ĩ reaches C for these tokens (all when the head does not mask unknown slots). */
export function activeSlots(h: HeadWeights, tokens: readonly number[]): number[] {
  return tokens.map((_, i) => i).filter((i) => !h.masked || tokens[i] !== h.offsets[i]);
}

/**
 * Features stored as coefficients on a basis (index 'pca' storage, core/index/pcaCodec.ts):
 * x = mean + Σ_j y_j·basis_j. The folded head then takes y [N, S, S, d] directly: the attention
 * logits x·v = y·(B v) + mean·v and the fusion C_k(w_k x) = w_k (C_k Bᵀ) y + w_k (C_k mean) are
 * the same numbers with d instead of M inputs per cell.
 */
export interface FeatureProjection { d: number; mean: Float32Array; basis: Float32Array }

/** Features x = mean + Σ_j y_j·basis_j [cells·M] of coefficients y [cells·d] (float64 sums). */
export function projectionToFeatures(p: FeatureProjection, y: Float32Array, cells: number): Float32Array {
  const M = p.mean.length;
  const out = new Float32Array(cells * M);
  const acc = new Float64Array(M);
  for (let c = 0; c < cells; c++) {
    acc.set(p.mean);
    for (let j = 0; j < p.d; j++) {
      const v = y[c * p.d + j]!;
      if (v === 0) continue;
      for (let m = 0; m < M; m++) acc[m] = acc[m]! + v * p.basis[j * M + m]!;
    }
    out.set(acc, c * M);
  }
  return out;
}

/**
 * The fusion conv C folded with a basis, one slot at a time: C_slot·Bᵀ [out, d] and C_slot·mean
 * [out]. They depend on the slot and the basis, not on the query's value for the slot, so they are
 * computed once per slot and basis (≈ 3 M multiply-adds each, in float64 sums) and every query on
 * that basis — the folded head and the prefilter alike — gathers its active slots' blocks instead of
 * folding again (each of the two folded ≈ 31 M multiply-adds in JS per new query and basis before).
 * Kept per head weights and basis arrays (WeakMaps: freed with the index that holds the basis).
 */
export interface SlotFold { wf: Float32Array; cm: Float32Array }
const slotFolds = new WeakMap<HeadWeights, WeakMap<Float32Array, Array<SlotFold | undefined>>>();

export function slotFold(h: HeadWeights, proj: FeatureProjection, slot: number): SlotFold {
  let byBasis = slotFolds.get(h);
  if (!byBasis) slotFolds.set(h, (byBasis = new WeakMap()));
  let slots = byBasis.get(proj.basis);
  if (!slots) byBasis.set(proj.basis, (slots = new Array<SlotFold | undefined>(h.T)));
  const cached = slots[slot];
  if (cached) return cached;
  const { M } = h;
  const D = proj.d, out = h.fuse.out, inp = h.fuse.inp;
  const wf = new Float32Array(out * D);
  const cm = new Float32Array(out);
  for (let o = 0; o < out; o++) {
    const ck = h.fuse.w.subarray(o * inp + slot * M, o * inp + (slot + 1) * M);
    let t0 = 0;
    for (let m = 0; m < M; m++) t0 += ck[m]! * proj.mean[m]!;
    cm[o] = t0;
    for (let j = 0; j < D; j++) {
      let t = 0;
      for (let m = 0; m < M; m++) t += ck[m]! * proj.basis[j * M + m]!;
      wf[o * D + j] = t;
    }
  }
  return (slots[slot] = { wf, cm });
}

/** One query folded with a basis: attention vectors B·V_k, mean·V_k and fusion weights in coefficient space. */
export interface FoldedQuery { K: number; D: number; bv: Float32Array; mv: Float32Array; wf: Float32Array; cm: Float32Array; fb: Float32Array }

/**
 * The folded pieces of one query on one basis, for the folded head (foldedHeadGraph) and the
 * prefilter (prefilterHead.ts): bv [d, K] = B·V_k, mv [K] = mean·V_k, wf [out, K·d] (Gemm transB) =
 * C_k·Bᵀ per active slot k (slotFold), cm [K, out] = C_k·mean. Null when no slot is active or the
 * basis does not fit the head.
 */
export function foldQuery(h: HeadWeights, tokens: readonly number[], proj: FeatureProjection): FoldedQuery | null {
  const { M } = h;
  const active = activeSlots(h, tokens);
  const K = active.length;
  const D = proj.d;
  if (K === 0 || tokens.length !== h.T || proj.mean.length !== M || proj.basis.length !== D * M) return null;
  const bv = new Float32Array(D * K);
  const mv = new Float32Array(K);
  active.forEach((slot, k) => {
    const v = h.table.subarray(tokens[slot]! * M, (tokens[slot]! + 1) * M);
    let s = 0;
    for (let m = 0; m < M; m++) s += proj.mean[m]! * v[m]!;
    mv[k] = s;
    for (let j = 0; j < D; j++) {
      let t = 0;
      for (let m = 0; m < M; m++) t += proj.basis[j * M + m]! * v[m]!;
      bv[j * K + k] = t;
    }
  });
  const out = h.fuse.out;
  const wf = new Float32Array(out * K * D);
  const cm = new Float32Array(K * out);
  active.forEach((slot, k) => {
    const f = slotFold(h, proj, slot);
    cm.set(f.cm, k * out);
    for (let o = 0; o < out; o++) wf.set(f.wf.subarray(o * D, (o + 1) * D), o * K * D + k * D);
  });
  return { K, D, bv, mv, wf, cm, fb: h.fuse.b };
}

/** Builds the folded head graph for one query (tokens [T]); null when no slot is active. */
export function foldedHeadGraph(h: HeadWeights, tokens: readonly number[], proj?: FeatureProjection): Uint8Array | null {
  const { M, S, T } = h;
  const cells = S * S;
  const active = activeSlots(h, tokens);
  const K = active.length;
  if (K === 0 || tokens.length !== T) return null;
  const folded = proj ? foldQuery(h, tokens, proj) : null;
  if (proj && !folded) return null;
  const D = proj ? proj.d : M; // input width per cell
  const g = new GraphBuilder('fastpr_head_folded');
  const x = g.input('encoded', 'float32', ['N', S, S, D]);
  const x2 = g.op('Reshape', [x, g.int64s([-1, D])]); // [N·S², D]
  // Attention logits for the active slots: X·(scale·V_kᵀ) → [N, S², K], softmax over the cells.
  let rawLogits: string;
  if (folded) {
    rawLogits = g.op('Add', [g.op('MatMul', [x2, g.initializer('bv', 'float32', [D, K], folded.bv)]), g.initializer('mv', 'float32', [K], folded.mv)]);
  } else {
    const vt = new Float32Array(M * K);
    active.forEach((slot, k) => {
      const row = tokens[slot]!;
      for (let m = 0; m < M; m++) vt[m * K + k] = h.table[row * M + m]!;
    });
    rawLogits = g.op('MatMul', [x2, g.initializer('v_t', 'float32', [M, K], vt)]);
  }
  const logits = g.op('Mul', [rawLogits, g.scalar(h.logitScale)]);
  const att = g.op('Softmax', [g.op('Reshape', [logits, g.int64s([-1, cells, K])])], { axis: A.i(1) });
  const w = g.op('Mul', [g.op('Reshape', [att, g.int64s([-1, K, 1])]), g.scalar(h.cellScale)]); // [N·S², K, 1]
  // Ĩ for the active slots, slot-major channels (k·D + j), then C restricted to those channels.
  const tilde = g.op('Reshape', [g.op('Mul', [w, g.op('Unsqueeze', [x2, g.int64s([1])])]), g.int64s([-1, K * D])]);
  let wf = folded?.wf;
  if (!wf) {
    wf = new Float32Array(h.fuse.out * K * D); // [out, K·D] (Gemm transB)
    for (let o = 0; o < h.fuse.out; o++) {
      active.forEach((slot, k) => wf!.set(h.fuse.w.subarray(o * h.fuse.inp + slot * M, o * h.fuse.inp + (slot + 1) * M), o * K * D + k * D));
    }
  }
  const gemm = (v: string, d: Dense, stem: string, wData = d.w, inp = d.inp) => g.op('Gemm', [
    v, g.initializer(`${stem}.w`, 'float32', [d.out, inp], wData), g.initializer(`${stem}.b`, 'float32', [d.out], d.b),
  ], { transB: A.i(1) });
  let fused = gemm(tilde, h.fuse, 'fuse', wf, K * D);
  if (folded) {
    fused = g.op('Add', [fused, g.op('MatMul', [g.op('Reshape', [w, g.int64s([-1, K])]), g.initializer('cmean', 'float32', [K, h.fuse.out], folded.cm)])]);
  }
  const common = g.op('Relu', [gemm(g.op('Relu', [gemm(fused, h.fc1, 'fc1')]), h.fc2, 'fc2')]);
  const conf = g.op('Sigmoid', [gemm(g.op('Relu', [gemm(common, h.conf1, 'conf1')]), h.conf2, 'conf2')]);
  const boxes = g.op('Sigmoid', [gemm(g.op('Relu', [gemm(common, h.box1, 'box1')]), h.box2, 'box2')]);
  g.output('confidence', g.op('Reshape', [conf, g.int64s([-1, S, S])]), 'float32', ['N', S, S]);
  g.output('boxes', g.op('Reshape', [boxes, g.int64s([-1, S, S, 4])]), 'float32', ['N', S, S, 4]);
  return g.serialize({ docString: 'FastPR head folded for one query (known slots only); confidence and boxes.' });
}

/** An onnxruntime session of the folded head for one query. */
/** Most frames per run of a folded head, and most bytes of its α⊗y per run (FoldedHead.run). */
export const FOLDED_RUN_FRAMES = 64;
export const FOLDED_RUN_BYTES = 8 * 2 ** 20;

export class FoldedHead {
  private constructor(private readonly session: OnnxSession, readonly activeSlots: number) {}

  static async create(h: HeadWeights, tokens: readonly number[], opts: { threads?: number; label: string; projection?: FeatureProjection; memoryArena?: boolean }): Promise<FoldedHead | null> {
    const bytes = foldedHeadGraph(h, tokens, opts.projection);
    if (!bytes) return null;
    // No memory arena unless asked: folded heads are cached per query and basis (onnxRetriever.ts).
    // No spin-waiting: a search runs it in turns with JS and other sessions (prefilterHead.ts, HEAD_SPINNING).
    const session = await OnnxSession.create(bytes, { provider: 'cpu', intraOpThreads: opts.threads, memoryArena: opts.memoryArena === true, spinning: false, label: `${opts.label} (folded)` });
    return new FoldedHead(session, activeSlots(h, tokens).length);
  }

  /** features [n, S, S, M] (or [n, S, S, d] coefficients for a head folded with a projection). */
  /**
   * Confidences [n·S²] and boxes [n·S²·4] of n frames' features, in runs whose per-cell intermediate
   * α⊗y (K·M floats per cell) stays within FOLDED_RUN_BYTES: larger runs outgrow the caches. An
   * exhaustive search of a 3,000-frame grid-14 index (d = 48), indexed frames/s for the 15-slot /
   * 2-attribute query (2 Dec 2026): 256-frame runs 146 / 185; 64: 587–761 / 1,408–1,784; 32: 939 /
   * 1,427; 16: 1,200 / 1,658.
   */
  async run(features: Float32Array, n: number, S: number, M: number): Promise<{ confidence: Float32Array; boxes: Float32Array }> {
    const cells = S * S, per = cells * M;
    const runFrames = Math.max(1, Math.min(FOLDED_RUN_FRAMES, Math.floor(FOLDED_RUN_BYTES / (cells * this.activeSlots * M * 4))));
    if (n <= runFrames) {
      const r = await this.session.run({ encoded: { type: 'float32', data: features.subarray(0, n * per), dims: [n, S, S, M] } });
      return { confidence: r.confidence!.data as Float32Array, boxes: r.boxes!.data as Float32Array };
    }
    const confidence = new Float32Array(n * cells);
    const boxes = new Float32Array(n * cells * 4);
    for (let f = 0; f < n; f += runFrames) {
      const m = Math.min(runFrames, n - f);
      const r = await this.session.run({ encoded: { type: 'float32', data: features.subarray(f * per, (f + m) * per), dims: [m, S, S, M] } });
      confidence.set(r.confidence!.data as Float32Array, f * cells);
      boxes.set(r.boxes!.data as Float32Array, f * cells * 4);
    }
    return { confidence, boxes };
  }

  async dispose(): Promise<void> { await this.session.dispose(); }
}
