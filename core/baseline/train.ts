/**
 * Training of the baseline's two stages on a dataset: the detector on every annotated person of
 * the labelled training frames, the attribute classifier on ground-truth crops (jittered, flipped)
 * with their attribute codes. Adam, seeded sampling; losses reported through progress events.
 */
import { join } from 'node:path';
import { codesToSlotArray } from '../attributes/schema';
import type { Box, FrameAnnotation } from '../dataset/format';
import { framesOfSplit, type Dataset } from '../dataset/reader';
import { DatasetError } from '../errors';
import { ProgressMeter, throwIfCancelled, type ProgressListener } from '../jobs/progress';
import * as tf from '../tf/tf';
import { classifierForward, classifierLoss, SLOT_VALUE_COUNTS } from './classifier';
import type { BaselineConfig } from './config';
import { decodeDetections, detectorForward, detectorLoss, encodeDetectorTargets, gridSize } from './detector';
import { cropBoxes, detectorInput, frameToInputBox, loadFrameTensor } from './frames';
import { seededUniform, type Params } from './params';

/** One optimisation step's loss function; returns the scalar loss. */
export type LossFn = () => tf.Scalar;

/** Runs `steps` Adam steps; batchLoss(step) builds the step's loss (its inputs are disposed by the caller's tidy). */
export async function runSteps(
  params: Params, steps: number, learningRate: number,
  batchLoss: (step: number) => Promise<{ loss: LossFn; dispose: () => void }>,
  onStep?: (step: number, loss: number) => void, signal?: AbortSignal,
): Promise<number[]> {
  const optimizer = tf.train.adam(learningRate);
  const vars = [...params.values()];
  const losses: number[] = [];
  try {
    for (let step = 0; step < steps; step++) {
      throwIfCancelled(signal, 'Baseline training');
      const batch = await batchLoss(step);
      const cost = optimizer.minimize(batch.loss, true, vars);
      batch.dispose();
      const value = (await cost!.data())[0]!;
      cost!.dispose();
      if (!Number.isFinite(value)) throw new Error(`baseline training diverged at step ${step} (loss ${value})`);
      losses.push(value);
      onStep?.(step, value);
    }
  } finally {
    optimizer.dispose();
  }
  return losses;
}

/** Decoded frames kept across steps (decoding dominates small steps). */
class FrameCache {
  private readonly map = new Map<string, tf.Tensor3D>();
  constructor(private readonly capacity: number) {}
  async get(path: string): Promise<tf.Tensor3D> {
    const hit = this.map.get(path);
    if (hit) { this.map.delete(path); this.map.set(path, hit); return hit; }
    const t = await loadFrameTensor(path);
    this.map.set(path, t);
    if (this.map.size > this.capacity) {
      const [oldest, tensor] = this.map.entries().next().value as [string, tf.Tensor3D];
      this.map.delete(oldest);
      tensor.dispose();
    }
    return t;
  }
  dispose(): void { for (const t of this.map.values()) t.dispose(); this.map.clear(); }
}

function flipBox(box: Box, width: number): Box {
  return [width - box[2], box[1], width - box[0], box[3]];
}

export interface BaselineTrainOptions {
  detectorSteps: number;
  classifierSteps: number;
  detectorBatch?: number;
  classifierBatch?: number;
  learningRate?: number;
  cacheFrames?: number;
  signal?: AbortSignal;
  progress?: ProgressListener;
}

export interface BaselineTrainResult {
  detectorLosses: number[];
  classifierLosses: number[];
  /** Per slot: accuracy of the classifier on validation (or training) ground-truth crops; NaN when no labels. */
  slotAccuracy: number[];
  trainFrames: number;
  trainPersons: number;
}

