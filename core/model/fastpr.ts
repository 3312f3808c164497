/**
 * The FastPR network (paper §3): weights and forward pass. Layer-by-layer documentation, weight
 * names and shapes are in README.md; keep the two in step (the ONNX exporter mirrors this file).
 *
 * Inputs of the inference graph:
 *   image  float32 [B, H, W, 3]  NHWC, normalised by preprocess.ts
 *   tokens int32   [B, T]        global token per slot (schema.globalToken), T = 16
 *   known  float32 [B, T]        1 where the slot's value is stated, 0 where unknown
 */
import * as tf from '../tf/tf';
import type { ModelConfig } from './config';
import { backboneFeatures, buildBackbone } from './backbones';
import { conv, dense, denseLastAxis, getWeight, WeightBuilder, type Weights } from './layers';
import { OFFSET_CLASSES } from './regions';
import { Rng } from './rng';

export interface FastprModel {
  config: ModelConfig;
  weights: Weights;
}

export interface ForwardInputs {
  image: tf.Tensor4D;
  /** [R, T]: one row per query (R = B unless `imageOfRow` maps several queries to one image). */
  tokens: tf.Tensor2D;
  known: tf.Tensor2D;
  /** [R] int32: the image each query row asks about (training with several queries per image). */
  imageOfRow?: tf.Tensor1D;
}

export interface ForwardOutputs {
  /** I_en [B, S, S, M], one per image (not per query row). */
  encoded: tf.Tensor4D;
  /** w [B, T, S²]: per slot, a softmax over the cells. */
  attention: tf.Tensor3D;
  /** Σ_cells Ĩ_i / S² = attention readout per slot [B, T, M] (input of the label proxy F). */
  pooled: tf.Tensor3D;
  /** Ī [B, S, S, M]. */
  fused: tf.Tensor4D;
  /** The common layer's input: Ī, with the two match-score channels appended when `matchScores` [B, S, S, M(+2)]. */
  headInput: tf.Tensor4D;
  /** FC(Ī) [B, S, S, H]. */
  common: tf.Tensor4D;
  /** Sigmoid confidences [B, S, S]. */
  confidence: tf.Tensor3D;
  /** The confidences before the sigmoid [B, S, S] (for the 'bce' objective). */
  confidenceLogits: tf.Tensor3D;
  /** Sigmoid (x, y, w, h) per cell [B, S, S, 4]. */
  boxes: tf.Tensor4D;
  /** The person-attribute proxy's feature map (compact stage output), when that proxy is on. */
  fine?: tf.Tensor4D;
}

/** Groups of weights by module, for the alternate optimisation's freezing. */
export type WeightGroup = 'encoder' | 'common' | 'localisation' | 'label' | 'reconstruction' | 'offset';

export function weightGroup(name: string): WeightGroup {
  if (name.startsWith('backbone.') || name.startsWith('semantic.') || name.startsWith('align.')) return 'encoder';
  if (name.startsWith('loc.fc')) return 'common';
  if (name.startsWith('loc.')) return 'localisation';
  if (name.startsWith('proxy.label.') || name.startsWith('proxy.roi.')) return 'label';
  if (name.startsWith('proxy.rec.')) return 'reconstruction';
  if (name.startsWith('proxy.offset.')) return 'offset';
  throw new Error(`weight ${name} belongs to no group`);
}

/** Builds every weight, deterministically from `seed`. */
export function createModel(config: ModelConfig, seed = 1): FastprModel {
  const b = new WeightBuilder(new Rng(seed));
  const M = config.featureWidth;
  const H = config.hiddenWidth;
  const T = config.slots;
  const S = config.grid;
  buildBackbone(b, config);
  b.embedding('semantic.embedding', config.vocabularySize, M, 1);
  b.conv2d('align.fuse', 1, T * M, M, 'glorot');
  b.conv2d('loc.fc1', 1, M + matchScoreChannels(config), H, 'he');
  b.conv2d('loc.fc2', 1, H, H, 'he');
  if (config.heads === 'dual') {
    b.conv2d('loc.conf1', 1, H, H, 'he');
    b.conv2d('loc.conf2', 1, H, 1, 'glorot', confidenceBiasInit(config));
    b.conv2d('loc.box1', 1, H, H, 'he');
    b.conv2d('loc.box2', 1, H, 4, 'glorot');
  } else {
    b.conv2d('loc.merged1', 1, H, H, 'he');
    b.conv2d('loc.merged2', 1, H, 5, 'glorot');
    if (config.confidenceObjective === 'bce') {
      const bias = b.weights.get('loc.merged2.bias')!;
      bias.assign(tf.tensor1d([confidenceBiasInit(config), 0, 0, 0, 0]));
    }
  }
  if (config.proxies.label) {
    b.dense('proxy.label.fc1', M, config.labelHiddenWidth, 'he');
    b.dense('proxy.label.fc2', config.labelHiddenWidth, config.vocabularySize, 'glorot');
  }
  if (config.proxies.reconstruction) {
    const [rh, rw] = config.reconstructionSize;
    const D = config.decoderWidth;
    b.dense('proxy.rec.fc', M, (rh / 8) * (rw / 8) * D, 'he');
    b.conv2d('proxy.rec.conv1', 3, D, D / 2, 'he');
    b.conv2d('proxy.rec.conv2', 3, D / 2, D / 4, 'he');
    b.conv2d('proxy.rec.out', 3, D / 4, 3, 'glorot');
  }
  if (config.proxies.offset) b.dense('proxy.offset.fc', S * S * H, OFFSET_CLASSES, 'glorot');
  if (config.proxies.personAttributes) {
    const pa = config.personAttributes;
    const fineChannels = config.compact.stages[pa.fromStage - 1]!.width;
    b.dense('proxy.roi.fc1', pa.grid[0] * pa.grid[1] * fineChannels, pa.hiddenWidth, 'he');
    b.dense('proxy.roi.out', pa.hiddenWidth, config.vocabularySize, 'glorot');
  }
  return { config, weights: b.weights };
}

