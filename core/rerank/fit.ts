/**
 * Fitting the crop attribute reader: one softmax per attribute, all attributes in one pass over the
 * data (they share the inputs), over a shared hidden layer of `hidden` ReLU units (0: linear, a
 * multinomial logistic regression per attribute). Minibatch Adam with decoupled L2 and a cosine
 * schedule to 5 %, seeded. Pure TypeScript; the descriptors are mostly sparse histograms, so the
 * first layer costs ~120 of its 504 rows per sample (v2): a few minutes for the defaults here.
 */
import { ATTRIBUTE_KEYS, type AttributeCodes, type AttributeKey } from '../attributes/schema';
import { throwIfCancelled } from '../jobs/progress';
import { Rng } from '../model/rng';
import { descriptorLength, DESCRIPTOR_VERSION, type DescriptorVersion } from './descriptor';
import { schemaClasses, type AttributeClassifier, type CropAttributeReader, type HiddenLayer } from './reader';

export interface LabelledDescriptor {
  descriptor: Float32Array;
  attributes: AttributeCodes;
}

export interface FitOptions {
  steps?: number;
  batchSize?: number;
  learningRate?: number;
  l2?: number;
  /** Hidden ReLU units (0 = linear). */
  hidden?: number;
  /** The descriptor version the samples were described with (default the current one). */
  descriptorVersion?: DescriptorVersion;
  seed?: number;
  /** Called every 100 steps with the step and the batch's mean cross-entropy per labelled attribute. */
  onStep?: (step: number, loss: number) => void;
  signal?: AbortSignal;
}

export const FIT_DEFAULTS = { steps: 3000, batchSize: 256, learningRate: 2e-3, linearLearningRate: 0.05, l2: 1e-4, hidden: 256, seed: 1 } as const;

/** Adam state of one parameter tensor. */
class Param {
  readonly m: Float32Array;
  readonly v: Float32Array;
  readonly g: Float32Array;
  constructor(readonly w: Float32Array) {
    this.m = new Float32Array(w.length);
    this.v = new Float32Array(w.length);
    this.g = new Float32Array(w.length);
  }
  step(rate: number, l2: number, t: number, scale: number): void {
    const b1 = 1 - 0.9 ** t, b2 = 1 - 0.999 ** t;
    for (let i = 0; i < this.w.length; i++) {
      const g = this.g[i]! * scale;
      this.m[i] = 0.9 * this.m[i]! + 0.1 * g;
      this.v[i] = 0.999 * this.v[i]! + 0.001 * g * g;
      this.w[i] = this.w[i]! * (1 - rate * l2) - (rate * (this.m[i]! / b1)) / (Math.sqrt(this.v[i]! / b2) + 1e-8);
    }
    this.g.fill(0);
  }
}

/**
 * Fits the reader. Each step yields to the event loop first, so a cancel (the signal aborted by a
 * job's cancel or SIGINT) is seen between steps, not only after the fit (~3 minutes at the defaults).
 */