/** Trains both stages in place. */
export async function trainBaseline(
  dataset: Dataset, config: BaselineConfig, detector: Params, classifier: Params, opts: BaselineTrainOptions,
): Promise<BaselineTrainResult> {
  const train = framesOfSplit(dataset, 'train').filter((f) => f.labelled && f.persons.length > 0);
  if (train.length === 0) throw new DatasetError(`${dataset.dir}: the train split has no labelled frames with persons`, { file: dataset.dir });
  const val = framesOfSplit(dataset, 'val').filter((f) => f.labelled && f.persons.length > 0);
  const pathOf = (f: FrameAnnotation) => join(dataset.dir, f.image);
  const cache = new FrameCache(opts.cacheFrames ?? 96);
  const rand = seededUniform(config.seed * 7919 + 17);
  const pick = <T>(list: T[]) => list[Math.floor(rand() * list.length) % list.length]!;
  const dCfg = config.detector;
  const cCfg = config.classifier;
  const lr = opts.learningRate ?? 1e-3;
  const total = opts.detectorSteps + opts.classifierSteps;
  const meter = opts.progress ? new ProgressMeter(`baseline-${Date.now()}`, 'train', opts.progress, 'steps') : undefined;
  const g = gridSize(dCfg);
  try {
    // Stage 1: detector on all annotated persons.
    const dBatch = opts.detectorBatch ?? 8;
    const detectorLosses = await runSteps(detector, opts.detectorSteps, lr, async () => {
      const frames = Array.from({ length: dBatch }, () => pick(train));
      const flips = frames.map(() => rand() < 0.5);
      const tensors = await Promise.all(frames.map((f) => cache.get(pathOf(f))));
      const images = tf.tidy(() => detectorInput(tensors.map((t, i) => (flips[i] ? tf.reverse(t, 1) : t) as tf.Tensor3D), dCfg));
      const targets = tf.tensor4d(
        Float32Array.from(frames.flatMap((f, i) => Array.from(encodeDetectorTargets(
          f.persons.map((p) => frameToInputBox(flips[i] ? flipBox(p.box, f.width) : p.box, f.width, f.height, dCfg.inputSize)), dCfg)))),
        [dBatch, g, g, 5],
      );
      return {
        loss: () => detectorLoss(detectorForward(detector, dCfg, images), targets, dCfg),
        dispose: () => { images.dispose(); targets.dispose(); },
      };
    }, (step, loss) => meter?.update(step + 1, total, { phase: 'detector', metrics: { loss } }), opts.signal);

    // Stage 2: classifier on jittered ground-truth crops.
    const persons = train.flatMap((f) => f.persons.map((p) => ({ f, p }))).filter(({ p }) => codesToSlotArray(p.attributes).some((c) => c >= 0));
    if (persons.length === 0) throw new DatasetError(`${dataset.dir}: no training person has attribute labels`, { file: dataset.dir });
    const cBatch = opts.classifierBatch ?? 32;
    const jitter = cCfg.jitter;
    const classifierLosses = await runSteps(classifier, opts.classifierSteps, lr, async () => {
      const chosen = Array.from({ length: cBatch }, () => pick(persons));
      const crops: tf.Tensor4D[] = [];
      for (const { f, p } of chosen) {
        const [l, t, r, b] = p.box;
        const w = r - l, h = b - t;
        const j = () => (rand() * 2 - 1) * jitter;
        const box: Box = [l + j() * w, t + j() * h, r + j() * w, b + j() * h];
        crops.push(cropBoxes(await cache.get(pathOf(f)), [box], cCfg, rand() < 0.5));
      }
      const batch = tf.concat(crops, 0) as tf.Tensor4D;
      crops.forEach((c) => c.dispose());
      const labels = Int32Array.from(chosen.flatMap(({ p }) => codesToSlotArray(p.attributes)));
      return {
        loss: () => classifierLoss(classifierForward(classifier, cCfg, batch), labels, cBatch),
        dispose: () => batch.dispose(),
      };
    }, (step, loss) => meter?.update(opts.detectorSteps + step + 1, total, { phase: 'classifier', metrics: { loss } }), opts.signal);

    const evalFrames = val.length ? val : train;
    const slotAccuracy = await classifierSlotAccuracy(evalFrames, classifier, config, (f) => cache.get(pathOf(f)));
    meter?.finish('done', total, total);
    return { detectorLosses, classifierLosses, slotAccuracy, trainFrames: train.length, trainPersons: persons.length };
  } finally {
    cache.dispose();
  }
}

/** Per-slot accuracy of the classifier on ground-truth crops of (up to 64) frames. */
export async function classifierSlotAccuracy(
  frames: FrameAnnotation[], classifier: Params, config: BaselineConfig, load: (f: FrameAnnotation) => Promise<tf.Tensor3D>,
): Promise<number[]> {
  const right = new Array<number>(SLOT_VALUE_COUNTS.length).fill(0);
  const seen = new Array<number>(SLOT_VALUE_COUNTS.length).fill(0);
  for (const f of frames.slice(0, 64)) {
    const frame = await load(f);
    const logits = tf.tidy(() => classifierForward(classifier, config.classifier, cropBoxes(frame, f.persons.map((p) => p.box), config.classifier)));
    const values = await logits.data();
    logits.dispose();
    const width = values.length / f.persons.length;
    f.persons.forEach((p, i) => {
      const codes = codesToSlotArray(p.attributes);
      let off = 0;
      SLOT_VALUE_COUNTS.forEach((n, s) => {
        const code = codes[s]!;
        if (code >= 0) {
          let best = 0;
          for (let v = 1; v < n; v++) if (values[i * width + off + v]! > values[i * width + off + best]!) best = v;
          seen[s]!++;
          if (best === code) right[s]!++;
        }
        off += n;
      });
    });
  }
  return right.map((r, s) => (seen[s] ? r / seen[s]! : Number.NaN));
}

/** Detections of the current detector on one frame, in detector-input pixels (for diagnostics). */
export function detectOnInput(detector: Params, config: BaselineConfig, input: tf.Tensor4D): ReturnType<typeof decodeDetections>[] {
  const out = detectorForward(detector, config.detector, input);
  const values = out.dataSync() as Float32Array;
  out.dispose();
  const per = values.length / input.shape[0];
  return Array.from({ length: input.shape[0] }, (_, i) => decodeDetections(values.subarray(i * per, (i + 1) * per), config.detector));
}
