/**
 * `fastpr fit-reranker`: fit the crop attribute reader on a dataset's train split (ground-truth
 * boxes, jittered) — and, when asked, train the crop network (fitCropNet.ts) on it too — then choose
 * α (and the crop network's weight) on its validation split with the model's own candidates: the
 * pair of the best R@1 at IoU > 0.5, ties to the smaller weight, then the smaller α; write
 * MODEL_DIR/reranker.json (and reranker-crops.onnx when the crop network is kept). A box refiner
 * already in the directory (fit-box-refiner) is kept.
 */
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { MANIFEST_FILE } from '../dataset/format';
import { framesOfSplit, readDataset, type Dataset } from '../dataset/reader';
import { DatasetError } from '../errors';
import { toEvalFrame, toEvalQueries } from '../eval/evaluateDataset';
import { FastprOnnxEvaluator, type PooledPrediction } from '../eval/fastprOnnx';
import { buildEvalReport } from '../eval/report';
import { throwIfCancelled } from '../jobs/progress';
import type { QueryPrediction } from '../eval/types';
import { disposeParams } from '../baseline/params';
import { ensureTrainingBackend } from '../tf/backend';
import { BoxReader, joinedLogLikelihood } from './boxReader';
import { CROP_NET_DEFAULTS, CROP_NET_FILE } from './cropNet';
import { cropSamples, CROP_NET_TRAIN_DEFAULTS, exportCropNet, trainCropNet } from './fitCropNet';
import { fitCropAttributeReader, FIT_DEFAULTS } from './fit';
import { readReranker, writeReranker, type CropNetRef, type Reranker } from './file';
import { rankByScore, rerankScore } from './rerank';
import { labelledDescriptors } from './samples';
import type { CropAttributeReader } from './reader';
import type { FrameAnnotation } from '../dataset/format';

export const ALPHA_GRID = [0, 0.25, 0.5, 0.75, 1, 1.5, 2, 3] as const;
/** The crop network's weight against the colour reader's log-likelihood (0: not used). */
export const CROP_WEIGHT_GRID = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.75, 1] as const;
export const DEFAULT_POOL = 20;
/** Train-split frames described by default: 6,000 (~180,000 boxes) read 0.7 points better on validation than 3,000 (session 26). */
export const DEFAULT_TRAIN_FRAMES = 6000;

export interface FitRerankerOptions {
  dataDir: string;
  /** Train-split frames described (default DEFAULT_TRAIN_FRAMES). */
  trainFrames?: number;
  /** Validation frames the α sweep runs on (default all). */
  valFrames?: number;
  steps?: number;
  /** Hidden ReLU units of the reader (default 256; 0 = linear). */
  hidden?: number;
  pool?: number;
  seed?: number;
  threads?: number;
  /** Train the crop network too (default off: it takes ~25 minutes at the defaults here). */
  cropNet?: { steps?: number; trainFrames?: number };
  signal?: AbortSignal;
  onPhase?: (phase: 'describe' | 'fit' | 'crops' | 'train crop network' | 'validate', done: number, total: number) => void;
}

export interface AlphaPoint {
  alpha: number;
  /** The crop network's weight (0 without one). */
  cropWeight: number;
  /** R@1 and R@5 at IoU > 0.5, any matching person, in %. */
  r1: number;
  r5: number;
}

export interface FitRerankerResult {
  file: string;
  reranker: Omit<Reranker, 'sha256'>;
  samples: number;
  sweep: AlphaPoint[];
}

