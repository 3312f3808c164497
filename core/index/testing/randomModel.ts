/**
 * A random-init FastPR exported to ONNX, for pipeline tests and the benchmark when no trained
 * model is given: shapes, resume, errors and index identity do not need a competent model.
 * `tiny` is the parity test's size (64×64, S=4, M=16); `compact` is the shipped architecture
 * (224×224, S=7, M=256) for honest speed and size figures.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend } from '../../tf/backend';
import { parseModelConfig, tinyConfig } from '../../model/config';
import { createModel } from '../../model/fastpr';
import { saveModelDir } from '../../model/modelDir';
import { disposeWeights } from '../../model/layers';
import { exportModelDir } from '../../onnx/export/exportModel';

export async function makeRandomOnnxModel(dir: string, size: 'tiny' | 'compact' = 'tiny', seed = 17): Promise<string> {
  if (existsSync(join(dir, 'onnx.json'))) return dir;
  await initBackend({ prefer: 'cpu', purpose: 'infer' });
  const cfg = size === 'tiny' ? tinyConfig() : parseModelConfig({});
  const model = createModel(cfg, seed);
  try {
    saveModelDir(dir, model);
  } finally {
    disposeWeights(model.weights);
  }
  await exportModelDir(dir, { skipParity: size !== 'tiny' });
  return dir;
}
