/**
 * Opens the engine a model directory holds: a two-stage baseline (baseline.json) or a FastPR model
 * exported to ONNX (onnx.json; run through core/infer's onnxruntime path, as the product does).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, ModelError } from '../errors';
import type { Tta } from '../infer/flipTta';
import type { EncoderChoice } from '../infer/onnxRetriever';
import { isBaselineDir, loadBaseline, disposeBaseline } from '../baseline/modelDir';
import { CLASSIFIER_ONNX, DETECTOR_ONNX, BaselineOnnxNets } from '../baseline/onnx';
import { BaselinePredictor } from '../baseline/predictor';
import { FastprOnnxEvaluator, isOnnxModelDir } from './fastprOnnx';
import type { Evaluator } from './types';

export interface OpenEvaluatorOptions {
  /** Baseline only: override the ranking method stored in its config. */
  method?: 'cos-sim' | 'cascade';
  /** onnxruntime CPU threads. */
  threads?: number;
  /** FastPR only: the absent threshold instead of the exported one. */
  threshold?: number;
  /** Baseline only: 'onnx' (default when exported) or 'tfjs'. */
  runtime?: 'onnx' | 'tfjs';
  /** FastPR only: 'flip' test-time augmentation (twice the inference). */
  tta?: Tta;
  /** FastPR only: which encoder graph (default float). */
  encoder?: EncoderChoice;
  /** FastPR only: false ranks by confidence alone even where the model has a reranker.json (default true). */
  rerank?: boolean;
}

export async function openEvaluator(modelDir: string, options: OpenEvaluatorOptions = {}): Promise<Evaluator> {
  if (!existsSync(modelDir)) throw new ModelError(`${modelDir}: model directory not found`, { file: modelDir });
  if (isBaselineDir(modelDir)) {
    if (options.encoder && options.encoder !== 'float') throw new InputError(`${modelDir}: --encoder is for FastPR models, not the two-stage baseline`, { file: modelDir });
    if (options.tta === 'flip') throw new InputError(`${modelDir}: test-time augmentation is for FastPR models, not the two-stage baseline`, { file: modelDir });
    const model = loadBaseline(modelDir);
    const exported = existsSync(join(modelDir, DETECTOR_ONNX)) && existsSync(join(modelDir, CLASSIFIER_ONNX));
    if (options.runtime === 'onnx' && !exported) throw new ModelError(`${modelDir}: no ${DETECTOR_ONNX}/${CLASSIFIER_ONNX}; retrain or use --runtime tfjs`, { file: modelDir });
    const nets = exported && options.runtime !== 'tfjs' ? await BaselineOnnxNets.open(modelDir, options.threads) : undefined;
    const predictor = new BaselinePredictor(model, { ...(options.method ? { method: options.method } : {}), ...(nets ? { nets } : {}) });
    return {
      name: predictor.name,
      predict: (f, q, s) => predictor.predict(f, q, s),
      dispose: async () => { await nets?.dispose(); disposeBaseline(model); },
    };
  }
  if (isOnnxModelDir(modelDir)) {
    return FastprOnnxEvaluator.open(modelDir, {
      ...(options.threads ? { threads: options.threads } : {}), ...(options.threshold !== undefined ? { threshold: options.threshold } : {}),
      ...(options.tta ? { tta: options.tta } : {}), ...(options.encoder ? { encoder: options.encoder } : {}),
      ...(options.rerank === false ? { rerank: false as const } : {}),
    });
  }
  if (existsSync(join(modelDir, 'model.json'))) {
    throw new ModelError(`${modelDir}: FastPR model without its ONNX export; run \`fastpr export-onnx ${modelDir}\` first`, { file: modelDir });
  }
  throw new ModelError(`${modelDir}: neither a FastPR model (onnx.json) nor a two-stage baseline (baseline.json)`, { file: modelDir });
}
