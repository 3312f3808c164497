/** One optimisation step: all loss terms, the phase's objective, gradients for the phase's weights. */
import * as tf from '../tf/tf';
import { forward, labelLogits, offsetLogits, personAttributeLogits, reconstruct, weightGroup, type FastprModel, type WeightGroup } from '../model/fastpr';
import {
  boxLoss, cellAttributeLoss, cellRankingLoss, confidenceLoss, confidenceLossBce, labelLoss, localisationLoss, offsetLoss, reconstructionLoss, slotCrossEntropy, sslLoss, totalLoss, type LossTerms,
} from '../model/losses';
import { SLOT_TOKEN_COUNTS, SLOT_TOKEN_OFFSETS } from '../attributes/schema';
import type { Adam } from './adam';
import type { BatchTensors } from './batch';
import type { Phase } from './config';

/** Weight groups each phase trains (§3.4.1). FC is trained in both: the offset proxy targets it. */
export const PHASE_GROUPS: Record<Phase, readonly WeightGroup[]> = {
  proxy: ['encoder', 'common', 'label', 'reconstruction', 'offset'],
  localisation: ['encoder', 'common', 'localisation'],
  joint: ['encoder', 'common', 'localisation', 'label', 'reconstruction', 'offset'],
};

export function trainableNames(model: FastprModel, phase: Phase): string[] {
  const groups = new Set(PHASE_GROUPS[phase]);
  return [...model.weights.keys()].filter((n) => groups.has(weightGroup(n)));
}

/** Every enabled loss term for a batch (eq. 1–5). */
export function computeLossTerms(model: FastprModel, b: BatchTensors): LossTerms {
  const { config } = model;
  const B = b.image.shape[0];
  const R = b.tokens.shape[0]; // query rows: B, or B·queriesPerImage
  const cells = config.grid * config.grid;
  const f = forward(model, { image: b.image, tokens: b.tokens, known: b.known, ...(b.imageOfRow ? { imageOfRow: b.imageOfRow } : {}) });
  const terms: LossTerms = {
    con:
      config.confidenceObjective === 'bce'
        ? confidenceLossBce(tf.reshape(f.confidenceLogits, [R, cells]), b.confTarget)
        : confidenceLoss(tf.reshape(f.confidence, [R, cells]), b.confTarget),
    loc: boxLoss(tf.reshape(f.boxes, [R, cells, 4]), b.boxTarget, b.obj, b.present, config.boxSizeLoss),
  };
  if (config.lossWeights.rank > 0) terms.rank = cellRankingLoss(tf.reshape(f.confidenceLogits, [R, cells]) as tf.Tensor2D, b.confTarget);
  const wantRoi = config.proxies.personAttributes && config.lossWeights.roi > 0 && f.fine && b.roiIndex && b.roiWeight && b.roiTarget && b.roiMask;
  const membership = config.lossWeights.attr > 0 || wantRoi ? slotMembership(config.vocabularySize, config.slots) : undefined;
  if (config.lossWeights.attr > 0) {
    const table = model.weights.get('semantic.embedding.table')! as unknown as tf.Tensor2D;
    const encoded = tf.reshape(f.encoded, [B, cells, config.featureWidth]) as tf.Tensor3D;
    const scale = 1 / (config.attentionTemperature * Math.sqrt(config.featureWidth));
    terms.attr = cellAttributeLoss(encoded, table, membership!, b.attrTarget, b.attrMask, scale);
  }
  if (wantRoi) terms.roi = slotCrossEntropy(personAttributeLogits(model, f.fine!, b.roiIndex!, b.roiWeight!), membership!, b.roiTarget!, b.roiMask!);
  if (config.proxies.label && config.lossWeights.cla > 0) {
    terms.cla = labelLoss(labelLogits(model, f.pooled), b.tokens, b.known);
  }
  if (config.proxies.reconstruction && config.lossWeights.rec > 0) {
    const target = tf.image.cropAndResize(b.image, b.cropBoxes, b.boxIndex, config.reconstructionSize, 'bilinear');
    terms.rec = reconstructionLoss(reconstruct(model, f.fused, b.targetCell), target, b.present);
  }
  if (config.proxies.offset && config.lossWeights.off > 0) {
    terms.off = offsetLoss(offsetLogits(model, f.headInput, b.permutation), b.offsetLabel, b.present);
  }
  return terms;
}

