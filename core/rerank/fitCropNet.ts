/**
 * Training the crop network (cropNet.ts) from scratch on a dataset's people and exporting it to
 * ONNX. Samples are the people the colour reader learns from (samples.ts: queryable, ≥ 50 %
 * visible), each once — from all the split's frames by default: a network memorises the people of
 * a few thousand frames (session 27) — at its ground-truth box or a jittered one, kept as byte
 * crops; each step mirrors half its batch (no attribute depends on left and right). Adam (core/train/adam.ts) with a cosine
 * schedule to 5 %, seeded, on the active TF.js backend (wasm here: the caller initialises it).
 */
import { createHash } from 'node:crypto';
import { ATTRIBUTES } from '../attributes/schema';
import { buildClassifier, classifierForward, classifierLoss } from '../baseline/classifier';
import type { ClassifierConfig } from '../baseline/config';
import { conv, dense, disposeParams, type Params } from '../baseline/params';
import type { Dataset } from '../dataset/reader';
import type { SplitName } from '../dataset/format';
import { DatasetError } from '../errors';
import { throwIfCancelled } from '../jobs/progress';
import { writeFileAtomic } from '../model/atomicFile';
import { Rng } from '../model/rng';
import { exportFunction } from '../onnx/trace/exportFunction';
import { Adam } from '../train/adam';
import * as tf from '../tf/tf';
import { writeCrop } from './crop';
import { classifierConfigOf, CROP_NET_DEFAULTS, type CropNetConfig } from './cropNet';
import { forEachLabelledPerson, JITTER } from './samples';

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
  const pixels = new Uint8ClampedArray(crops.length * per);
  crops.forEach((c, i) => pixels.set(c, i * per));
  return { config, count: crops.length, pixels, labels: Int32Array.from(labels) };
}

export interface TrainCropNetOptions {
  steps?: number;
  batchSize?: number;
  learningRate?: number;
  /** Dropout rate on the flattened features and the hidden layer while training. */
  dropout?: number;
  seed?: number;
  signal?: AbortSignal;
  /** Every 100 steps: the step and the batch's mean cross-entropy per labelled attribute. */
  onStep?: (step: number, loss: number) => void;
}

export const CROP_NET_TRAIN_DEFAULTS = { steps: 6000, batchSize: 64, learningRate: 2e-3, dropout: 0.25, seed: 5 } as const;

/**
 * The network's forward pass while training: classifierForward with dropout on the flattened
 * features and on the hidden layer (the exported graph is classifierForward itself).
 */
function trainingForward(params: Params, cfg: ClassifierConfig, crops: tf.Tensor4D, dropout: number, seed: number): tf.Tensor2D {
  let x = crops;
  cfg.layers.forEach((l, i) => { x = conv(params, `cls.conv${i}`, x, l.stride); });
  const flat = tf.reshape(x, [x.shape[0], -1]) as tf.Tensor2D;
  const hidden = dense(params, 'cls.hidden', dropout > 0 ? tf.dropout(flat, dropout, undefined, seed) as tf.Tensor2D : flat);
  return dense(params, 'cls.out', dropout > 0 ? tf.dropout(hidden, dropout, undefined, seed + 1) as tf.Tensor2D : hidden, false);
}

/** A batch of `indices` as −1..1 floats, each mirrored when `mirror[i]`. */
function batchTensor(samples: CropSamples, indices: readonly number[], mirror: readonly boolean[]): tf.Tensor4D {
  const [h, w] = samples.config.cropSize;
  const per = h * w * 3;
  const x = new Float32Array(indices.length * per);
  indices.forEach((index, b) => {
    const src = index * per, dst = b * per;
    for (let y = 0; y < h; y++) {
      for (let col = 0; col < w; col++) {
        const from = src + (y * w + (mirror[b] ? w - 1 - col : col)) * 3, to = dst + (y * w + col) * 3;
        x[to] = samples.pixels[from]! / 127.5 - 1;
        x[to + 1] = samples.pixels[from + 1]! / 127.5 - 1;
        x[to + 2] = samples.pixels[from + 2]! / 127.5 - 1;
      }
    }
  });
  return tf.tensor4d(x, [indices.length, h, w, 3]);
}

