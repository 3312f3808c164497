/**
 * A cheap per-cell prefilter in front of the folded head, for 'pca' indexes (coefficients y of
 * d per cell). Why it works: after the fusion conv, everything is per cell, and the confidence
 * logit of a cell is close to a linear function of its fused vector f(c) = b + Σ_k α_k(c)(W_k y(c) + m_k)
 * (α: the slot attention, W_k = C_k·Bᵀ, m_k = C_k·mean). A least-squares fit a·f + a0 of the exact
 * logits on the first frames of the search gives, per cell,
 *   proxy(c) = a0 + a·b + Σ_k α_k(c)·(g_k·y(c) + h_k),   g_k = W_kᵀa, h_k = a·m_k
 * at 2·K·d multiply-adds per cell instead of the head's ~0.3 M. The exact head (fusion, FC, FI,
 * FB) then runs only on cells with proxy ≥ logit(threshold) − margin; the margin is twice the
 * largest under-estimate seen on the fit cells near the threshold (at least 1 logit). The fit's
 * target is censored below (PROXY_FIT_FLOOR), so the line fits the cells near the threshold.
 * It is a heuristic with a measured miss rate (bench:video): hits the proxy under-estimates by more
 * than the margin are lost; `exhaustive` search skips the prefilter.
 */
import { A, GraphBuilder } from '../onnx/builder/graph';
import { OnnxSession } from '../onnx/runtime';
import { foldQuery, type FeatureProjection, type FoldedQuery as Folded, type HeadWeights } from './foldedHead';

/**
 * Intra-op threads of the proxy session (the cells session uses the retriever's). Its ops are a
 * thin matrix product, a softmax over cells and element-wise steps on [batch·S², K]: a second thread
 * costs more in hand-offs than it computes. A prefiltered re-query of a 3,000-frame index on this
 * 2-core machine (`/work/exp/s11/rq4.mts`, frames/s, 15-slot / 2-attribute query): proxy on 2
 * threads, cells on 2: 3,500–3,950 / 5,200–5,450; proxy 1, cells 1: 4,800 / 7,200; proxy 1, cells 2
 * (this): 5,450–6,150 / 7,700–8,200 (the cells' layers are dense products that split well).
 */
const PROXY_THREADS = 1;

/**
 * The proxy is fitted to max(logit, logit(threshold) − PROXY_FIT_FLOOR). Measured on the bench
 * clip's 300 frames (fit on the first 64, counted on the other 236; shipped model, threshold 0.2):
 * exact head on 10.5 → 2.8 % of the cells for the 15-slot query and 2.7 → 2.5 % for a 2-attribute
 * one, no cell at ≥ 0.1 below the cut in either; floors of 2 logits (the margin then admits the
 * floor itself: 69 % kept), 3, 4, 6, 8, 10 kept 2.1–4.4 % once above 2; a one-sided (Tobit-like)
 * refit was no better. bench:video and bench:sightings compare the prefiltered search with the
 * exhaustive one (hits kept, sightings).
 */
const PROXY_FIT_FLOOR = 5;

/** Largest |Δ| of confidence or box coordinate allowed between the split heads and the full cells head (as for the folded head). */
const SPLIT_HEAD_TOLERANCE = 1e-4;
const SPLIT_CHECK_FRAMES = 8;

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (Number.isNaN(d)) return Infinity;
    if (d > m) m = d;
  }
  return m;
}

interface Dense { w: Float32Array; out: number; inp: number; b: Float32Array }