/** R@1 / R@5 at IoU > 0.5 of the pooled candidates ranked with `alpha` and the crop network at `cropWeight`. */
export function scoreAlpha(frames: FrameAnnotation[], pooled: readonly PooledPrediction[], alpha: number, cropWeight = 0): AlphaPoint {
  const predictions: QueryPrediction[] = pooled.map((q) => ({
    frameId: q.frameId, queryIndex: q.queryIndex, absent: q.absent,
    candidates: rankByScore(q.candidates.map((c) => rerankScore(c.confidence, joinedLogLikelihood(c.colour, c.crop, cropWeight), alpha)))
      .map((i) => ({ box: q.candidates[i]!.box, score: q.candidates[i]!.confidence })),
  }));
  const report = buildEvalReport(frames, predictions, { model: 'sweep', dataset: { dir: '', source: 'sweep', split: 'val' }, protocol: 'paper' });
  const at = (n: number) => 100 * (report.paper!.anyMatch.find((c) => c.n === n && Math.abs(c.iou - 0.5) < 1e-9)?.recall ?? 0);
  return { alpha, cropWeight, r1: at(1), r5: at(5) };
}

/**
 * Every query of `frames` with the model's `pool` most confident candidates and what `reranker`'s
 * BoxReader reads from each (boxes refined first where it has a box refiner): an α and weight sweep
 * re-sorts these without running the model again.
 */
export async function pooledPredictions(
  modelDir: string, dataset: Dataset, frames: FrameAnnotation[], reranker: Pick<Reranker, 'reader' | 'cropNet' | 'boxRefiner'>, pool: number,
  opts: { threads?: number; signal?: AbortSignal }, onFrames?: (done: number, total: number) => void,
): Promise<PooledPrediction[]> {
  const evaluator = await FastprOnnxEvaluator.open(modelDir, { rerank: false, threads: opts.threads });
  const pooled: PooledPrediction[] = [];
  try {
    const boxReader = await BoxReader.open(reranker, opts.threads);
    try {
      for (let start = 0; start < frames.length; start += 8) {
        throwIfCancelled(opts.signal, 'Fitting the re-ranker');
        const batch = frames.slice(start, start + 8);
        pooled.push(...await evaluator.predictPooled(batch.map((f) => toEvalFrame(dataset, f)), batch.flatMap(toEvalQueries), boxReader, pool, opts.signal));
        onFrames?.(Math.min(start + 8, frames.length), frames.length);
      }
    } finally {
      await boxReader.dispose();
    }
  } finally {
    await evaluator.dispose();
  }
  return pooled;
}

/**
 * The directory's box refiner and its provenance, carried into the new reranker.json: it was trained
 * on the people's boxes alone, so a new reader stays valid with it (α is chosen on the boxes it
 * refines). None when there is no readable one.
 */
function currentBoxRefiner(modelDir: string): Pick<Reranker, 'boxRefiner'> & { provenance?: unknown } {
  let current: Reranker | undefined;
  try {
    current = readReranker(modelDir);
  } catch {
    return {}; // an unreadable (or mismatched) reranker.json has nothing worth keeping: it is replaced
  }
  return current?.boxRefiner ? { boxRefiner: current.boxRefiner, provenance: current.provenance.boxRefiner } : {};
}

