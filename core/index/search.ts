/**
 * Searching an index: the query's tokens through head.onnx over the cached features in large
 * batches (the encoder never runs), then per frame the best cell and every cell at or above the
 * extend confidence (boxes decoded only for those, mapped to frame pixels), merged into sightings
 * (each with a hit at or above the threshold; weaker hits of the same track extend it).
 * Optional coarse-to-fine: query every k-th frame, then every frame within k of a coarse hit.
 */
import type { AttributeCodes } from '../attributes/schema';
import { CancelledError } from '../errors';
import { decodeFrame, type FramePrediction } from '../infer/decodeFrames';
import { queryTokens, type OnnxRetriever } from '../infer/onnxRetriever';
import { clipBox, decodeBox, iou } from '../model/boxes';
import { inputBoxToFrame } from '../model/preprocess';
import { BLOCK_FRAMES } from './coefficientCache';
import type { IndexFile, IndexSegment } from './indexFile';
import { mergeSightings, type FrameHit, type FrameHits, type MergeOptions, type Sighting } from './sightings';

/** Default extend confidence as a share of the threshold (core/index/README.md, *Sightings*). */
export const EXTEND_SHARE = 0.5;

/** The confidence down to which hits extend a sighting: as given, else EXTEND_SHARE × threshold; never above the threshold. */
export function extendConfidenceFor(threshold: number, extendConfidence: number | undefined): number {
  return Math.min(threshold, extendConfidence ?? threshold * EXTEND_SHARE);
}

export interface SearchOptions extends MergeOptions {
  /** The model's absent threshold unless given. */
  threshold?: number;
  /** IoU above which a weaker cell of the same frame is dropped (default 0.5). */
  nmsIou?: number;
  /** Frames per head run (default 256). */
  batchSize?: number;
  /** Coarse-to-fine stride k (default 1: every frame). */
  coarseStride?: number;
  /** In the coarse pass, frames with a cell ≥ threshold·coarseRelax count as hits (default 0.8). */
  coarseRelax?: number;
  /**
   * 'folded' (default): the query-folded head (core/infer/foldedHead.ts), verified against the
   * exported head on the first batch and replaced by it on any difference; 'exported': head.onnx as is.
   */
  head?: 'folded' | 'exported';
  /**
   * Run the head on every cell of every frame. Default false: on 'pca' indexes with the folded head
   * a per-query linear proxy of the confidence logit picks the cells the exact head runs on
   * (core/infer/prefilterHead.ts); frames none of whose cells pass get no best confidence (NaN).
   */
  exhaustive?: boolean;
  signal?: AbortSignal;
}

export interface IndexSearchResult {
  frames: FrameHits[];
  /** Best confidence per indexed frame (NaN for frames the coarse pass skipped). */
  bestConfidence: Float32Array;
  /** The cell with the best confidence per indexed frame (-1 for frames the coarse pass skipped). */
  bestCell: Int16Array;
  sightings: Sighting[];
  framesQueried: number;
  seconds: number;
  /** Whether the folded head answered (false: the exported head). */
  foldedHead: boolean;
  /** Whether the proxy prefilter chose the cells (bestConfidence NaN where no cell passed it). */
  prefilter: boolean;
  /** Cells the exact head ran on (frames queried × S² without the prefilter). */
  cellsEvaluated: number;
  /** Cells in the index (frames × S²): what an exhaustive search scores. */
  cellsIndexed: number;
}

/**
 * Share of indexed cells the exact head scored, rounded to 1e-4 (1 = exhaustive; less with the
 * proxy prefilter or coarse-to-fine). Stored with a search so a report says how much of the footage
 * an "absent" rests on.
 */
export function exactHeadCellShare(cellsEvaluated: number, cellsIndexed: number): number {
  return cellsIndexed ? Math.round((cellsEvaluated / cellsIndexed) * 1e4) / 1e4 : 1;
}

/** Fewest frames in a search's first batch for the prefilter to be fitted (16·S² cells). */
export const PREFILTER_MIN_FRAMES = 16;

/** What the head reads per frame: full features, or coefficients on the index's pca basis. */
type FrameSource = 'features' | 'coefficients';

/** Fills `dst` with the features (or coefficients) of list[s..s+n) (runs of consecutive frames in one call). */
function readFrames(index: IndexFile, source: FrameSource, list: Int32Array, s: number, n: number, dst: Float32Array): void {
  const per = source === 'coefficients' ? index.coefficientsPerFrame : index.floatsPerFrame;
  for (let i = 0; i < n;) {
    let j = i + 1;
    while (j < n && list[s + j] === list[s + i]! + (j - i)) j++;
    const d = dst.subarray(i * per, j * per);
    if (source === 'coefficients') index.coefficients(list[s + i]!, j - i, d);
    else index.features(list[s + i]!, j - i, d);
    i = j;
  }
}