/** Channels `align` appends to Ī for the common layer (0, or 2 with `matchScores`). */
export function matchScoreChannels(config: ModelConfig): number {
  return config.matchScores ? 2 : 0;
}

/** With 'bce', the confidence bias starts at logit(1/S²): one positive cell per frame is the prior. */
function confidenceBiasInit(config: ModelConfig): number {
  if (config.confidenceObjective !== 'bce') return 0;
  const prior = 1 / (config.grid * config.grid);
  return Math.log(prior / (1 - prior));
}

/** E: one-hot(tokens) · table → v [B, T, M]. (A matMul rather than gather: its gradient runs on every backend.) */
export function embedSlots(model: FastprModel, tokens: tf.Tensor2D): tf.Tensor3D {
  const [B, T] = tokens.shape;
  const V = model.config.vocabularySize;
  const table = getWeight(model.weights, 'semantic.embedding.table') as unknown as tf.Tensor2D;
  const oneHot = tf.reshape(tf.oneHot(tf.cast(tokens, 'int32'), V), [B * T, V]) as tf.Tensor2D;
  return tf.reshape(tf.matMul(oneHot, table), [B, T, model.config.featureWidth]);
}

/** Dynamic visual-semantic alignment (§3.2.1). */
export function align(model: FastprModel, encoded: tf.Tensor4D, v: tf.Tensor3D, known: tf.Tensor2D) {
  const { grid: S, featureWidth: M, slots: T } = model.config;
  const B = encoded.shape[0];
  const flat = tf.reshape(encoded, [B, S * S, M]) as tf.Tensor3D;
  // logits[b, i, c] = <v_i, I_en[c]> / (τ·√M); softmax over c (the cells), separately per slot i.
  const logits = tf.mul(tf.matMul(v, flat, false, true), 1 / (model.config.attentionTemperature * Math.sqrt(M))) as tf.Tensor3D;
  const attention = tf.softmax(logits, -1) as tf.Tensor3D;
  // Ĩ_i = I_en ⊙ w_i, scaled by S² so that uniform attention passes I_en through unchanged; unknown
  // slots are zeroed when masking is on.
  let weightsPerCell = tf.mul(attention, S * S);
  if (model.config.maskUnknownSlots) weightsPerCell = tf.mul(weightsPerCell, tf.expandDims(known, 2));
  const tilde = tf.mul(tf.expandDims(weightsPerCell, 3), tf.expandDims(flat, 1)); // [B, T, S², M]
  // Concatenate over slots along channels: channel index = i·M + m (slot-major).
  const concat = tf.reshape(tf.transpose(tilde, [0, 2, 1, 3]), [B, S, S, T * M]) as tf.Tensor4D;
  const fused = conv(model.weights, 'align.fuse', concat, 1, 'linear');
  const pooled = tf.matMul(attention, flat) as tf.Tensor3D; // [B, T, M]
  const headInput = model.config.matchScores ? tf.concat([fused, matchScores(logits, known, S)], 3) as tf.Tensor4D : fused;
  return { attention, fused, pooled, headInput };
}

/**
 * [B, S, S, 2]: per cell, the mean over the known slots of (0) the attention logit and (1) the log
 * attention + log S² (0 for uniform attention). An all-unknown query gives zeros. Why: without them
 * the heads learn "this cell matches" only from the magnitude of Ĩ, an indirect signal that the
 * from-scratch models here never picked up; with them L_con trains the logits contrastively.
 */
