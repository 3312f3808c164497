/**
 * The training loop the re-ranker's crop CNNs share (the crop network, fitCropNet.ts; the box
 * refiner, fitBoxRefiner.ts): the baseline classifier's network (classifier.ts) with `outputs`
 * logits, trained from scratch on byte crops, each step a seeded batch with half its crops mirrored,
 * dropout on the flattened features and the hidden layer, Adam (core/train/adam.ts) with a cosine
 * schedule to 5 %, on the active TF.js backend (wasm here: the caller initialises it). Each step
 * yields to the event loop, so a cancel (signal, SIGINT) is seen between steps.
 */
import { createHash } from 'node:crypto';
import { buildClassifier, classifierForward } from '../baseline/classifier';
import type { ClassifierConfig } from '../baseline/config';
import { conv, dense, disposeParams, type Params } from '../baseline/params';
import { throwIfCancelled } from '../jobs/progress';
import { writeFileAtomic } from '../model/atomicFile';
import { Rng } from '../model/rng';
import { exportFunction } from '../onnx/trace/exportFunction';
import { Adam } from '../train/adam';
import * as tf from '../tf/tf';
import type { CropSize } from './crop';
import { classifierConfigOf, type CropNetConfig } from './cropNet';

/** Crops as bytes [count, h, w, 3]. */
export interface CropPixels {
  cropSize: CropSize;
  count: number;
  pixels: Uint8ClampedArray;
}

/** What a caller may set of a crop CNN's training; the rest comes from the network's defaults. */
export interface CropTrainerOptions {
  steps?: number;
  batchSize?: number;
  learningRate?: number;
  /** Dropout rate on the flattened features and the hidden layer while training. */
  dropout?: number;
  seed?: number;
  signal?: AbortSignal;
  /** Every 100 steps and the last: the step and the batch's loss. */
  onStep?: (step: number, loss: number) => void;
}

export type CropTrainingDefaults = Pick<CropTrainingOptions, 'steps' | 'batchSize' | 'learningRate' | 'dropout' | 'seed'>;

/** `opts` over `defaults`, for the job named `task`. */
export function trainingOptions(opts: CropTrainerOptions, defaults: CropTrainingDefaults, task: string): CropTrainingOptions {
  return {
    steps: opts.steps ?? defaults.steps,
    batchSize: opts.batchSize ?? defaults.batchSize,
    learningRate: opts.learningRate ?? defaults.learningRate,
    dropout: opts.dropout ?? defaults.dropout,
    seed: opts.seed ?? defaults.seed,
    task,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onStep ? { onStep: opts.onStep } : {}),
  };
}

/** Crops gathered one by one, stacked into one byte array. */
export function stackCrops(crops: readonly Uint8ClampedArray[], per: number): Uint8ClampedArray {
  const pixels = new Uint8ClampedArray(crops.length * per);
  crops.forEach((c, i) => pixels.set(c, i * per));
  return pixels;
}

/**
 * Writes a trained crop CNN to `file` as ONNX ([N, h, w, 3] "crops" −1..1 → [N, outputs] named
 * `output`); returns its SHA-256.
 */
export function exportCropCnn(
  params: Params, config: CropNetConfig, file: string, graph: { name: string; output: string; docString: string },
): { file: string; sha256: string; bytes: number } {
  const cfg = classifierConfigOf(config);
  const [h, w] = config.cropSize;
  const exported = exportFunction(graph.name,
    (n) => ({ crops: tf.randomUniform([n, h, w, 3], -1, 1, 'float32', 4) }),
    (x) => ({ [graph.output]: classifierForward(params, cfg, x.crops as tf.Tensor4D) }),
    { constantNames: new Map([...params].map(([name, v]) => [v.id, name])), docString: graph.docString });
  writeFileAtomic(file, exported.bytes);
  return { file, sha256: createHash('sha256').update(exported.bytes).digest('hex'), bytes: exported.bytes.length };
}

export interface CropTrainingOptions {
  steps: number;
  batchSize: number;
  learningRate: number;
  /** Dropout rate on the flattened features and the hidden layer while training. */
  dropout: number;
  seed: number;
  /** Names the job in a cancel's or a divergence's message ("Training the crop network"). */
  task: string;
  signal?: AbortSignal;
  /** Every 100 steps and the last: the step and the batch's loss. */
  onStep?: (step: number, loss: number) => void;
}

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
function batchTensor(crops: CropPixels, indices: readonly number[], mirror: readonly boolean[]): tf.Tensor4D {
  const [h, w] = crops.cropSize;
  const per = h * w * 3;
  const x = new Float32Array(indices.length * per);
  indices.forEach((index, b) => {
    const src = index * per, dst = b * per;
    for (let y = 0; y < h; y++) {
      for (let col = 0; col < w; col++) {
        const from = src + (y * w + (mirror[b] ? w - 1 - col : col)) * 3, to = dst + (y * w + col) * 3;
        x[to] = crops.pixels[from]! / 127.5 - 1;
        x[to + 1] = crops.pixels[from + 1]! / 127.5 - 1;
        x[to + 2] = crops.pixels[from + 2]! / 127.5 - 1;
      }
    }
  });
  return tf.tensor4d(x, [indices.length, h, w, 3]);
}

/**
 * Trains a new network with `outputs` logits on `crops`; `lossOf` scores a batch's logits against
 * its samples' targets (`mirror[b]`: sample b was read mirrored). The caller disposes the returned
 * weights (disposeParams).
 */
export async function trainCropCnn(
  crops: CropPixels, cfg: ClassifierConfig, outputs: number, opts: CropTrainingOptions,
  lossOf: (logits: tf.Tensor2D, indices: readonly number[], mirror: readonly boolean[]) => tf.Scalar,
): Promise<Params> {
  const batchSize = Math.min(opts.batchSize, crops.count);
  const params = buildClassifier(cfg, opts.seed, outputs);
  const byVariable = new Map([...params].map(([name, v]) => [v.name, name]));
  const adam = new Adam(params, { learningRate: opts.learningRate, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, clipNorm: 0 });
  const rng = new Rng(opts.seed);
  try {
    for (let step = 0; step < opts.steps; step++) {
      await new Promise((resolve) => setImmediate(resolve));
      throwIfCancelled(opts.signal, opts.task);
      const indices = Array.from({ length: batchSize }, () => rng.int(crops.count));
      const mirror = indices.map(() => rng.next() < 0.5);
      const x = batchTensor(crops, indices, mirror);
      const dropoutSeed = rng.int(2 ** 30); // seeded masks: the same options train the same network
      const { value, grads } = tf.variableGrads(() => lossOf(trainingForward(params, cfg, x, opts.dropout, dropoutSeed), indices, mirror), [...params.values()]);
      x.dispose();
      const loss = value.dataSync()[0]!;
      value.dispose();
      if (!Number.isFinite(loss)) {
        tf.dispose(Object.values(grads));
        throw new Error(`${opts.task}: training diverged at step ${step} (loss ${loss})`);
      }
      const named = new Map(Object.entries(grads).map(([variable, g]) => [byVariable.get(variable)!, g]));
      const rate = opts.learningRate * (0.05 + 0.95 * 0.5 * (1 + Math.cos((Math.PI * step) / opts.steps)));
      adam.apply(named, rate);
      tf.dispose([...named.values()]);
      if (step % 100 === 0 || step === opts.steps - 1) opts.onStep?.(step, loss);
    }
  } catch (err) {
    disposeParams(params);
    throw err;
  } finally {
    adam.dispose();
  }
  return params;
}