/** proxy graph: y [N, S², D] → alpha [N·S², K] (S²·softmax) and proxy [N·S²]; g [D, K], hk [K], c0 [1] are inputs. */
function proxyGraph(h: HeadWeights, f: Folded): Uint8Array {
  const cells = h.S * h.S;
  const { K, D } = f;
  const g = new GraphBuilder('fastpr_head_prefilter');
  const y = g.input('y', 'float32', ['N', cells, D]);
  const gk = g.input('g', 'float32', [D, K]);
  const hk = g.input('hk', 'float32', [K]);
  const c0 = g.input('c0', 'float32', [1]);
  const y2 = g.op('Reshape', [y, g.int64s([-1, D])]);
  const logits = g.op('Mul', [g.op('Add', [g.op('MatMul', [y2, g.initializer('bv', 'float32', [D, K], f.bv)]), g.initializer('mv', 'float32', [K], f.mv)]), g.scalar(h.logitScale)]);
  // Softmax over the cells, axis 1 of [N, S², K] (spelled out as ReduceMax/Exp/ReduceSum/Div it was
  // slower: 6.2 vs 4.5 ms per 256 frames, 1 Dec).
  const att = g.op('Softmax', [g.op('Reshape', [logits, g.int64s([-1, cells, K])])], { axis: A.i(1) });
  const alpha = g.op('Reshape', [g.op('Mul', [att, g.scalar(h.cellScale)]), g.int64s([-1, K])]);
  const t = g.op('Add', [g.op('MatMul', [y2, gk]), hk]);
  const proxy = g.op('Add', [g.op('ReduceSum', [g.op('Mul', [alpha, t]), g.int64s([1])], { keepdims: A.i(0) }), c0]);
  g.output('alpha', alpha, 'float32', ['R', K]);
  g.output('proxy', proxy, 'float32', ['R']);
  return g.serialize({ docString: 'FastPR prefilter: slot attention and a linear proxy of the confidence logit per cell.' });
}

/** cells graph: y [n, D], alpha [n, K] → fused [n, out], logit [n], confidence [n], boxes [n, 4]. */
function cellsGraph(h: HeadWeights, f: Folded): Uint8Array {
  const { K, D } = f;
  const g = new GraphBuilder('fastpr_head_cells');
  const y = g.input('y', 'float32', ['n', D]);
  const alpha = g.input('alpha', 'float32', ['n', K]);
  const tilde = g.op('Reshape', [g.op('Mul', [g.op('Unsqueeze', [alpha, g.int64s([2])]), g.op('Unsqueeze', [y, g.int64s([1])])]), g.int64s([-1, K * D])]);
  const gemm = (v: string, d: Dense, stem: string, wData = d.w, inp = d.inp) => g.op('Gemm', [
    v, g.initializer(`${stem}.w`, 'float32', [d.out, inp], wData), g.initializer(`${stem}.b`, 'float32', [d.out], d.b),
  ], { transB: A.i(1) });
  const fused = g.op('Add', [gemm(tilde, h.fuse, 'fuse', f.wf, K * D), g.op('MatMul', [alpha, g.initializer('cmean', 'float32', [K, h.fuse.out], f.cm)])]);
  const common = g.op('Relu', [gemm(g.op('Relu', [gemm(fused, h.fc1, 'fc1')]), h.fc2, 'fc2')]);
  const logit = gemm(g.op('Relu', [gemm(common, h.conf1, 'conf1')]), h.conf2, 'conf2');
  const boxes = g.op('Sigmoid', [gemm(g.op('Relu', [gemm(common, h.box1, 'box1')]), h.box2, 'box2')]);
  g.output('fused', fused, 'float32', ['n', h.fuse.out]);
  g.output('logit', g.op('Reshape', [logit, g.int64s([-1])]), 'float32', ['n']);
  g.output('confidence', g.op('Sigmoid', [g.op('Reshape', [logit, g.int64s([-1])])]), 'float32', ['n']);
  g.output('boxes', boxes, 'float32', ['n', 4]);
  return g.serialize({ docString: 'FastPR head on selected cells (coefficients and slot attention given).' });
}

/** fc1 folded into the fusion (no nonlinearity between them): pre1 = w·(α⊗y) + b + α·cm. */
interface Fc1Fold { w: Float32Array; b: Float32Array; cm: Float32Array }

/** w [H, K·D] = fc1.W·wf, b [H] = fc1.W·fb + fc1.b, cm [K, H] = cm·fc1.Wᵀ (float64 sums). */
function foldFc1(h: HeadWeights, f: Folded): Fc1Fold {
  const { K, D } = f;
  const KD = K * D, F = h.fuse.out, H = h.fc1.out;
  const w = new Float32Array(H * KD), b = new Float32Array(H), cm = new Float32Array(K * H);
  const row = new Float64Array(KD);
  for (let o1 = 0; o1 < H; o1++) {
    row.fill(0);
    let bs = h.fc1.b[o1]!;
    for (let o = 0; o < F; o++) {
      const a = h.fc1.w[o1 * F + o]!;
      if (a === 0) continue;
      bs += a * f.fb[o]!;
      const src = o * KD;
      for (let j = 0; j < KD; j++) row[j] = row[j]! + a * f.wf[src + j]!;
    }
    w.set(row, o1 * KD);
    b[o1] = bs;
    for (let k = 0; k < K; k++) {
      let s = 0;
      for (let o = 0; o < F; o++) s += f.cm[k * F + o]! * h.fc1.w[o1 * F + o]!;
      cm[k * H + o1] = s;
    }
  }
  return { w, b, cm };
}

