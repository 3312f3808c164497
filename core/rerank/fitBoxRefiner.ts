/**
 * Training the box refiner (boxRefiner.ts) from scratch on a dataset's people and exporting it to
 * ONNX. Each person (samples.ts: queryable, ≥ 50 % visible) is read at `jitters` candidate boxes
 * drawn around its ground-truth box with the one-stage model's errors (session 28, val: centre
 * offsets with standard deviations 0.22 and 0.17 of the box, log width and height 0.30 and 0.23),
 * one in five twice as far off; the target is where the true box lies relative to the candidate.
 * Trained by trainCrops.ts with a Huber loss (a mirrored region's horizontal offset is negated).
 */
import type { Params } from '../baseline/params';
import type { Dataset } from '../dataset/reader';
import type { SplitName } from '../dataset/format';
import { DatasetError } from '../errors';
import { Rng } from '../model/rng';
import * as tf from '../tf/tf';
import { applyOffsets, BOX_REFINER_DEFAULTS, boxOffsets, OFFSET_SCALE, refinerRegion, type BoxRefinerConfig } from './boxRefiner';
import { writeCrop } from './crop';
import { classifierConfigOf } from './cropNet';
import { forEachLabelledPerson } from './samples';
import { exportCropCnn, stackCrops, trainCropCnn, trainingOptions, type CropTrainerOptions } from './trainCrops';

/** Regions as bytes [count, h, w, 3] with the offsets of the true box from each candidate [count, 4]. */
export interface RefinerSamples {
  config: BoxRefinerConfig;
  count: number;
  pixels: Uint8ClampedArray;
  offsets: Float32Array;
}

export interface RefinerSampleOptions {
  /** First N labelled frames of the split (default all). */
  frames?: number;
  /** Candidate boxes per person (default 2). */
  jitters?: number;
  seed?: number;
  config?: BoxRefinerConfig;
  signal?: AbortSignal;
  onFrames?: (done: number, total: number) => void;
}

/** Standard deviations of the candidates' offsets from the truth: centre x, y (shares of the box), log width, log height. */
export const CANDIDATE_SPREAD = [0.2, 0.15, 0.28, 0.22] as const;

export async function refinerSamples(dataset: Dataset, split: SplitName, opts: RefinerSampleOptions = {}): Promise<RefinerSamples> {
  const config = opts.config ?? BOX_REFINER_DEFAULTS;
  const rng = new Rng(opts.seed ?? 7);
  const jitters = opts.jitters ?? 2;
  const per = config.cropSize[0] * config.cropSize[1] * 3;
  const crops: Uint8ClampedArray[] = [];
  const offsets: number[] = [];
  await forEachLabelledPerson(dataset, split, opts, 'Training the box refiner', (image, person) => {
    const truth = person.box;
    for (let j = 0; j < jitters; j++) {
      const spread = rng.next() < 0.2 ? 2 : 1;
      // The candidate is drawn as an offset from the truth and the truth's offset from it recomputed:
      // the two differ (sizes are relative to different boxes).
      const drawn = CANDIDATE_SPREAD.map((s) => rng.normal() * s * spread);
      const candidate = applyOffsets(truth, [-drawn[0]!, -drawn[1]!, -drawn[2]!, -drawn[3]!]);
      const crop = new Uint8ClampedArray(per);
      writeCrop(image, refinerRegion(candidate, config.context), config.cropSize, crop);
      crops.push(crop);
      offsets.push(...boxOffsets(candidate, truth));
    }
  });
  if (crops.length === 0) throw new DatasetError(`${dataset.dir}: split "${split}" has no labelled, visible people to train the box refiner on`, { file: dataset.dir });
  return { config, count: crops.length, pixels: stackCrops(crops, per), offsets: Float32Array.from(offsets) };
}

export type TrainBoxRefinerOptions = CropTrainerOptions;

export const BOX_REFINER_TRAIN_DEFAULTS = { steps: 6000, batchSize: 64, learningRate: 2e-3, dropout: 0.1, seed: 5 } as const;

/** Trains a new box refiner on `samples`; the caller disposes the returned weights (disposeParams). */
export async function trainBoxRefiner(samples: RefinerSamples, opts: TrainBoxRefinerOptions = {}): Promise<Params> {
  return trainCropCnn({ cropSize: samples.config.cropSize, count: samples.count, pixels: samples.pixels }, classifierConfigOf(samples.config), 4,
    trainingOptions(opts, BOX_REFINER_TRAIN_DEFAULTS, 'Training the box refiner'), (predicted, indices, mirror) => {
    const target = new Float32Array(indices.length * 4);
    indices.forEach((index, b) => {
      for (let d = 0; d < 4; d++) target[b * 4 + d] = samples.offsets[index * 4 + d]! / OFFSET_SCALE * (d === 0 && mirror[b] ? -1 : 1);
    });
    return tf.tidy(() => tf.mean(tf.losses.huberLoss(tf.tensor2d(target, [indices.length, 4]), predicted, undefined, 1, tf.Reduction.NONE)) as tf.Scalar);
  });
}

/** Writes the refiner to `file` as ONNX ([N, h, w, 3] "crops" −1..1 → [N, 4] "offsets" / OFFSET_SCALE); returns its SHA-256. */
export function exportBoxRefiner(params: Params, config: BoxRefinerConfig, file: string): { file: string; sha256: string; bytes: number } {
  return exportCropCnn(params, config, file, {
    name: 'fastpr_box_refiner', output: 'offsets',
    docString: 'FastPR re-ranker: box refiner (centre offsets and log size ratios of the person box relative to the candidate, / 0.2).',
  });
}
