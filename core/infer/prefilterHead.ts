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
import { OnnxSession, type HostTensor } from '../onnx/runtime';
import { foldQuery, type FeatureProjection, type FoldedQuery as Folded, type HeadWeights } from './foldedHead';
import { confidenceGraph, fitGraph, foldFc1, proxyGraph } from './prefilterGraphs';

/**
 * The prefilter's sessions take turns with each other and with the search's JS many times per
 * search (short runs, several per batch), so their intra-op pool threads must not spin-wait
 * between runs: a spinning pool thread of one session holds the second core while the next session,
 * or the main thread, needs it. Measured on a 3,000-frame index (`/work/exp/s17/rq5.mts`, 8
 * interleaved repetitions, indexed frames/s for the 15-slot / 2-attribute query, 1 Dec 2026): proxy
 * on 1 thread, cells and boxes on onnxruntime's 2 spinning (the configuration before) 11,800 /
 * 20,200; every session on 2 threads without spinning 20,400 / 32,800; one thread everywhere
 * 15,200 / 22,400. (On 30 Nov, with spinning, a 2-thread proxy had been the slowest choice.)
 */
const HEAD_SPINNING = false;

/** Most rows per run of the exact cells heads (runCells). */
const CELLS_RUN_ROWS = 2048;

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

/** Largest |Δ| of confidence or box coordinate allowed between the fc1-folded and the unfolded cells head (as for the folded head). */
const FC1_FOLD_TOLERANCE = 1e-4;
const FC1_FOLD_CHECK_FRAMES = 8;

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
  /** Selected cells (frame·S² + cell, ascending) with their exact confidence and boxes. */
  cells: Int32Array;
  confidence: Float32Array;
  boxes: Float32Array;
}

/** An exact head's outputs over some rows: per-row outputs by name, and the fit graph's Gram matrix summed over its runs (else null). */
interface CellsOutput { out: Record<string, Float32Array>; gram: Float64Array | null }

export class PrefilterHead {
  private constructor(
    private readonly proxy: OnnxSession, private readonly fitHead: OnnxSession,
    private readonly confidenceHead: OnnxSession,
    private readonly f: Folded, private readonly cellsPerFrame: number, private readonly sessionOptions: { threads?: number; label: string; cellsRunRows?: number },
    private g = new Float32Array(0), private hk = new Float32Array(0), private c0 = 0,
    /** Scratch of run()'s cell selection. */
    private selection = new Int32Array(0),
    /** Logit cut: cells with proxy ≥ cut go to the exact head. */
    public cut = Infinity, public margin = 0,
    /** run() uses the fc1-folded head (confidenceGraph): it matched the unfolded cells head on the fit frames. */
    public fc1Folded = false,
  ) {}

  /** `cellsRunRows`: most rows per run of the exact cells heads (default CELLS_RUN_ROWS; tests set fewer). */
  static async create(h: HeadWeights, tokens: readonly number[], proj: FeatureProjection, opts: { threads?: number; label: string; memoryArena?: boolean; cellsRunRows?: number }): Promise<PrefilterHead | null> {
    const f = foldQuery(h, tokens, proj);
    if (!f) return null;
    // No memory arena unless asked: these sessions are cached per query and basis (onnxRetriever.ts).
    const so = { provider: 'cpu' as const, intraOpThreads: opts.threads, memoryArena: opts.memoryArena === true, spinning: HEAD_SPINNING };
    const proxy = await OnnxSession.create(proxyGraph(h, f), { ...so, label: `${opts.label} (prefilter)` });
    const fitHead = await OnnxSession.create(fitGraph(h, f), { ...so, label: `${opts.label} (prefilter fit)` });
    const confidenceHead = await OnnxSession.create(confidenceGraph(h, f, foldFc1(h, f)), { ...so, label: `${opts.label} (cells, confidence)` });
    return new PrefilterHead(proxy, fitHead, confidenceHead, f, h.S * h.S, opts);
  }