/**
 * confidence graph (the searches' exact head): y [n, D], alpha [n, K] → confidence [n] and the
 * common FC output [n, H] the box layers read, with fc1 folded into the fusion: 66 k fewer
 * multiply-adds per cell, and no box layers (boxGraph runs them for the cells that become hits).
 */
function confidenceGraph(h: HeadWeights, f: Folded, fold: Fc1Fold): Uint8Array {
  const { K, D } = f;
  const g = new GraphBuilder('fastpr_head_cells_confidence');
  const y = g.input('y', 'float32', ['n', D]);
  const alpha = g.input('alpha', 'float32', ['n', K]);
  const tilde = g.op('Reshape', [g.op('Mul', [g.op('Unsqueeze', [alpha, g.int64s([2])]), g.op('Unsqueeze', [y, g.int64s([1])])]), g.int64s([-1, K * D])]);
  const gemm = (v: string, w: Float32Array, b: Float32Array, out: number, inp: number, stem: string) => g.op('Gemm', [
    v, g.initializer(`${stem}.w`, 'float32', [out, inp], w), g.initializer(`${stem}.b`, 'float32', [out], b),
  ], { transB: A.i(1) });
  const H = h.fc1.out;
  const pre1 = g.op('Add', [gemm(tilde, fold.w, fold.b, H, K * D, 'fuse_fc1'), g.op('MatMul', [alpha, g.initializer('cmean_fc1', 'float32', [K, H], fold.cm)])]);
  const common = g.op('Relu', [gemm(g.op('Relu', [pre1]), h.fc2.w, h.fc2.b, h.fc2.out, h.fc2.inp, 'fc2')]);
  const logit = gemm(g.op('Relu', [gemm(common, h.conf1.w, h.conf1.b, h.conf1.out, h.conf1.inp, 'conf1')]), h.conf2.w, h.conf2.b, h.conf2.out, h.conf2.inp, 'conf2');
  g.output('confidence', g.op('Sigmoid', [g.op('Reshape', [logit, g.int64s([-1])])]), 'float32', ['n']);
  g.output('common', common, 'float32', ['n', h.fc2.out]);
  return g.serialize({ docString: 'FastPR head on selected cells: confidence (fc1 folded into the fusion).' });
}

/** box graph: common [m, H] → boxes [m, 4] (FB). */
function boxGraph(h: HeadWeights): Uint8Array {
  const g = new GraphBuilder('fastpr_head_cells_boxes');
  const common = g.input('common', 'float32', ['m', h.fc2.out]);
  const gemm = (v: string, d: Dense, stem: string) => g.op('Gemm', [
    v, g.initializer(`${stem}.w`, 'float32', [d.out, d.inp], d.w), g.initializer(`${stem}.b`, 'float32', [d.out], d.b),
  ], { transB: A.i(1) });
  g.output('boxes', g.op('Sigmoid', [gemm(g.op('Relu', [gemm(common, h.box1, 'box1')]), h.box2, 'box2')]), 'float32', ['m', 4]);
  return g.serialize({ docString: 'FastPR box head on the common FC output of selected cells.' });
}

/**
 * gram graph: fused [n, F], logit [n, 1], ones [n, 1] → X = [fused, 1, logit], gram = XᵀX [F+2, F+2]
 * (the normal equations of the proxy fit and their right-hand side). In JS this product was most
 * of a new query's first search (n = up to 64 frames · S² cells, F = 256: ~0.4 G multiply-adds).
 */
