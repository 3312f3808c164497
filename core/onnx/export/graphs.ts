/**
 * The two exported graphs of a FastPR model, as TF.js functions over the model's own forward-pass
 * pieces (core/model/fastpr.ts), traced and converted by core/onnx/trace:
 *
 *   encoder: image [N, H, W, 3] (preprocessed, NHWC) → encoded I_en [N, S, S, M]
 *   head:    encoded [N, S, S, M] + tokens [Q, T] int64 (Q = 1 or N) →
 *            confidence [N, S, S], boxes [N, S, S, 4], attention [N, T, S, S]
 *
 * The head derives `known` from the tokens (a slot is unknown exactly when its token is the slot's
 * local 0, SLOT_TOKEN_OFFSETS[i]) and embeds with Gather — the same numbers as the trainer's
 * oneHot·table (README "Semantic encoder"), without a 126-wide one-hot per slot.
 */
import * as tf from '../../tf/tf';
import { SLOT_TOKEN_OFFSETS } from '../../attributes/schema';
import { align, commonLayer, localisationHeads, type FastprModel } from '../../model/fastpr';
import { backboneForward } from '../../model/backbones';
import { getWeight } from '../../model/layers';
import { exportFunction, type ExportedFunction } from '../trace/exportFunction';
import { traceMacs } from '../trace/macs';

export const ENCODER_INPUT = 'image';
export const ENCODER_OUTPUT = 'encoded';
export const HEAD_INPUTS = ['encoded', 'tokens'] as const;
export const HEAD_OUTPUTS = ['confidence', 'boxes', 'attention'] as const;

type Inputs = Record<string, tf.Tensor>;

export function encoderForward(model: FastprModel, inputs: Inputs): Inputs {
  return { [ENCODER_OUTPUT]: backboneForward(model.weights, model.config, inputs[ENCODER_INPUT] as tf.Tensor4D) };
}

export function headForward(model: FastprModel, inputs: Inputs): Inputs {
  const { grid: S, slots: T } = model.config;
  const encoded = inputs.encoded as tf.Tensor4D;
  const tokens = inputs.tokens as tf.Tensor2D;
  const N = encoded.shape[0];
  const table = getWeight(model.weights, 'semantic.embedding.table');
  const v = tf.gather(table, tokens) as tf.Tensor3D;
  const offsets = tf.tensor1d(SLOT_TOKEN_OFFSETS.slice(0, T) as number[], 'int32');
  const known = tf.cast(tf.notEqual(tokens, offsets), 'float32') as tf.Tensor2D;
  const { attention, headInput } = align(model, encoded, v, known);
  const { confidence, boxes } = localisationHeads(model, commonLayer(model, headInput));
  return { confidence, boxes, attention: tf.reshape(attention, [N, T, S, S]) };
}

/** Deterministic stand-in inputs for tracing (values do not matter, shapes do). */
function traceImage(model: FastprModel, n: number): tf.Tensor4D {
  const s = model.config.inputSize;
  return tf.randomNormal([n, s, s, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
}
function traceTokens(model: FastprModel, n: number): tf.Tensor2D {
  const T = model.config.slots;
  // Half the slots stated (code 0), half unknown: both branches of `known` are exercised.
  const row = Array.from({ length: T }, (_, i) => (SLOT_TOKEN_OFFSETS[i] ?? 0) + (i % 2 === 0 ? 1 : 0));
  return tf.tensor2d(Array.from({ length: n }, () => row), [n, T], 'int32');
}

function weightNames(model: FastprModel): Map<number, string> {
  return new Map([...model.weights.entries()].map(([name, v]) => [v.id, name]));
}

export interface ExportedGraph extends ExportedFunction { macsPerImage: number }

export function exportEncoder(model: FastprModel, opts: { float16?: boolean; metadata?: Record<string, string> } = {}): ExportedGraph {
  const e = exportFunction('fastpr_encoder', (n) => ({ [ENCODER_INPUT]: traceImage(model, n) }), (x) => encoderForward(model, x), {
    float16: opts.float16, constantNames: weightNames(model), metadata: opts.metadata,
    docString: 'FastPR visual encoder R: preprocessed NHWC image batch → grid features I_en (NHWC).',
  });
  return { ...e, macsPerImage: traceMacs(e.trace, 2) };
}

export function exportHead(model: FastprModel, opts: { float16?: boolean; metadata?: Record<string, string> } = {}): ExportedGraph {
  const { grid: S, featureWidth: M } = model.config;
  const e = exportFunction('fastpr_head', (n) => ({
    encoded: tf.randomNormal([n, S, S, M], 0, 1, 'float32', 11),
    tokens: traceTokens(model, n),
  }), (x) => headForward(model, x), {
    float16: opts.float16, constantNames: weightNames(model), metadata: opts.metadata,
    inputTypes: { tokens: 'int64' },
    broadcastBatch: { tokens: 'encoded' },
    docString: 'FastPR query head: I_en batch + query slot tokens (one query [1,T] or one per frame [N,T]) → confidences, boxes, per-slot attention.',
  });
  return { ...e, macsPerImage: traceMacs(e.trace, 2) };
}