export async function fitCropAttributeReader(samples: readonly LabelledDescriptor[], opts: FitOptions = {}): Promise<CropAttributeReader> {
  if (samples.length === 0) throw new Error('fitCropAttributeReader: no labelled samples');
  const steps = opts.steps ?? FIT_DEFAULTS.steps;
  const batchSize = Math.min(opts.batchSize ?? FIT_DEFAULTS.batchSize, samples.length);
  const H = opts.hidden ?? FIT_DEFAULTS.hidden;
  const lr = opts.learningRate ?? (H > 0 ? FIT_DEFAULTS.learningRate : FIT_DEFAULTS.linearLearningRate);
  const l2 = opts.l2 ?? FIT_DEFAULTS.l2;
  const descriptorVersion = opts.descriptorVersion ?? DESCRIPTOR_VERSION;
  const D = descriptorLength(descriptorVersion);
  const wrong = samples.find((s) => s.descriptor.length !== D);
  if (wrong) throw new Error(`fitCropAttributeReader: a sample's descriptor has ${wrong.descriptor.length} values; descriptor v${descriptorVersion} has ${D}`);
  const F = H > 0 ? H : D;
  const rng = new Rng(opts.seed ?? FIT_DEFAULTS.seed);
  // He initialisation for the hidden layer; the heads start at zero (uniform predictions).
  const hiddenW = H > 0 ? new Param(Float32Array.from({ length: D * H }, () => rng.normal() * Math.sqrt(2 / D))) : undefined;
  const hiddenB = H > 0 ? new Param(new Float32Array(H)) : undefined;
  const keys: AttributeKey[] = ATTRIBUTE_KEYS.filter((k) => samples.some((s) => (s.attributes[k] ?? -1) >= 0));
  const heads = keys.map((key) => ({ key, K: schemaClasses(key), p: new Param(new Float32Array((F + 1) * schemaClasses(key))) }));
  const feat = new Float32Array(F);
  const gFeat = new Float32Array(F);
  const probs = new Float64Array(16);
  for (let step = 1; step <= steps; step++) {
    if (opts.signal) {
      await new Promise((resolve) => setImmediate(resolve));
      throwIfCancelled(opts.signal, 'Fitting the re-ranker');
    }
    let loss = 0, labelled = 0;
    for (let b = 0; b < batchSize; b++) {
      const s = samples[Math.floor(rng.next() * samples.length)]!;
      const x = s.descriptor;
      if (hiddenW && hiddenB) {
        feat.set(hiddenB.w);
        for (let d = 0; d < D; d++) {
          const xd = x[d]!;
          if (xd === 0) continue;
          const row = d * H;
          for (let j = 0; j < H; j++) feat[j]! += xd * hiddenW.w[row + j]!;
        }
        for (let j = 0; j < H; j++) if (feat[j]! < 0) feat[j] = 0;
      } else {
        feat.set(x);
      }
      gFeat.fill(0);
      for (const h of heads) {
        const y = s.attributes[h.key] ?? -1;
        if (y < 0 || y >= h.K) continue;
        const K = h.K, w = h.p.w, g = h.p.g;
        for (let k = 0; k < K; k++) probs[k] = w[F * K + k]!;
        for (let f = 0; f < F; f++) {
          const xf = feat[f]!;
          if (xf === 0) continue;
          for (let k = 0; k < K; k++) probs[k]! += xf * w[f * K + k]!;
        }
        let max = -Infinity;
        for (let k = 0; k < K; k++) max = Math.max(max, probs[k]!);
        let sum = 0;
        for (let k = 0; k < K; k++) { probs[k] = Math.exp(probs[k]! - max); sum += probs[k]!; }
        for (let k = 0; k < K; k++) probs[k]! /= sum;
        loss -= Math.log(Math.max(probs[y]!, 1e-12));
        labelled++;
        probs[y]! -= 1; // d(cross-entropy)/d(logits)
        for (let k = 0; k < K; k++) g[F * K + k]! += probs[k]!;
        for (let f = 0; f < F; f++) {
          const xf = feat[f]!;
          if (xf !== 0) for (let k = 0; k < K; k++) g[f * K + k]! += xf * probs[k]!;
          // Back to the hidden units (only active ones pass a gradient on).
          if (hiddenW && xf > 0) {
            let back = 0;
            for (let k = 0; k < K; k++) back += w[f * K + k]! * probs[k]!;
            gFeat[f]! += back;
          }
        }
      }
      if (hiddenW && hiddenB) {
        for (let j = 0; j < H; j++) hiddenB.g[j]! += gFeat[j]!;
        for (let d = 0; d < D; d++) {
          const xd = x[d]!;
          if (xd === 0) continue;
          const row = d * H;
          for (let j = 0; j < H; j++) hiddenW.g[row + j]! += xd * gFeat[j]!;
        }
      }
    }
    // Gradients are means over the batch's samples (each labelled attribute's loss counts once).
    const rate = lr * (0.05 + 0.95 * 0.5 * (1 + Math.cos((Math.PI * (step - 1)) / steps)));
    const scale = 1 / batchSize;
    for (const h of heads) h.p.step(rate, l2, step, scale);
    hiddenW?.step(rate, l2, step, scale);
    hiddenB?.step(rate, 0, step, scale);
    if (opts.onStep && (step % 100 === 0 || step === steps)) opts.onStep(step, loss / Math.max(1, labelled));
  }
  const classifiers: AttributeClassifier[] = heads.map((h) => ({ key: h.key, classes: h.K, weights: h.p.w }));
  const hidden: HiddenLayer | undefined = hiddenW && hiddenB ? { width: H, weights: hiddenW.w, bias: hiddenB.w } : undefined;
  return { descriptorVersion, ...(hidden ? { hidden } : {}), classifiers };
}