function gramGraph(F: number): Uint8Array {
  const g = new GraphBuilder('fastpr_prefilter_gram');
  const fused = g.input('fused', 'float32', ['n', F]);
  const logit = g.input('logit', 'float32', ['n', 1]);
  const ones = g.input('ones', 'float32', ['n', 1]);
  const x = g.op('Concat', [fused, ones, logit], { axis: A.i(1) });
  g.output('gram', g.op('MatMul', [g.op('Transpose', [x], { perm: A.ints([1, 0]) }), x]), 'float32', [F + 2, F + 2]);
  return g.serialize({ docString: 'FastPR prefilter fit: Gram matrix of [fused, 1, logit].' });
}

/** Solves (XᵀX + λI) a = Xᵀy for the normal equations in place (Gaussian elimination, partial pivoting). */
function solve(a: Float64Array, b: Float64Array, n: number): Float64Array {
  for (let i = 0; i < n; i++) {
    let p = i;
    for (let k = i + 1; k < n; k++) if (Math.abs(a[k * n + i]!) > Math.abs(a[p * n + i]!)) p = k;
    if (p !== i) {
      for (let k = 0; k < n; k++) { const t = a[i * n + k]!; a[i * n + k] = a[p * n + k]!; a[p * n + k] = t; }
      const t = b[i]!; b[i] = b[p]!; b[p] = t;
    }
    const piv = a[i * n + i]!;
    if (piv === 0) continue;
    for (let k = i + 1; k < n; k++) {
      const f = a[k * n + i]! / piv;
      if (f === 0) continue;
      for (let j = i; j < n; j++) a[k * n + j] = a[k * n + j]! - f * a[i * n + j]!;
      b[k] = b[k]! - f * b[i]!;
    }
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let j = i + 1; j < n; j++) s -= a[i * n + j]! * x[j]!;
    x[i] = a[i * n + i]! === 0 ? 0 : s / a[i * n + i]!;
  }
  return x;
}

export interface PrefilterResult {
  /** Selected cells (frame·S² + cell, ascending) with their exact confidence and boxes (NaN where run() was asked for none). */
  cells: Int32Array;
  confidence: Float32Array;
  boxes: Float32Array;
}

export class PrefilterHead {
  private constructor(
    private readonly proxy: OnnxSession, private readonly cellsHead: OnnxSession,
    private readonly confidenceHead: OnnxSession, private readonly boxHead: OnnxSession,
    private readonly f: Folded, private readonly cellsPerFrame: number, private readonly sessionOptions: { threads?: number; label: string },
    private g = new Float32Array(0), private hk = new Float32Array(0), private c0 = 0,
    /** Logit cut: cells with proxy ≥ cut go to the exact head. */
    public cut = Infinity, public margin = 0,
    /** run() uses the confidence and box heads (fc1 folded, boxes for hits only): they matched the full cells head on the fit frames. */
    public splitHeads = false,
  ) {}

  static async create(h: HeadWeights, tokens: readonly number[], proj: FeatureProjection, opts: { threads?: number; label: string; memoryArena?: boolean }): Promise<PrefilterHead | null> {
    const f = foldQuery(h, tokens, proj);
    if (!f) return null;
    // No memory arena unless asked: these sessions are cached per query and basis (onnxRetriever.ts).
    const so = { provider: 'cpu' as const, intraOpThreads: opts.threads, memoryArena: opts.memoryArena === true };
    const proxy = await OnnxSession.create(proxyGraph(h, f), { ...so, intraOpThreads: PROXY_THREADS, label: `${opts.label} (prefilter)` });
    const cellsHead = await OnnxSession.create(cellsGraph(h, f), { ...so, label: `${opts.label} (cells)` });
    const confidenceHead = await OnnxSession.create(confidenceGraph(h, f, foldFc1(h, f)), { ...so, label: `${opts.label} (cells, confidence)` });
    const boxHead = await OnnxSession.create(boxGraph(h), { ...so, label: `${opts.label} (cells, boxes)` });
    return new PrefilterHead(proxy, cellsHead, confidenceHead, boxHead, f, h.S * h.S, opts);
  }