type QueryOutcome = { frames: FrameHits[]; folded: boolean; prefilter: boolean };

/**
 * Runs the head on the listed frames (ascending) one basis segment at a time (a head folded with a
 * basis, and a prefilter fitted on it, serve only that basis' frames) and extracts hits.
 * `folded`: every part used the folded head; `prefilter`: some part used the prefilter.
 */
/**
 * `select`: the confidence the prefilter picks cells for (the threshold); `keep`: the confidence
 * down to which the scored cells become hits (the extend confidence). Extending costs nothing: with
 * the prefilter, weak hits come only from cells it picked for the threshold (bench:video measures
 * what that misses against exhaustive scoring, which finds them all).
 */
interface Levels { select: number; keep: number }

async function querySegments(index: IndexFile, retriever: OnnxRetriever, tokens: number[], list: Int32Array, levels: Levels, nmsIou: number, batch: number, best: Float32Array, bestCell: Int16Array, useFolded: boolean, prefilter: boolean, evaluated: { n: number }, signal?: AbortSignal): Promise<QueryOutcome> {
  const out: QueryOutcome = { frames: [], folded: list.length > 0, prefilter: false };
  for (let s = 0; s < list.length;) {
    const seg = index.segments.find((g) => list[s]! >= g.start && list[s]! < g.end)!;
    let e = s;
    while (e < list.length && list[e]! < seg.end) e++;
    const r = await queryFrames(index, seg, retriever, tokens, list.subarray(s, e), levels, nmsIou, batch, best, bestCell, useFolded, prefilter, evaluated, signal);
    for (const f of r.frames) out.frames.push(f);
    out.folded &&= r.folded;
    out.prefilter ||= r.prefilter;
    s = e;
  }
  return out;
}