  /** The proxy of every cell of y [n, S², D] and the attention normalisers lse [n, K] (proxyGraph). */
  private async proxyOf(y: Float32Array, n: number): Promise<{ lse: Float32Array; proxy: Float32Array }> {
    const { K, D } = this.f;
    const r = await this.proxy.run({
      y: { type: 'float32', data: y.subarray(0, n * this.cellsPerFrame * D), dims: [n, this.cellsPerFrame, D] },
      g: { type: 'float32', data: this.g.length ? this.g : new Float32Array(K * D), dims: [K, D] },
      hk: { type: 'float32', data: this.hk.length ? this.hk : new Float32Array(K), dims: [K, 1] },
      c0: { type: 'float32', data: Float32Array.of(this.c0), dims: [1] },
    });
    return { lse: r.lse!.data as Float32Array, proxy: r.proxy!.data as Float32Array };
  }

  /**
   * An exact head (`session`: the fc1-folded confidence graph, or the fit graph) on rows (frame·S² +
   * cell) of y, given their frames' attention normalisers lse [n, K], in runs of at most CELLS_RUN_ROWS
   * rows (CellsOutput). A new query's fit runs the fit graph on every cell of 64
   * frames: for 15 slots on grid 14 (12,544 rows) one run took 347 ms, runs of 1,024 / 2,048 / 4,096
   * rows 60 / 67–72 / 92 ms (`/work/exp/s18/first.mts`, 2 Dec 2026): α⊗y, K·d floats per row, outgrew
   * the caches. A search's batches keep far fewer rows (≈ 1,250 per 256 frames for 15 slots).
   */
  private async runCells(session: OnnxSession, y: Float32Array, lse: Float32Array, rows: Int32Array, extra: Record<string, HostTensor> = {}): Promise<CellsOutput> {
    const most = this.runRows;
    const parts: Array<Record<string, Float32Array>> = [];
    for (let i = 0; i < rows.length; i += most) parts.push(await this.runCellsOnce(session, y, lse, rows.subarray(i, i + most), extra));
    // Per-row outputs joined in order; the fit graph's Gram matrix is each run's share: added in float64.
    const out: Record<string, Float32Array> = {};
    let gram: Float64Array | null = null;
    for (const name of Object.keys(parts[0] ?? {})) {
      if (name === 'gram') {
        gram = new Float64Array(parts[0]!.gram!.length);
        for (const p of parts) for (let j = 0; j < gram.length; j++) gram[j] = gram[j]! + p.gram![j]!;
        continue;
      }
      if (parts.length === 1) { out[name] = parts[0]![name]!; continue; }
      const all = new Float32Array(parts.reduce((sum, p) => sum + p[name]!.length, 0));
      let at = 0;
      for (const p of parts) { all.set(p[name]!, at); at += p[name]!.length; }
      out[name] = all;
    }
    return { out, gram };
  }

  /** Most rows per run of the exact heads (CELLS_RUN_ROWS unless a test sets fewer). */
  private get runRows(): number { return Math.max(1, this.sessionOptions.cellsRunRows ?? CELLS_RUN_ROWS); }