  private async alphaProxy(y: Float32Array, n: number): Promise<{ alpha: Float32Array; proxy: Float32Array }> {
    const { K, D } = this.f;
    const r = await this.proxy.run({
      y: { type: 'float32', data: y.subarray(0, n * this.cellsPerFrame * D), dims: [n, this.cellsPerFrame, D] },
      g: { type: 'float32', data: this.g.length ? this.g : new Float32Array(D * K), dims: [D, K] },
      hk: { type: 'float32', data: this.hk.length ? this.hk : new Float32Array(K), dims: [K] },
      c0: { type: 'float32', data: Float32Array.of(this.c0), dims: [1] },
    });
    return { alpha: r.alpha!.data as Float32Array, proxy: r.proxy!.data as Float32Array };
  }

  private async runCells(y: Float32Array, alpha: Float32Array, rows: Int32Array, split = false): Promise<Record<string, Float32Array>> {
    const { K, D } = this.f;
    const n = rows.length;
    const ys = new Float32Array(n * D);
    const as = new Float32Array(n * K);
    // Plain loops: two subarray views per kept cell (thousands per batch) were garbage the search paid for.
    for (let i = 0; i < n; i++) {
      const r = rows[i]!;
      for (let j = 0, src = r * D, dst = i * D; j < D; j++) ys[dst + j] = y[src + j]!;
      for (let k = 0, src = r * K, dst = i * K; k < K; k++) as[dst + k] = alpha[src + k]!;
    }
    const out = await (split ? this.confidenceHead : this.cellsHead).run({ y: { type: 'float32', data: ys, dims: [n, D] }, alpha: { type: 'float32', data: as, dims: [n, K] } });
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array]));
  }

  /** Boxes [rows.length·4] of the cells at positions `rows` of common [n, H]. */
  private async boxesOf(common: Float32Array, H: number, rows: readonly number[]): Promise<Float32Array> {
    const m = rows.length;
    const sel = new Float32Array(m * H);
    for (let i = 0; i < m; i++) for (let j = 0, src = rows[i]! * H, dst = i * H; j < H; j++) sel[dst + j] = common[src + j]!;
    return (await this.boxHead.run({ common: { type: 'float32', data: sel, dims: [m, H] } })).boxes!.data as Float32Array;
  }

  /**
   * Fits the proxy on the exact head's logits (censored below, PROXY_FIT_FLOOR) for every cell of the
   * first frames (y [n, S², D]), sets the cut for `threshold`, and checks the split heads against
   * the full cells head. Deterministic for the same frames.
   */
  async fit(y: Float32Array, n: number, threshold: number): Promise<{ confidence: Float32Array; boxes: Float32Array }> {
    const { K, D } = this.f;
    const rows = n * this.cellsPerFrame;
    const { alpha } = await this.alphaProxy(y, n);
    const exact = await this.runCells(y, alpha, Int32Array.from({ length: rows }, (_, i) => i));
    const fused = exact.fused!;
    const logit = exact.logit!;
    const F = fused.length / rows;
    const lg = Math.log(threshold / (1 - threshold));
    // Censored target: logits far below the threshold are fitted as if they were at the floor. Most
    // cells are deep background (median logit ≈ −10 against a cut near −1.4); fitted exactly they
    // pull the line away from the cells near the threshold, which are the only ones the cut decides.
    const floor = Number.isFinite(lg) ? lg - PROXY_FIT_FLOOR : -Infinity;
    const target = logit.map((v) => Math.max(v, floor));
    const P = F + 1;
    // Normal equations of logit ≈ a·fused + a0 from the Gram matrix of [fused, 1, logit].
    // A session for this one product (the fit runs once per query and threshold).
    const gramSession = await OnnxSession.create(gramGraph(F), {
      provider: 'cpu', intraOpThreads: this.sessionOptions.threads, label: `${this.sessionOptions.label} (prefilter fit)`,
    });
    let gram: Float32Array;
    try {
      gram = (await gramSession.run({
        fused: { type: 'float32', data: fused, dims: [rows, F] },
        logit: { type: 'float32', data: target, dims: [rows, 1] },
        ones: { type: 'float32', data: new Float32Array(rows).fill(1), dims: [rows, 1] },
      })).gram!.data as Float32Array;
    } finally {
      await gramSession.dispose();
    }
    const xtx = new Float64Array(P * P);
    const xty = new Float64Array(P);
    for (let a = 0; a < P; a++) {
      for (let b = 0; b < P; b++) xtx[a * P + b] = gram[a * (P + 1) + b]!;
      xtx[a * P + a] = xtx[a * P + a]! + 1e-3 * rows;
      xty[a] = gram[a * (P + 1) + P]!;
    }
    const coef = solve(xtx, xty, P);
    // proxy = a0 + a·fused; fused = b + Σ_k α_k (W_k y + m_k) with W_k = wf rows, m_k = cm
    const out = F;
    const g = new Float32Array(D * K);
    const hk = new Float32Array(K);
    for (let k = 0; k < K; k++) {
      let hs = 0;
      for (let o = 0; o < out; o++) hs += coef[o]! * this.f.cm[k * out + o]!;
      hk[k] = hs;
      for (let j = 0; j < D; j++) {
        let s = 0;
        for (let o = 0; o < out; o++) s += coef[o]! * this.f.wf[o * K * D + k * D + j]!;
        g[j * K + k] = s;
      }
    }
    let ab = 0;
    for (let o = 0; o < out; o++) ab += coef[o]! * this.f.fb[o]!;
    this.g = g;
    this.hk = hk;
    this.c0 = coef[F]! + ab; // proxy = a0 + a·fused = a0 + a·b + Σ_k α_k (g_k·y + h_k)
    const { proxy: p2 } = await this.alphaProxy(y, n);
    // The split heads (fc1 folded, boxes apart) against the full cells head on the cells of the
    // first SPLIT_CHECK_FRAMES fit frames.
    const checked = Math.min(n, SPLIT_CHECK_FRAMES) * this.cellsPerFrame;
    const first = Int32Array.from({ length: checked }, (_, i) => i);
    const split = await this.runCells(y, alpha, first, true);
    const splitBoxes = await this.boxesOf(split.common!, split.common!.length / checked, Array.from(first));
    this.splitHeads = maxAbsDiff(split.confidence!, exact.confidence!.subarray(0, checked)) <= SPLIT_HEAD_TOLERANCE &&
      maxAbsDiff(splitBoxes, exact.boxes!.subarray(0, checked * 4)) <= SPLIT_HEAD_TOLERANCE;
    let under = 0;
    for (let r = 0; r < rows; r++) if (logit[r]! >= lg - 1) under = Math.max(under, logit[r]! - p2[r]!);
    this.margin = Math.max(1, 2 * under);
    this.cut = threshold >= 1 ? Infinity : threshold <= 0 ? -Infinity : lg - this.margin;
    return { confidence: exact.confidence!, boxes: exact.boxes! };
  }

  /**
   * Exact confidence for the cells of y [n, S², D] whose proxy passes the cut, and their boxes where
   * the confidence is at least `boxFrom` (NaN elsewhere: no search reads a box below its floor).
   */
  async run(y: Float32Array, n: number, boxFrom = -Infinity): Promise<PrefilterResult> {
    const { proxy, alpha } = await this.alphaProxy(y, n);
    const total = n * this.cellsPerFrame, cut = this.cut;
    let kept = 0;
    for (let r = 0; r < total; r++) if (proxy[r]! >= cut) kept++;
    const cells = new Int32Array(kept);
    for (let r = 0, i = 0; r < total; r++) if (proxy[r]! >= cut) cells[i++] = r;
    if (cells.length === 0) return { cells, confidence: new Float32Array(0), boxes: new Float32Array(0) };
    if (!this.splitHeads) {
      const out = await this.runCells(y, alpha, cells);
      return { cells, confidence: out.confidence!, boxes: out.boxes! };
    }
    const out = await this.runCells(y, alpha, cells, true);
    const confidence = out.confidence!;
    const hits: number[] = [];
    for (let i = 0; i < kept; i++) if (confidence[i]! >= boxFrom) hits.push(i);
    const boxes = new Float32Array(kept * 4).fill(NaN);
    if (hits.length) {
      const b = await this.boxesOf(out.common!, out.common!.length / kept, hits);
      hits.forEach((i, j) => boxes.set(b.subarray(j * 4, j * 4 + 4), i * 4));
    }
    return { cells, confidence, boxes };
  }

  async dispose(): Promise<void> {
    await this.proxy.dispose();
    await this.cellsHead.dispose();
    await this.confidenceHead.dispose();
    await this.boxHead.dispose();
  }
}