/** Runs the head on the listed frames (ascending, all in `segment`) and extracts hits; writes best confidences. */
async function queryFrames(index: IndexFile, segment: IndexSegment, retriever: OnnxRetriever, tokens: number[], list: Int32Array, levels: Levels, nmsIou: number, batch: number, best: Float32Array, bestCell: Int16Array, useFolded: boolean, prefilter: boolean, evaluated: { n: number }, signal?: AbortSignal): Promise<QueryOutcome> {
  const h = index.header;
  const S = h.grid;
  const cells = S * S;
  const out: FrameHits[] = [];
  if (list.length === 0) return { frames: out, folded: false, prefilter: false };
  const first = Math.min(batch, list.length);
  // 'pca' storage: the folded head takes the coefficients (d per cell instead of M); otherwise, or
  // when the folded head is not usable, the features are reconstructed for the exported head.
  const basis = segment.basis;
  let source: FrameSource = basis && useFolded ? 'coefficients' : 'features';
  let per = source === 'coefficients' ? index.coefficientsPerFrame : index.floatsPerFrame;
  /** How many of the (up to n) frames from list[s] are consecutive within one cache block. */
  const cachedRun = (s: number, n: number): number => {
    const f = list[s]!;
    const blockLeft = BLOCK_FRAMES - (f % BLOCK_FRAMES);
    let run = 1;
    while (run < n && run < blockLeft && list[s + run] === f + run) run++;
    return run;
  };
  // Two input buffers, made when a batch is not a view into the coefficient cache: the next batch is
  // decoded into one while the head's run on the other is pending. onnxruntime-node's CPU run
  // computes later on this thread (so here the two take turns), but it reads its input only then,
  // so decoding must not overwrite the batch it was given.
  let bufs: [Float32Array, Float32Array] | null = null;
  const buffer = (i: 0 | 1): Float32Array => (bufs ??= [new Float32Array(first * per), new Float32Array(first * per)])[i];
  // The first batch (the heads' checks and the prefilter's fit read it): a view when its frames are
  // one cached run, as repeated searches of a cached index find them (no 2 × 9.6 MB of buffers and
  // no 9.6 MB copy per search), else read into the first buffer.
  const firstBatch = (): Float32Array => {
    const view = source === 'coefficients' && cachedRun(0, first) === first ? index.coefficientsView(list[0]!, first) : null;
    if (view) return view;
    readFrames(index, source, list, 0, first, buffer(0));
    return buffer(0);
  };
  let x = firstBatch();
  const projection = basis ? { d: basis.d, mean: basis.mean, basis: basis.basis, key: segment.key } : undefined;
  const folded = useFolded ? await retriever.foldedHeadFor(tokens, x, first, source === 'coefficients' ? projection : undefined) : null;
  if (!folded && source === 'coefficients') {
    source = 'features';
    per = index.floatsPerFrame;
    bufs = null;
    x = firstBatch();
  }
  const width = source === 'coefficients' ? basis!.d : h.featureWidth;
  // The prefilter (pca + folded head, not exhaustive): fitted on the first batch, checked there against the folded head;
  // not for fewer than PREFILTER_MIN_FRAMES frames (too few cells to fit 257 coefficients: those run exhaustively).
  const pf = folded && source === 'coefficients' && prefilter && first >= PREFILTER_MIN_FRAMES ? await retriever.prefilterFor(tokens, x, first, projection!, levels.select, folded) : null;
  type BatchOut = { rows: Int32Array | null; confidence: Float32Array; boxes: Float32Array };
  const run = async (x: Float32Array, n: number): Promise<BatchOut> => {
    if (pf) { const r = await pf.run(x, n); return { rows: r.cells, confidence: r.confidence, boxes: r.boxes }; }
    const r = await (folded ? folded.run(x.subarray(0, n * per), n, S, width) : retriever.queryFeatures(x.subarray(0, n * per), n, tokens, signal));
    return { rows: null, confidence: r.confidence, boxes: r.boxes };
  };
  // The next batch: a view into the coefficient cache where its frames are consecutive within one
  // cached block (no copy; such a batch ends at the block's end), else decoded or copied into the
  // input buffer the pending run does not read.
  let cur = 0;
  const nextBatch = (s: number): { x: Float32Array; n: number } => {
    let n = Math.min(batch, list.length - s);
    if (source === 'coefficients') {
      const run = cachedRun(s, n);
      const view = index.coefficientsView(list[s]!, run);
      if (view) return { x: view, n: run };
    }
    cur ^= 1;
    readFrames(index, source, list, s, n, buffer(cur as 0 | 1));
    return { x: buffer(cur as 0 | 1), n };
  };
  let n = first;
  const cand: number[] = []; // a frame's candidate positions (reused)
  for (let s = 0; s < list.length;) {
    if (signal?.aborted) throw new CancelledError('search cancelled');
    const pending = run(x, n);
    const next = s + n < list.length ? nextBatch(s + n) : null;
    const r = await pending;
    const rows = r.rows, conf = r.confidence;
    let p = 0; // prefilter: position in the selected rows (ascending)
    for (let i = 0; i < n; i++) {
      const frame = list[s + i]!;
      // This frame's evaluated cells are positions [q0, q1) of r.confidence: all its cells, or
      // those the prefilter kept (rows ascending, so cells ascending within a frame too).
      const q0 = rows ? p : i * cells;
      if (rows) while (p < rows.length && rows[p]! < (i + 1) * cells) p++;
      const q1 = rows ? p : q0 + cells;
      evaluated.n += q1 - q0;
      if (q1 === q0) continue; // no cell of this frame can reach the threshold (prefilter)
      // Positions q ascend with the cells (rows ascending), so ties in confidence go to the lower
      // cell, which is the earlier position.
      const base = i * cells;
      let bq = q0;
      for (let q = q0 + 1; q < q1; q++) if (conf[q]! > conf[bq]!) bq = q;
      best[frame] = conf[bq]!;
      bestCell[frame] = (rows ? rows[bq]! : bq) - base;
      if (conf[bq]! < levels.keep) continue;
      // Candidates by confidence, best first (ties: lower cell); an insertion sort — a frame has a few.
      cand.length = 0;
      for (let q = q0; q < q1; q++) {
        if (!(conf[q]! >= levels.keep)) continue;
        let at = cand.length;
        while (at > 0 && conf[cand[at - 1]!]! < conf[q]!) at--;
        cand.splice(at, 0, q);
      }
      const hits: FrameHit[] = [];
      for (const q of cand) {
        const o = q * 4;
        const c = (rows ? rows[q]! : q) - base;
        const inBox = decodeBox(c, { x: r.boxes[o]!, y: r.boxes[o + 1]!, w: r.boxes[o + 2]!, h: r.boxes[o + 3]! }, h.inputSize, h.inputSize, S);
        const box = clipBox(inputBoxToFrame(h.transform, inBox), h.frameWidth, h.frameHeight);
        let kept = true;
        for (let k = 0; k < hits.length && kept; k++) kept = iou(hits[k]!.box, box) <= nmsIou;
        if (kept) hits.push({ cell: c, confidence: conf[q]!, box });
      }
      out.push({ frame, timeS: index.timesS[frame]!, hits });
    }
    s += n;
    if (next) ({ x, n } = next);
  }
  return { frames: out, folded: folded !== null, prefilter: pf !== null };
}