/** Trains a new crop network on `samples`; the caller disposes the returned weights (disposeParams). */
export async function trainCropNet(samples: CropSamples, opts: TrainCropNetOptions = {}): Promise<Params> {
  const steps = opts.steps ?? CROP_NET_TRAIN_DEFAULTS.steps;
  const batchSize = Math.min(opts.batchSize ?? CROP_NET_TRAIN_DEFAULTS.batchSize, samples.count);
  const baseRate = opts.learningRate ?? CROP_NET_TRAIN_DEFAULTS.learningRate;
  const seed = opts.seed ?? CROP_NET_TRAIN_DEFAULTS.seed;
  const dropout = opts.dropout ?? CROP_NET_TRAIN_DEFAULTS.dropout;
  const cfg = classifierConfigOf(samples.config);
  const params = buildClassifier(cfg, seed);
  const byVariable = new Map([...params].map(([name, v]) => [v.name, name]));
  const adam = new Adam(params, { learningRate: baseRate, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, clipNorm: 0 });
  const rng = new Rng(seed);
  try {
    for (let step = 0; step < steps; step++) {
      // Each step yields to the event loop, so a cancel (signal, SIGINT) is seen between steps.
      await new Promise((resolve) => setImmediate(resolve));
      throwIfCancelled(opts.signal, 'Training the crop network');
      const indices = Array.from({ length: batchSize }, () => rng.int(samples.count));
      const mirror = indices.map(() => rng.next() < 0.5);
      const labels = new Int32Array(batchSize * ATTRIBUTE_COUNT);
      indices.forEach((index, b) => labels.set(samples.labels.subarray(index * ATTRIBUTE_COUNT, (index + 1) * ATTRIBUTE_COUNT), b * ATTRIBUTE_COUNT));
      const x = batchTensor(samples, indices, mirror);
      const dropoutSeed = rng.int(2 ** 30); // seeded masks: the same options train the same network
      const { value, grads } = tf.variableGrads(() => classifierLoss(trainingForward(params, cfg, x, dropout, dropoutSeed), labels, batchSize), [...params.values()]);
      x.dispose();
      const loss = value.dataSync()[0]!;
      value.dispose();
      if (!Number.isFinite(loss)) {
        tf.dispose(Object.values(grads));
        throw new Error(`crop network training diverged at step ${step} (loss ${loss})`);
      }
      const named = new Map(Object.entries(grads).map(([variable, g]) => [byVariable.get(variable)!, g]));
      const rate = baseRate * (0.05 + 0.95 * 0.5 * (1 + Math.cos((Math.PI * step) / steps)));
      adam.apply(named, rate);
      tf.dispose([...named.values()]);
      if (step % 100 === 0 || step === steps - 1) opts.onStep?.(step, loss);
    }
  } catch (err) {
    disposeParams(params);
    throw err;
  } finally {
    adam.dispose();
  }
  return params;
}

/** Writes the network to `file` as ONNX ([N, h, w, 3] "crops" −1..1 → [N, Σ values] "logits"); returns its SHA-256. */
export function exportCropNet(params: Params, config: CropNetConfig, file: string): { file: string; sha256: string; bytes: number } {
  const cfg = classifierConfigOf(config);
  const [h, w] = config.cropSize;
  const exported = exportFunction('fastpr_crop_attribute_net',
    (n) => ({ crops: tf.randomUniform([n, h, w, 3], -1, 1, 'float32', 4) }),
    (x) => ({ logits: classifierForward(params, cfg, x.crops as tf.Tensor4D) }),
    { constantNames: new Map([...params].map(([name, v]) => [v.id, name])), docString: 'FastPR re-ranker: attribute CNN on person crops (16 heads, concatenated logits).' });
  writeFileAtomic(file, exported.bytes);
  return { file, sha256: createHash('sha256').update(exported.bytes).digest('hex'), bytes: exported.bytes.length };
}