  private async runCellsOnce(session: OnnxSession, y: Float32Array, lse: Float32Array, rows: Int32Array, extra: Record<string, HostTensor> = {}): Promise<Record<string, Float32Array>> {
    const { K, D } = this.f;
    const frames = lse.length / K;
    // The whole batch goes in as it is (onnxruntime reads it in place); the graph gathers the rows.
    const out = await session.run({
      yAll: { type: 'float32', data: y.subarray(0, frames * this.cellsPerFrame * D), dims: [frames * this.cellsPerFrame, D] },
      lseAll: { type: 'float32', data: lse, dims: [frames, K] },
      rows: { type: 'int32', data: rows, dims: [rows.length] },
      ...extra,
    });
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array]));
  }

  /**
   * Fits the proxy on the exact head's logits (censored below, PROXY_FIT_FLOOR) for every cell of the
   * first frames (y [n, S², D]), sets the cut for `threshold`, and checks the fc1-folded head against
   * the unfolded one. Deterministic for the same frames.
   */
  async fit(y: Float32Array, n: number, threshold: number): Promise<{ confidence: Float32Array; boxes: Float32Array }> {
    const { K, D } = this.f;
    const rows = n * this.cellsPerFrame;
    const { lse } = await this.proxyOf(y, n);
    const lg = Math.log(threshold / (1 - threshold));
    // Censored target: logits far below the threshold are fitted as if they were at the floor. Most
    // cells are deep background (median logit ≈ −10 against a cut near −1.4); fitted exactly they
    // pull the line away from the cells near the threshold, which are the only ones the cut decides.
    const floor = Number.isFinite(lg) ? lg - PROXY_FIT_FLOOR : -Infinity;
    // Normal equations of logit ≈ a·fused + a0 from the Gram matrix of [fused, 1, target], made by the
    // fit graph run by run (no [rows, F] fused output, no session of its own).
    const fitted = await this.runCells(this.fitHead, y, lse, Int32Array.from({ length: rows }, (_, i) => i), { floor: { type: 'float32', data: Float32Array.of(floor), dims: [1] } });
    const exact = fitted.out;
    const logit = exact.logit!, gram = fitted.gram!;
    const F = this.f.fb.length;
    const P = F + 1;
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
        g[k * D + j] = s;
      }
    }
    let ab = 0;
    for (let o = 0; o < out; o++) ab += coef[o]! * this.f.fb[o]!;
    this.g = g;
    this.hk = hk;
    this.c0 = coef[F]! + ab; // proxy = a0 + a·fused = a0 + a·b + Σ_k α_k (g_k·y + h_k)
    const { proxy: p2 } = await this.proxyOf(y, n);
    // The fc1-folded head against the unfolded one on the cells of the first FC1_FOLD_CHECK_FRAMES fit frames.
    const checked = Math.min(n, FC1_FOLD_CHECK_FRAMES) * this.cellsPerFrame;
    const first = Int32Array.from({ length: checked }, (_, i) => i);
    const folded = (await this.runCells(this.confidenceHead, y, lse, first)).out;
    this.fc1Folded = maxAbsDiff(folded.confidence!, exact.confidence!.subarray(0, checked)) <= FC1_FOLD_TOLERANCE &&
      maxAbsDiff(folded.boxes!, exact.boxes!.subarray(0, checked * 4)) <= FC1_FOLD_TOLERANCE;
    let under = 0;
    for (let r = 0; r < rows; r++) if (logit[r]! >= lg - 1) under = Math.max(under, logit[r]! - p2[r]!);
    this.margin = Math.max(1, 2 * under);
    this.cut = threshold >= 1 ? Infinity : threshold <= 0 ? -Infinity : lg - this.margin;
    return { confidence: exact.confidence!, boxes: exact.boxes! };
  }

  /** Exact confidences and boxes for the cells of y [n, S², D] whose proxy passes the cut. */
  async run(y: Float32Array, n: number): Promise<PrefilterResult> {
    const { proxy, lse } = await this.proxyOf(y, n);
    const total = n * this.cellsPerFrame, cut = this.cut;
    // One pass into a scratch array (filled and copied out before any await, so searches sharing
    // this head cannot interleave in it).
    if (this.selection.length < total) this.selection = new Int32Array(total);
    const selection = this.selection;
    let kept = 0;
    for (let r = 0; r < total; r++) if (proxy[r]! >= cut) selection[kept++] = r;
    const cells = selection.slice(0, kept);
    if (cells.length === 0) return { cells, confidence: new Float32Array(0), boxes: new Float32Array(0) };
    // The unfolded head (when the fold did not check out) is the fit graph; its Gram matrix goes unused.
    const { out } = this.fc1Folded
      ? await this.runCells(this.confidenceHead, y, lse, cells)
      : await this.runCells(this.fitHead, y, lse, cells, { floor: { type: 'float32', data: Float32Array.of(-Infinity), dims: [1] } });
    return { cells, confidence: out.confidence!, boxes: out.boxes! };
  }

  async dispose(): Promise<void> {
    await this.proxy.dispose();
    await this.fitHead.dispose();
    await this.confidenceHead.dispose();
  }
}