/** [V, T]: 1 where global token v is a value (not the "unknown" token) of slot t. */
function slotMembership(V: number, T: number): tf.Tensor2D {
  const m = new Float32Array(V * T);
  for (let slot = 0; slot < T; slot++) {
    const first = SLOT_TOKEN_OFFSETS[slot]!;
    for (let local = 1; local < SLOT_TOKEN_COUNTS[slot]!; local++) m[(first + local) * T + slot] = 1;
  }
  return tf.tensor2d(m, [V, T]);
}

export function objectiveOf(terms: LossTerms, model: FastprModel, phase: Phase): tf.Scalar {
  const w = model.config.lossWeights;
  if (phase === 'proxy') return tf.mul(sslLoss(terms, w), w.ssl) as tf.Scalar;
  if (phase === 'localisation') return localisationLoss(terms, w);
  return totalLoss(terms, w);
}

/** The loss terms a model may or may not have (L_con and L_loc always exist), as StepLosses names them. */
export const OPTIONAL_TERMS = ['attr', 'roi', 'cla', 'rec', 'off', 'rank'] as const;

export interface StepLosses {
  /** Eq. 6 over every enabled term (comparable across phases). */
  total: number;
  /** What this phase minimised. */
  objective: number;
  attr?: number;
  roi?: number;
  cla?: number;
  rec?: number;
  off?: number;
  rank?: number;
  con: number;
  loc: number;
  gradNorm: number;
}

/**
 * Between the gradients and the update (data-parallel training, core/train/parallel): given this
 * replica's gradients and losses, returns the ones to apply and report — the means over replicas.
 * The returned gradients are new tensors that trainStep disposes.
 */
export type GradientReducer = (grads: Map<string, tf.Tensor>, losses: StepLosses) => { grads: Map<string, tf.Tensor>; losses: StepLosses };

/**
 * Computes the losses and, when `adam` is given, applies one update to the phase's weights (after
 * `reduce`, when given, has replaced this batch's gradients and losses by the replicas' means).
 */
export function trainStep(model: FastprModel, batch: BatchTensors, phase: Phase, adam?: Adam, learningRate?: number, reduce?: GradientReducer): StepLosses {
  const names = trainableNames(model, phase);
  const byVarName = new Map(names.map((n) => [model.weights.get(n)!.name, n]));
  const kept: Record<string, tf.Scalar> = {};
  const run = () => {
    const terms = computeLossTerms(model, batch);
    for (const [k, v] of Object.entries(terms)) kept[k] = tf.keep(v as tf.Scalar);
    kept.total = tf.keep(totalLoss(terms, model.config.lossWeights));
    return objectiveOf(terms, model, phase);
  };
  const read = (k: string) => (kept[k] ? kept[k].dataSync()[0]! : undefined);
  const lossesOf = (objective: number): StepLosses => {
    const out: StepLosses = { total: read('total')!, objective, con: read('con')!, loc: read('loc')!, gradNorm: 0 };
    for (const k of OPTIONAL_TERMS) {
      const v = read(k);
      if (v !== undefined) out[k] = v;
    }
    return out;
  };
  let out: StepLosses;
  if (adam) {
    const { value, grads } = tf.variableGrads(run, names.map((n) => model.weights.get(n)!));
    let named = new Map<string, tf.Tensor>();
    for (const [varName, g] of Object.entries(grads)) named.set(byVarName.get(varName)!, g);
    const objective = value.dataSync()[0]!;
    value.dispose();
    out = lossesOf(objective);
    if (reduce) {
      const reduced = reduce(named, out);
      tf.dispose(Object.values(grads));
      named = reduced.grads;
      out = reduced.losses;
    }
    out.gradNorm = adam.apply(named, learningRate);
    tf.dispose([...named.values()]);
  } else {
    out = lossesOf(tf.tidy(() => run().dataSync()[0]!));
  }
  tf.dispose(Object.values(kept));
  return out;
}