function matchScores(logits: tf.Tensor3D, known: tf.Tensor2D, S: number): tf.Tensor4D {
  const B = logits.shape[0];
  const knownRow = tf.expandDims(known, 1) as tf.Tensor3D; // [B, 1, T]
  const count = tf.maximum(tf.sum(known, 1), 1); // [B]
  const perCell = (x: tf.Tensor3D) => tf.div(tf.reshape(tf.matMul(knownRow, x), [B, S * S]), tf.expandDims(count, 1));
  const meanLogit = perCell(logits);
  const meanLogAttention = perCell(tf.add(tf.logSoftmax(logits, -1), Math.log(S * S)) as tf.Tensor3D);
  return tf.reshape(tf.stack([meanLogit, meanLogAttention], 2), [B, S, S, 2]) as tf.Tensor4D;
}

/** Common layer FC: two per-cell fully connected layers (1×1 convs). */
export function commonLayer(model: FastprModel, headInput: tf.Tensor4D): tf.Tensor4D {
  return conv(model.weights, 'loc.fc2', conv(model.weights, 'loc.fc1', headInput, 1, 'relu'), 1, 'relu');
}

/** FI and FB (or the merged head): confidence [B, S, S] and boxes [B, S, S, 4]. */
export function localisationHeads(model: FastprModel, common: tf.Tensor4D) {
  const w = model.weights;
  const [B, S] = common.shape;
  if (model.config.heads === 'merged') {
    const out = conv(w, 'loc.merged2', conv(w, 'loc.merged1', common, 1, 'relu'), 1, 'linear');
    const [c, box] = tf.split(out, [1, 4], 3);
    const logits = tf.reshape(c!, [B, S, S]) as tf.Tensor3D;
    return { confidence: tf.sigmoid(logits), confidenceLogits: logits, boxes: tf.sigmoid(box!) as tf.Tensor4D };
  }
  const logits = tf.reshape(conv(w, 'loc.conf2', conv(w, 'loc.conf1', common, 1, 'relu'), 1, 'linear'), [B, S, S]) as tf.Tensor3D;
  const boxes = conv(w, 'loc.box2', conv(w, 'loc.box1', common, 1, 'relu'), 1, 'sigmoid');
  return { confidence: tf.sigmoid(logits), confidenceLogits: logits, boxes };
}

/** The inference graph (also the trunk of every training loss). */
export function forward(model: FastprModel, inputs: ForwardInputs): ForwardOutputs {
  const { encoded, fine } = backboneFeatures(model.weights, model.config, inputs.image);
  const v = embedSlots(model, inputs.tokens);
  // Several queries of one image share its encoding (its gradient sums over them).
  const perRow = inputs.imageOfRow ? (tf.gather(encoded, inputs.imageOfRow) as tf.Tensor4D) : encoded;
  const { attention, fused, pooled, headInput } = align(model, perRow, v, inputs.known);
  const common = commonLayer(model, headInput);
  const { confidence, confidenceLogits, boxes } = localisationHeads(model, common);
  return { encoded, attention, pooled, fused, headInput, common, confidence, confidenceLogits, boxes, ...(fine ? { fine } : {}) };
}

/**
 * The person-attribute proxy (ours): `index` [4·N] and `weight` [4, N] give, for N = B·P·G points
 * (G = rows×columns points inside each of P person boxes per frame), the 4 bilinear neighbours among
 * the rows of `fine` [B, h, w, C] flattened to [B·h·w, C] (built on the host, core/train/batch.ts).
 * One gather samples them (its gradient is an unsorted segment sum, registered for wasm in
 * core/tf/kernels), then a two-layer head gives vocabulary logits [B·P, V].
 */
export function personAttributeLogits(model: FastprModel, fine: tf.Tensor4D, index: tf.Tensor1D, weight: tf.Tensor2D): tf.Tensor2D {
  const [B, h, w, C] = fine.shape;
  const G = model.config.personAttributes.grid[0] * model.config.personAttributes.grid[1];
  const N = weight.shape[1];
  const neighbours = tf.reshape(tf.gather(tf.reshape(fine, [B * h * w, C]), index), [4, N, C]);
  const sampled = tf.sum(tf.mul(neighbours, tf.expandDims(weight, 2)), 0); // [N, C]
  const flat = rmsNormalise(tf.reshape(sampled, [N / G, G * C]), -1) as tf.Tensor2D;
  return dense(model.weights, 'proxy.roi.out', dense(model.weights, 'proxy.roi.fc1', flat, 'relu'), 'linear');
}

