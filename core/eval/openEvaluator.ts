/**
 * Opens the engine a model directory holds: a two-stage baseline (baseline.json) or a FastPR model.
 * FastPR directories go through the inference module (core/infer) once it exists.
 */
import { existsSync } from 'node:fs';
import { ModelError } from '../errors';
import { isBaselineDir, loadBaseline, disposeBaseline } from '../baseline/modelDir';
import { BaselinePredictor } from '../baseline/predictor';
import type { Evaluator } from './types';

export interface OpenEvaluatorOptions {
  /** Baseline only: override the ranking method stored in its config. */
  method?: 'cos-sim' | 'cascade';
}

export async function openEvaluator(modelDir: string, options: OpenEvaluatorOptions = {}): Promise<Evaluator> {
  if (!existsSync(modelDir)) throw new ModelError(`${modelDir}: model directory not found`, { file: modelDir });
  if (isBaselineDir(modelDir)) {
    const model = loadBaseline(modelDir);
    const predictor = new BaselinePredictor(model, options.method ? { method: options.method } : {});
    return { name: predictor.name, predict: (f, q, s) => predictor.predict(f, q, s), dispose: () => disposeBaseline(model) };
  }
  throw new ModelError(
    `${modelDir}: not a two-stage baseline directory (no baseline.json), and FastPR model evaluation needs the ` +
      'inference module (core/infer), which this build does not have yet',
    { file: modelDir },
  );
}
