/**
 * The loss terms of FastPR (paper eq. 1–7). Each takes predictions and targets as tensors and
 * returns a scalar; the normalisation of each is documented in README.md ("Losses").
 */
import * as tf from '../tf/tf';
import type { LossWeights } from './config';

const SQRT_EPS = 1e-6;
/** Keeps ln finite for a zero size; far below the smallest box a person gets (~0.02 of the image). */
const LOG_EPS = 1e-4;

/** max(1, Σ mask) as a scalar tensor. */
function countOf(mask: tf.Tensor): tf.Scalar {
  return tf.maximum(tf.sum(mask), 1) as tf.Scalar;
}

/**
 * Eq. 1, categorical: −log softmax(logits)[target] per slot, averaged over slots with known = 1.
 * logits [B, T, V]; targets int32 [B, T] (global tokens); known [B, T].
 */
export function labelLoss(logits: tf.Tensor3D, targets: tf.Tensor2D, known: tf.Tensor2D): tf.Scalar {
  const V = logits.shape[2];
  const logp = tf.logSoftmax(logits, -1);
  const picked = tf.sum(tf.mul(logp, tf.oneHot(tf.cast(targets, 'int32'), V)), -1); // [B, T]
  return tf.div(tf.neg(tf.sum(tf.mul(picked, known))), countOf(known)) as tf.Scalar;
}

/** Eq. 2 (L1): mean |pred − target| over pixels and channels, averaged over present samples. */
export function reconstructionLoss(pred: tf.Tensor4D, target: tf.Tensor4D, present: tf.Tensor1D): tf.Scalar {
  const perSample = tf.mean(tf.abs(tf.sub(pred, target)), [1, 2, 3]); // [B]
  return tf.div(tf.sum(tf.mul(perSample, present)), countOf(present)) as tf.Scalar;
}

/** Eq. 3: Σ_cells (C − Ĉ)² per sample, mean over the batch. confidence, target [B, S²]. */
export function confidenceLoss(confidence: tf.Tensor2D, target: tf.Tensor2D): tf.Scalar {
  return tf.mean(tf.sum(tf.squaredDifference(confidence, target), -1)) as tf.Scalar;
}

/**
 * The 'bce' alternative to eq. 3: Σ_cells BCE(σ(z), Ĉ) per sample, mean over the batch, computed
 * from the logits z in the stable form max(z, 0) − z·Ĉ + log(1 + e^−|z|). logits, target [B, S²].
 */
export function confidenceLossBce(logits: tf.Tensor2D, target: tf.Tensor2D): tf.Scalar {
  const perCell = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, target)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
  return tf.mean(tf.sum(perCell, -1)) as tf.Scalar;
}

/**
 * Eq. 4 on responsible cells (obj [B, S²] = 1), with √ of w and h ('sqrt', the paper) or ln of w and h
 * ('log'); summed per sample, averaged over samples that have a target (present [B]).
 * pred, target [B, S², 4] as (x, y, w, h).
 */
export function boxLoss(
  pred: tf.Tensor3D, target: tf.Tensor3D, obj: tf.Tensor2D, present: tf.Tensor1D, sizeLoss: 'sqrt' | 'log' = 'sqrt',
): tf.Scalar {
  const [pxy, pwh] = tf.split(pred, [2, 2], -1);
  const [txy, twh] = tf.split(target, [2, 2], -1);
  const dxy = tf.sum(tf.squaredDifference(pxy!, txy!), -1);
  const sizeScale = sizeLoss === 'log' ? (t: tf.Tensor) => tf.log(tf.add(t, LOG_EPS)) : (t: tf.Tensor) => tf.sqrt(tf.add(t, SQRT_EPS));
  const dwh = tf.sum(tf.squaredDifference(sizeScale(pwh!), sizeScale(twh!)), -1);
  return tf.div(tf.sum(tf.mul(tf.add(dxy, dwh), obj)), countOf(present)) as tf.Scalar;
}

/**
 * Cell ranking loss (ours): per query with a target, −log of the softmax mass over the S² cells that
 * falls on the positive cells, i.e. logsumexp(z) − logsumexp(z over positives). R@1 asks which cell
 * ranks first; per-cell BCE scores each cell on its own, this scores the ranking itself (the
 * described person's cell against every other person's). logits, target [B, S²]; queries without a
 * positive cell (absent targets) do not count; mean over those that do.
 */
export function cellRankingLoss(logits: tf.Tensor2D, target: tf.Tensor2D): tf.Scalar {
  const hasPositive = tf.cast(tf.greater(tf.sum(target, -1), 0), 'float32'); // [B]
  const all = tf.logSumExp(logits, -1);
  // Non-positive cells pushed 1e4 down: out of the positives' logsumexp without an infinity.
  const positives = tf.logSumExp(tf.add(logits, tf.mul(tf.sub(target, 1), 1e4)), -1);
  return tf.div(tf.sum(tf.mul(tf.sub(all, positives), hasPositive)), countOf(hasPositive)) as tf.Scalar;
}