export async function searchIndex(index: IndexFile, retriever: OnnxRetriever, codes: AttributeCodes, opts: SearchOptions = {}): Promise<IndexSearchResult> {
  // The per-query heads it fetches from the retriever's cache stay alive until it ends.
  return retriever.withCachedHeads(() => searchWithHeads(index, retriever, codes, opts));
}

async function searchWithHeads(index: IndexFile, retriever: OnnxRetriever, codes: AttributeCodes, opts: SearchOptions): Promise<IndexSearchResult> {
  const t0 = performance.now();
  const threshold = opts.threshold ?? retriever.manifest.threshold;
  // Scored cells down to the extend confidence become hits: they may extend a sighting.
  const floor = extendConfidenceFor(threshold, opts.extendConfidence);
  const nmsIou = opts.nmsIou ?? 0.5;
  const batch = Math.max(1, opts.batchSize ?? 256);
  const k = Math.max(1, Math.floor(opts.coarseStride ?? 1));
  const tokens = queryTokens(codes);
  const N = index.frameCount;
  const best = new Float32Array(N).fill(NaN);
  const bestCell = new Int16Array(N).fill(-1);
  const useFolded = (opts.head ?? 'folded') === 'folded';
  const prefilter = !opts.exhaustive;
  const evaluated = { n: 0 };
  let frames: FrameHits[];
  let folded = false;
  let usedPrefilter = false;
  let queried = 0;
  if (k === 1) {
    const all = Int32Array.from({ length: N }, (_, i) => i);
    ({ frames, folded, prefilter: usedPrefilter } = await querySegments(index, retriever, tokens, all, { select: threshold, keep: floor }, nmsIou, batch, best, bestCell, useFolded, prefilter, evaluated, opts.signal));
    queried = N;
  } else {
    const coarse = Int32Array.from({ length: Math.ceil(N / k) }, (_, i) => i * k);
    const coarseBest = new Float32Array(N).fill(NaN);
    const coarseCell = new Int16Array(N).fill(-1);
    const c = await querySegments(index, retriever, tokens, coarse, { select: threshold * (opts.coarseRelax ?? 0.8), keep: threshold * (opts.coarseRelax ?? 0.8) }, nmsIou, batch, coarseBest, coarseCell, useFolded, prefilter, evaluated, opts.signal);
    folded = c.folded;
    usedPrefilter = c.prefilter;
    const want = new Uint8Array(N);
    for (const f of coarse) {
      if (!(coarseBest[f]! >= threshold * (opts.coarseRelax ?? 0.8))) continue;
      for (let j = Math.max(0, f - k + 1); j <= Math.min(N - 1, f + k - 1); j++) want[j] = 1;
    }
    const wanted = [] as number[];
    want.forEach((w, i) => { if (w) wanted.push(i); });
    const fine = Int32Array.from(wanted);
    frames = (await querySegments(index, retriever, tokens, fine, { select: threshold, keep: floor }, nmsIou, batch, best, bestCell, useFolded, prefilter, evaluated, opts.signal)).frames;
    for (const f of coarse) if (Number.isNaN(best[f]!)) { best[f] = coarseBest[f]!; bestCell[f] = coarseCell[f]!; }
    queried = coarse.length + fine.length;
  }
  const sightings = mergeSightings(frames, { ...opts, threshold, extendConfidence: floor });
  return { frames, bestConfidence: best, bestCell, sightings, framesQueried: queried, seconds: (performance.now() - t0) / 1000, foldedHead: folded, prefilter: usedPrefilter, cellsEvaluated: evaluated.n, cellsIndexed: index.frameCount * index.header.grid * index.header.grid };
}

/** Full §3.4.2 detail for one indexed frame: top-k, cells above threshold, confidence map, attention. */
export async function frameDetail(index: IndexFile, retriever: OnnxRetriever, codes: AttributeCodes, frame: number, opts: { threshold?: number; topK?: number; attention?: boolean } = {}): Promise<FramePrediction & { timeS: number }> {
  const h = index.header;
  const buf = index.features(frame, 1, new Float32Array(index.floatsPerFrame));
  const out = await retriever.queryFeatures(buf, 1, queryTokens(codes));
  const p = decodeFrame(out, 0, h.grid, retriever.slots, h.inputSize, h.transform, h.frameWidth, h.frameHeight,
    { threshold: opts.threshold ?? retriever.manifest.threshold, topK: opts.topK ?? 5, attention: opts.attention });
  return { ...p, timeS: index.timesS[frame]! };
}