/**
 * x / √(mean(x²) + ε) over `axes`: a parameter-free scale normalisation at the input of each
 * training-only proxy head. The alternate schedule freezes these heads while the shared trunk keeps
 * learning (and, without batch norm, its feature scale drifts); this keeps a frozen head's logits
 * from exploding when the trunk's scale changes. Not part of the inference graph.
 */
export function rmsNormalise(x: tf.Tensor, axes: number | number[]): tf.Tensor {
  return tf.div(x, tf.sqrt(tf.add(tf.mean(tf.square(x), axes, true), 1e-6)));
}

/** Label-prediction proxy F (§3.2.2): logits over the global vocabulary per slot [B, T, V]. */
export function labelLogits(model: FastprModel, pooled: tf.Tensor3D): tf.Tensor3D {
  const h = denseLastAxis(model.weights, 'proxy.label.fc1', rmsNormalise(pooled, -1), 'relu');
  return denseLastAxis(model.weights, 'proxy.label.fc2', h, 'linear') as tf.Tensor3D;
}

/**
 * Offset proxy (§3.3.3): Ī_s = P·Ī (P a per-sample permutation matrix [B, S², S²]), then
 * FM(FC(Ī_s)) with FM one dense layer over the flattened S×S×H grid → 8 logits. `headInput` is the
 * common layer's input (Ī, plus the match-score channels when on); they move with their cell.
 */
export function offsetLogits(model: FastprModel, headInput: tf.Tensor4D, permutation: tf.Tensor3D): tf.Tensor2D {
  const [B, S, , M] = headInput.shape;
  const swapped = tf.reshape(tf.matMul(permutation, tf.reshape(headInput, [B, S * S, M]) as tf.Tensor3D), [B, S, S, M]) as tf.Tensor4D;
  const common = commonLayer(model, swapped);
  return dense(model.weights, 'proxy.offset.fc', rmsNormalise(tf.reshape(common, [B, -1]), -1) as tf.Tensor2D, 'linear');
}

/**
 * Reconstruction decoder D (§3.3.1): reads Ī at the target's responsible cell (cellMask one-hot
 * [B, S²]), then dense → (rh/8 × rw/8 × D) and three ×2 nearest upsamplings each followed by a 3×3
 * conv → [B, rh, rw, 3] in the normalised pixel space of the input.
 */
export function reconstruct(model: FastprModel, fused: tf.Tensor4D, cellMask: tf.Tensor2D): tf.Tensor4D {
  const [B, S, , M] = fused.shape;
  const [rh, rw] = model.config.reconstructionSize;
  const D = model.config.decoderWidth;
  const w = model.weights;
  const z = tf.reshape(tf.matMul(tf.expandDims(cellMask, 1) as tf.Tensor3D, tf.reshape(fused, [B, S * S, M]) as tf.Tensor3D), [B, M]) as tf.Tensor2D;
  let x = tf.reshape(dense(w, 'proxy.rec.fc', rmsNormalise(z, -1) as tf.Tensor2D, 'relu'), [B, rh / 8, rw / 8, D]) as tf.Tensor4D;
  x = conv(w, 'proxy.rec.conv1', upsample2(x), 1, 'relu');
  x = conv(w, 'proxy.rec.conv2', upsample2(x), 1, 'relu');
  return conv(w, 'proxy.rec.out', upsample2(x), 1, 'linear');
}

/**
 * Nearest-neighbour ×2 upsampling from concat + reshape. Not tf.image.resizeBilinear: TF.js 4.22's
 * cpu ResizeBilinearGrad returns its gradient with height and width swapped for non-square maps,
 * and no backend's gradient honours halfPixelCenters. The 3×3 conv after it does the smoothing.
 */
export function upsample2(x: tf.Tensor4D): tf.Tensor4D {
  const [B, h, w, C] = x.shape;
  const wide = tf.reshape(tf.concat([x, x], 3), [B, h, 2 * w, C]);
  return tf.reshape(tf.concat([wide, wide], 2), [B, 2 * h, 2 * w, C]) as tf.Tensor4D;
}

export interface InferenceResult {
  /** [B·S²] row-major per image. */
  confidence: Float32Array;
  /** [B·S²·4] (x, y, w, h) per cell. */
  boxes: Float32Array;
  /** [B·T·S²]. */
  attention: Float32Array;
}

/** Runs the inference graph and returns plain arrays for decode.ts. */
export async function infer(model: FastprModel, inputs: ForwardInputs): Promise<InferenceResult> {
  const out = tf.tidy(() => {
    const f = forward(model, inputs);
    return [f.confidence, f.boxes, f.attention] as const;
  });
  const [confidence, boxes, attention] = await Promise.all(out.map((t) => t.data() as Promise<Float32Array>));
  out.forEach((t) => t.dispose());
  return { confidence: confidence!, boxes: boxes!, attention: attention! };
}
