/**
 * Stage 2: an attribute classifier on person crops — a small CNN, flattened (so it keeps where on
 * the body a colour is), one hidden dense layer, then 16 softmax heads (one per attribute, over
 * that attribute's values; "unknown" is not a class: unknown labels are masked out of the loss).
 */
import { ATTRIBUTES } from '../attributes/schema';
import * as tf from '../tf/tf';
import { slotLayout, type ClassifierConfig } from './config';
import { convStackMacs } from './macs';
import { conv, dense, ParamBuilder, type Params } from './params';

export const SLOT_VALUE_COUNTS: readonly number[] = ATTRIBUTES.map((a) => a.values.length);
export const SLOTS = slotLayout(SLOT_VALUE_COUNTS);

/** `outputs`: the logits' width — the attribute slots by default; the re-ranker's box refiner asks for 4 offsets. */
export function buildClassifier(cfg: ClassifierConfig, seed: number, outputs: number = SLOTS.total): Params {
  const b = new ParamBuilder(seed);
  let cin = 3;
  cfg.layers.forEach((l, i) => { b.conv(`cls.conv${i}`, l.k, cin, l.out); cin = l.out; });
  const s = convStackMacs(cfg.layers, cfg.cropSize[0], cfg.cropSize[1], 3);
  b.dense('cls.hidden', s.h * s.w * s.c, cfg.hidden);
  b.dense('cls.out', cfg.hidden, outputs, 1);
  return b.params;
}

/** crops: [N, h, w, 3] normalised to −1..1 → concatenated logits [N, Σ values]. */
export function classifierForward(params: Params, cfg: ClassifierConfig, crops: tf.Tensor4D): tf.Tensor2D {
  let x = crops;
  cfg.layers.forEach((l, i) => { x = conv(params, `cls.conv${i}`, x, l.stride); });
  const flat = tf.reshape(x, [x.shape[0], -1]) as tf.Tensor2D;
  return dense(params, 'cls.out', dense(params, 'cls.hidden', flat), false);
}

/** Per-slot softmax of concatenated logits → concatenated probabilities [N, Σ values]. */
export function slotProbabilities(logits: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.concat(tf.split(logits, [...SLOT_VALUE_COUNTS], 1).map((l) => tf.softmax(l)), 1) as tf.Tensor2D);
}

/**
 * Mean over labelled (crop, slot) pairs of the slot's cross-entropy. labels: [N, 16] codes, −1 = unknown.
 * oneHot/mask are built on the host, so the graph stays simple for every backend.
 */
export function classifierLoss(logits: tf.Tensor2D, labels: Int32Array, n: number): tf.Scalar {
  const target = new Float32Array(n * SLOTS.total);
  let labelled = 0;
  for (let i = 0; i < n; i++) {
    for (let s = 0; s < SLOT_VALUE_COUNTS.length; s++) {
      const code = labels[i * SLOT_VALUE_COUNTS.length + s]!;
      if (code < 0 || code >= SLOT_VALUE_COUNTS[s]!) continue;
      target[i * SLOTS.total + SLOTS.offsets[s]! + code] = 1;
      labelled++;
    }
  }
  return tf.tidy(() => {
    const logProbs = tf.concat(tf.split(logits, [...SLOT_VALUE_COUNTS], 1).map((l) => tf.logSoftmax(l)), 1);
    const t = tf.tensor2d(target, [n, SLOTS.total]);
    return tf.div(tf.neg(tf.sum(tf.mul(logProbs, t))), Math.max(1, labelled)) as tf.Scalar;
  });
}
