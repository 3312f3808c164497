/**
 * Training the crop network (cropNet.ts) from scratch on a dataset's people and exporting it to
 * ONNX. Samples are the people the colour reader learns from (samples.ts: queryable, ≥ 50 %
 * visible), each once — from all the split's frames by default: a network memorises the people of
 * a few thousand frames (session 27) — at its ground-truth box or a jittered one, kept as byte
 * crops; trained by trainCrops.ts (half of each batch mirrored: no attribute depends on left and right).
 */
import { ATTRIBUTES } from '../attributes/schema';
import { classifierLoss, SLOTS } from '../baseline/classifier';
import type { Params } from '../baseline/params';
import type { Dataset } from '../dataset/reader';
import type { SplitName } from '../dataset/format';
import { DatasetError } from '../errors';
import { Rng } from '../model/rng';
import { writeCrop } from './crop';
import { classifierConfigOf, CROP_NET_DEFAULTS, type CropNetConfig } from './cropNet';
import { forEachLabelledPerson, JITTER } from './samples';
import { exportCropCnn, stackCrops, trainCropCnn, trainingOptions, type CropTrainerOptions } from './trainCrops';

/** Crops as bytes [count, h, w, 3] with their attribute codes [count, 16] (−1 = unknown). */
export interface CropSamples {
  config: CropNetConfig;
  count: number;
  pixels: Uint8ClampedArray;
  labels: Int32Array;
}

export interface CropSampleOptions {
  /** First N labelled frames of the split (default all). */
  frames?: number;
  /** Share of the people cropped at a jittered box instead of the ground truth (default 0.5). */
  jitterShare?: number;
  seed?: number;
  config?: CropNetConfig;
  signal?: AbortSignal;
  onFrames?: (done: number, total: number) => void;
}

const ATTRIBUTE_COUNT = ATTRIBUTES.length;

export async function cropSamples(dataset: Dataset, split: SplitName, opts: CropSampleOptions = {}): Promise<CropSamples> {
  const config = opts.config ?? CROP_NET_DEFAULTS;
  const rng = new Rng(opts.seed ?? 1);
  const jitterShare = opts.jitterShare ?? 0.5;
  const per = config.cropSize[0] * config.cropSize[1] * 3;
  const crops: Uint8ClampedArray[] = [];
  const labels: number[] = [];
  await forEachLabelledPerson(dataset, split, opts, 'Training the crop network', (image, person) => {
    const [x0, y0, x1, y1] = person.box;
    const w = x1 - x0, h = y1 - y0;
    const jittered = rng.next() < jitterShare;
    const move = (size: number) => (jittered ? rng.uniform(-JITTER, JITTER) * size : 0);
    const crop = new Uint8ClampedArray(per);
    writeCrop(image, [x0 + move(w), y0 + move(h), x1 + move(w), y1 + move(h)], config.cropSize, crop);
    crops.push(crop);
    for (const a of ATTRIBUTES) labels.push(person.attributes[a.key] ?? -1);
  });
  if (crops.length === 0) throw new DatasetError(`${dataset.dir}: split "${split}" has no labelled, visible people to train the crop network on`, { file: dataset.dir });
  return { config, count: crops.length, pixels: stackCrops(crops, per), labels: Int32Array.from(labels) };
}

export type TrainCropNetOptions = CropTrainerOptions;

export const CROP_NET_TRAIN_DEFAULTS = { steps: 6000, batchSize: 64, learningRate: 2e-3, dropout: 0.25, seed: 5 } as const;

/** Trains a new crop network on `samples`; the caller disposes the returned weights (disposeParams). */
export async function trainCropNet(samples: CropSamples, opts: TrainCropNetOptions = {}): Promise<Params> {
  const cfg = classifierConfigOf(samples.config);
  return trainCropCnn({ cropSize: samples.config.cropSize, count: samples.count, pixels: samples.pixels }, cfg, SLOTS.total, trainingOptions(opts, CROP_NET_TRAIN_DEFAULTS, 'Training the crop network'), (logits, indices) => {
    // No attribute depends on left and right: a mirrored crop keeps its labels.
    const labels = new Int32Array(indices.length * ATTRIBUTE_COUNT);
    indices.forEach((index, b) => labels.set(samples.labels.subarray(index * ATTRIBUTE_COUNT, (index + 1) * ATTRIBUTE_COUNT), b * ATTRIBUTE_COUNT));
    return classifierLoss(logits, labels, indices.length);
  });
}

/** Writes the network to `file` as ONNX ([N, h, w, 3] "crops" −1..1 → [N, Σ values] "logits"); returns its SHA-256. */
export function exportCropNet(params: Params, config: CropNetConfig, file: string): { file: string; sha256: string; bytes: number } {
  return exportCropCnn(params, config, file, { name: 'fastpr_crop_attribute_net', output: 'logits', docString: 'FastPR re-ranker: attribute CNN on person crops (16 heads, concatenated logits).' });
}