export async function fitReranker(modelDir: string, opts: FitRerankerOptions): Promise<FitRerankerResult> {
  const dataset = readDataset(opts.dataDir);
  const carried = currentBoxRefiner(modelDir);
  let valFrames = framesOfSplit(dataset, 'val').filter((f) => f.labelled && f.queries.length > 0);
  if (opts.valFrames !== undefined) valFrames = valFrames.slice(0, opts.valFrames);
  if (valFrames.length === 0) throw new DatasetError(`${opts.dataDir}: the val split has no labelled frames with queries to choose α on`, { file: opts.dataDir });
  const trainFrames = opts.trainFrames ?? DEFAULT_TRAIN_FRAMES;
  const seed = opts.seed ?? FIT_DEFAULTS.seed;
  const samples = await labelledDescriptors(dataset, 'train', {
    frames: trainFrames, seed, signal: opts.signal, onFrames: (d, t) => opts.onPhase?.('describe', d, t),
  });
  const steps = opts.steps ?? FIT_DEFAULTS.steps;
  const hidden = opts.hidden ?? FIT_DEFAULTS.hidden;
  const reader: CropAttributeReader = await fitCropAttributeReader(samples, {
    steps, seed, hidden, signal: opts.signal, onStep: (s) => opts.onPhase?.('fit', s, steps),
  });
  let cropNet: CropNetRef | undefined;
  let cropNetProvenance: Record<string, unknown> | undefined;
  if (opts.cropNet) {
    await ensureTrainingBackend();
    const crops = await cropSamples(dataset, 'train', {
      frames: opts.cropNet.trainFrames, seed, signal: opts.signal, onFrames: (d, t) => opts.onPhase?.('crops', d, t),
    });
    const netSteps = opts.cropNet.steps ?? CROP_NET_TRAIN_DEFAULTS.steps;
    const params = await trainCropNet(crops, { steps: netSteps, signal: opts.signal, onStep: (s) => opts.onPhase?.('train crop network', s + 1, netSteps) });
    try {
      // Beside the model under a temporary name until reranker.json names it: a model directory in
      // use keeps a network that matches its reranker.json while this one is validated.
      const exported = exportCropNet(params, CROP_NET_DEFAULTS, join(modelDir, `${CROP_NET_FILE}.${process.pid}.pending`));
      cropNet = { file: exported.file, sha256: exported.sha256, cropSize: CROP_NET_DEFAULTS.cropSize, weight: 1 };
    } finally {
      disposeParams(params);
    }
    cropNetProvenance = { ...CROP_NET_TRAIN_DEFAULTS, steps: netSteps, crops: crops.count, config: CROP_NET_DEFAULTS };
  }
  const pending = cropNet?.file;
  try {
    const pool = opts.pool ?? DEFAULT_POOL;
    // With the directory's box refiner, if any: α is chosen on what the kept reranker.json will read.
    const pooled = await pooledPredictions(modelDir, dataset, valFrames, { reader, ...(cropNet ? { cropNet } : {}), ...(carried.boxRefiner ? { boxRefiner: carried.boxRefiner } : {}) }, pool, opts, (d, t) => opts.onPhase?.('validate', d, t));
    const weights = cropNet ? CROP_WEIGHT_GRID : [0];
    const sweep = weights.flatMap((w) => ALPHA_GRID.map((alpha) => scoreAlpha(valFrames, pooled, alpha, w)));
    const best = sweep.reduce((a, b) => (b.r1 > a.r1 + 1e-9 ? b : a));
    if (cropNet && best.cropWeight === 0) cropNet = undefined; // the colour reader alone ranked best: the network is not kept
    const finalFile = join(modelDir, CROP_NET_FILE);
    if (cropNet) {
      renameSync(cropNet.file, finalFile);
      cropNet = { ...cropNet, file: finalFile };
    }
    const reranker = {
      reader, alpha: best.alpha, pool,
      ...(cropNet ? { cropNet: { ...cropNet, weight: best.cropWeight } } : {}),
      ...(carried.boxRefiner ? { boxRefiner: carried.boxRefiner } : {}),
      provenance: {
        data: opts.dataDir, dataManifestSha256: createHash('sha256').update(readFileSync(join(opts.dataDir, MANIFEST_FILE))).digest('hex'),
        trainFrames: Math.min(trainFrames, framesOfSplit(dataset, 'train').length), samples: samples.length, steps, hidden, seed,
        ...(cropNetProvenance ? { cropNet: { ...cropNetProvenance, kept: cropNet !== undefined } } : {}),
        valFrames: valFrames.length,
        alphaSweep: sweep.map((p) => ({ alpha: p.alpha, ...(opts.cropNet ? { cropWeight: p.cropWeight } : {}), r1: +p.r1.toFixed(2), r5: +p.r5.toFixed(2) })),
        ...(carried.provenance !== undefined ? { boxRefiner: carried.provenance } : {}),
      },
    };
    const file = writeReranker(modelDir, reranker);
    // A network of an earlier fit that this reranker.json no longer names.
    if (!cropNet) rmSync(finalFile, { force: true });
    return { file, reranker, samples: samples.length, sweep };
  } finally {
    if (pending) rmSync(pending, { force: true }); // renamed into place when kept
  }
}
