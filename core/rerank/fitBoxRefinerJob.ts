/**
 * `fastpr fit-box-refiner`: train the box refiner (fitBoxRefiner.ts) on a dataset's train split, then
 * validate on the val split: the re-ranker as it is, and with the refiner at 1 and 2 passes, each with
 * α (and the crop network's weight) chosen again on the grids fit-reranker uses (refined boxes read
 * differently). The refiner is added to reranker.json (version 4, `reranker-boxes.onnx` beside it)
 * with its best passes, α and weight only when that raises R@1 at IoU > 0.5. The reader, the pool
 * and the crop network itself are unchanged.
 */
import { renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { framesOfSplit, readDataset } from '../dataset/reader';
import { DatasetError, ModelError } from '../errors';
import { disposeParams } from '../baseline/params';
import { ensureTrainingBackend } from '../tf/backend';
import { BOX_REFINER_DEFAULTS, BOX_REFINER_FILE } from './boxRefiner';
import { BOX_REFINER_TRAIN_DEFAULTS, exportBoxRefiner, refinerSamples, trainBoxRefiner } from './fitBoxRefiner';
import { readReranker, RERANKER_FILE, writeReranker, type BoxRefinerRef } from './file';
import { ALPHA_GRID, CROP_WEIGHT_GRID, pooledPredictions, scoreAlpha, type AlphaPoint } from './fitReranker';

/** Validation frames by default: 1,500 (~5,000 queries), ~2.5 minutes per run here. */
export const DEFAULT_REFINER_VAL_FRAMES = 1500;

export interface FitBoxRefinerOptions {
  dataDir: string;
  /** Train-split frames whose people are read (default all). */
  trainFrames?: number;
  /** Candidate boxes per person (default 2). */
  jitters?: number;
  steps?: number;
  valFrames?: number;
  seed?: number;
  threads?: number;
  signal?: AbortSignal;
  onPhase?: (phase: 'crops' | 'train box refiner' | 'validate', done: number, total: number) => void;
}

export interface FitBoxRefinerResult {
  file: string;
  kept: boolean;
  samples: number;
  /** Validation R@1 / R@5 at IoU > 0.5 of the re-ranker as it was. */
  without: AlphaPoint;
  /** Per number of passes, the best α (and crop network weight) with the refiner and its score. */
  byPasses: (AlphaPoint & { passes: number })[];
  best: AlphaPoint & { passes: number };
}

/** Refinement passes tried on the val split (session 28's prototype: a second pass added 0.7 points of R@1 at IoU > 0.5). */
export const REFINER_PASSES = [1, 2] as const;

export async function fitBoxRefiner(modelDir: string, opts: FitBoxRefinerOptions): Promise<FitBoxRefinerResult> {
  const reranker = readReranker(modelDir);
  if (!reranker) throw new ModelError(`${join(modelDir, RERANKER_FILE)}: missing; the box refiner is part of the re-ranker (run \`fastpr fit-reranker\` first)`, { file: join(modelDir, RERANKER_FILE) });
  const dataset = readDataset(opts.dataDir);
  const seed = opts.seed ?? BOX_REFINER_TRAIN_DEFAULTS.seed;
  await ensureTrainingBackend();
  const samples = await refinerSamples(dataset, 'train', {
    frames: opts.trainFrames, jitters: opts.jitters, seed, signal: opts.signal, onFrames: (d, t) => opts.onPhase?.('crops', d, t),
  });
  const steps = opts.steps ?? BOX_REFINER_TRAIN_DEFAULTS.steps;
  const params = await trainBoxRefiner(samples, { steps, seed, signal: opts.signal, onStep: (s) => opts.onPhase?.('train box refiner', s + 1, steps) });
  // Beside the model under a temporary name until reranker.json names it.
  const pending = join(modelDir, `${BOX_REFINER_FILE}.${process.pid}.pending`);
  try {
    let exported: ReturnType<typeof exportBoxRefiner>;
    try {
      exported = exportBoxRefiner(params, BOX_REFINER_DEFAULTS, pending);
    } finally {
      disposeParams(params);
    }
    const ref: BoxRefinerRef = { file: pending, sha256: exported.sha256, cropSize: BOX_REFINER_DEFAULTS.cropSize, context: BOX_REFINER_DEFAULTS.context, passes: 1 };
    const { boxRefiner: previous, sha256: _sha, ...withoutRefiner } = reranker;
    let valFrames = framesOfSplit(dataset, 'val').filter((f) => f.labelled && f.queries.length > 0);
    valFrames = valFrames.slice(0, opts.valFrames ?? DEFAULT_REFINER_VAL_FRAMES);
    if (valFrames.length === 0) throw new DatasetError(`${opts.dataDir}: the val split has no labelled frames with queries to validate the box refiner on`, { file: opts.dataDir });
    const runs = 1 + REFINER_PASSES.length;
    let validated = 0;
    const pooledWith = async (boxRefiner?: BoxRefinerRef) => {
      const pooled = await pooledPredictions(modelDir, dataset, valFrames, { ...withoutRefiner, ...(boxRefiner ? { boxRefiner } : {}) }, reranker.pool, opts,
        (d, t) => opts.onPhase?.('validate', validated * t + d, runs * t));
      validated++;
      return pooled;
    };
    const weight = reranker.cropNet?.weight ?? 0;
    // As it is, with the directory's refiner if it has one: a new refiner must beat what is in use.
    const without = scoreAlpha(valFrames, await pooledWith(previous), reranker.alpha, weight);
    // Refined boxes read differently: α (and the crop network's weight) are chosen again with them.
    const weights = reranker.cropNet ? CROP_WEIGHT_GRID : [0];
    const byPasses: (AlphaPoint & { passes: number })[] = [];
    for (const passes of REFINER_PASSES) {
      const pooled = await pooledWith({ ...ref, passes });
      const sweep = weights.flatMap((w) => ALPHA_GRID.map((alpha) => scoreAlpha(valFrames, pooled, alpha, w)));
      byPasses.push({ passes, ...sweep.reduce((a, b) => (b.r1 > a.r1 + 1e-9 ? b : a)) });
    }
    // The best R@1; ties to fewer passes (each costs a run).
    const best = byPasses.reduce((a, b) => (b.r1 > a.r1 + 1e-9 ? b : a));
    const kept = best.r1 > without.r1;
    const finalFile = join(modelDir, BOX_REFINER_FILE);
    const round = (p: AlphaPoint) => ({ alpha: p.alpha, cropWeight: p.cropWeight, r1: +p.r1.toFixed(2), r5: +p.r5.toFixed(2) });
    const provenance = {
      ...reranker.provenance,
      boxRefiner: {
        data: opts.dataDir, trainFrames: opts.trainFrames ?? 'all', jitters: opts.jitters ?? 2, crops: samples.count, ...BOX_REFINER_TRAIN_DEFAULTS, steps, seed,
        config: BOX_REFINER_DEFAULTS, valFrames: valFrames.length,
        without: round(without), byPasses: byPasses.map((p) => ({ passes: p.passes, ...round(p) })), kept,
        ...(kept ? { passes: best.passes, alphaBefore: reranker.alpha, ...(reranker.cropNet ? { cropWeightBefore: weight } : {}) } : {}),
      },
    };
    if (kept) {
      renameSync(pending, finalFile);
      writeReranker(modelDir, {
        ...withoutRefiner, alpha: best.alpha,
        ...(reranker.cropNet ? { cropNet: { ...reranker.cropNet, weight: best.cropWeight } } : {}),
        boxRefiner: { ...ref, file: finalFile, passes: best.passes }, provenance,
      });
    } else {
      // A refiner already in the directory stays as it was; the file records that this one was not kept.
      writeReranker(modelDir, { ...withoutRefiner, ...(reranker.boxRefiner ? { boxRefiner: reranker.boxRefiner } : {}), provenance });
    }
    return { file: join(modelDir, RERANKER_FILE), kept, samples: samples.count, without, best, byPasses };
  } finally {
    rmSync(pending, { force: true }); // renamed into place when kept
  }
}