/** Eq. 5, categorical over the 8 offset classes; averaged over samples with valid = 1. */
export function offsetLoss(logits: tf.Tensor2D, labels: tf.Tensor1D, valid: tf.Tensor1D): tf.Scalar {
  const logp = tf.logSoftmax(logits, -1);
  const picked = tf.sum(tf.mul(logp, tf.oneHot(tf.cast(labels, 'int32'), logits.shape[1])), -1);
  return tf.div(tf.neg(tf.sum(tf.mul(picked, valid))), countOf(valid)) as tf.Scalar;
}

/**
 * L_attr (ours, not in the paper): dense attribute supervision of I_en through the semantic
 * embedding table itself. For every labelled person's cell c and known slot i, the scores
 * ⟨I_en[c], E[token]⟩ / (τ√M) over slot i's value tokens — exactly the attention logits the slot
 * would produce — are trained with cross-entropy towards the person's value. This ties attention to
 * attributes from the first step instead of waiting for the localisation loss to discover it.
 * encoded [B, S², M]; table [V, M]; membership [V, T] (1 where a value token belongs to slot i,
 * unknown tokens excluded); targets int32 [B, S², T] global tokens; mask [B, S², T]. Mean over
 * the masked (cell, slot) pairs.
 */
export function cellAttributeLoss(
  encoded: tf.Tensor3D, table: tf.Tensor2D, membership: tf.Tensor2D, targets: tf.Tensor3D, mask: tf.Tensor3D, scale: number,
): tf.Scalar {
  const [B, C, M] = encoded.shape;
  const V = table.shape[0];
  const T = membership.shape[1];
  const logits = tf.reshape(tf.mul(tf.matMul(tf.reshape(encoded, [B * C, M]), table, false, true), scale), [B * C, V]) as tf.Tensor2D;
  return slotCrossEntropy(logits, membership, tf.reshape(targets, [B * C, T]) as tf.Tensor2D, tf.reshape(mask, [B * C, T]) as tf.Tensor2D);
}

/**
 * Per-slot softmax cross-entropy over vocabulary logits [N, V]: each slot's softmax runs over its own
 * tokens (membership [V, T]); mean over the (row, slot) pairs with mask 1. targets [N, T] global tokens.
 */
export function slotCrossEntropy(logits: tf.Tensor2D, membership: tf.Tensor2D, targets: tf.Tensor2D, mask: tf.Tensor2D): tf.Scalar {
  const [N, V] = logits.shape;
  const T = membership.shape[1];
  const shift = tf.max(logits, -1, true);
  const shifted = tf.sub(logits, shift); // ≤ 0, so exp never overflows
  const logSumPerSlot = tf.log(tf.add(tf.matMul(tf.exp(shifted), membership), 1e-30)); // [N, T]
  const picked = tf.sum(tf.mul(tf.expandDims(shifted, 1), tf.oneHot(tf.reshape(tf.cast(targets, 'int32'), [N, T]), V)), -1);
  const nll = tf.sub(logSumPerSlot, picked);
  return tf.div(tf.sum(tf.mul(nll, mask)), countOf(mask)) as tf.Scalar;
}

export interface LossTerms {
  attr?: tf.Scalar;
  roi?: tf.Scalar;
  cla?: tf.Scalar;
  rec?: tf.Scalar;
  off?: tf.Scalar;
  con?: tf.Scalar;
  loc?: tf.Scalar;
  rank?: tf.Scalar;
}

/** Eq. 7: L_ssl = λ_cla L_cla + λ_rec L_rec + λ_off L_off (+ λ_attr L_attr when enabled; absent terms count 0). */
export function sslLoss(t: LossTerms, w: LossWeights): tf.Scalar {
  let s: tf.Tensor = tf.scalar(0);
  if (t.attr) s = tf.add(s, tf.mul(t.attr, w.attr));
  if (t.roi) s = tf.add(s, tf.mul(t.roi, w.roi));
  if (t.cla) s = tf.add(s, tf.mul(t.cla, w.cla));
  if (t.rec) s = tf.add(s, tf.mul(t.rec, w.rec));
  if (t.off) s = tf.add(s, tf.mul(t.off, w.off));
  return s as tf.Scalar;
}

/** The localisation part of eq. 6: λ_con L_con + λ_loc L_loc (+ λ_rank L_rank when enabled). */
export function localisationLoss(t: LossTerms, w: LossWeights): tf.Scalar {
  let s: tf.Tensor = tf.scalar(0);
  if (t.con) s = tf.add(s, tf.mul(t.con, w.con));
  if (t.loc) s = tf.add(s, tf.mul(t.loc, w.loc));
  if (t.rank) s = tf.add(s, tf.mul(t.rank, w.rank));
  return s as tf.Scalar;
}

/** Eq. 6: L = λ_ssl L_ssl + λ_con L_con + λ_loc L_loc. */
export function totalLoss(t: LossTerms, w: LossWeights): tf.Scalar {
  return tf.add(tf.mul(sslLoss(t, w), w.ssl), localisationLoss(t, w)) as tf.Scalar;
}
