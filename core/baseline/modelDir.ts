/** The baseline's model directory: baseline.json + detector/classifier weight files. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelError } from '../errors';
import { buildClassifier } from './classifier';
import { BASELINE_CONFIG_FILE, baselineConfigSchema, type BaselineConfig } from './config';
import { buildDetector } from './detector';
import { disposeParams, loadParams, saveParams, type Params } from './params';

export interface BaselineModel {
  config: BaselineConfig;
  detector: Params;
  classifier: Params;
}

export function isBaselineDir(dir: string): boolean {
  return existsSync(join(dir, BASELINE_CONFIG_FILE));
}

/** Fresh, seeded weights for a configuration. */
export function createBaseline(config: BaselineConfig): BaselineModel {
  return { config, detector: buildDetector(config.detector, config.seed), classifier: buildClassifier(config.classifier, config.seed + 1) };
}

export function readBaselineConfig(dir: string): BaselineConfig {
  const file = join(dir, BASELINE_CONFIG_FILE);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ModelError(`${file}: cannot read the baseline configuration (${(e as Error).message})`, { file });
  }
  const parsed = baselineConfigSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ModelError(`${file}: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`, { file });
  }
  return parsed.data;
}

export function loadBaseline(dir: string): BaselineModel {
  const model = createBaseline(readBaselineConfig(dir));
  try {
    loadParams(model.detector, dir, 'detector');
    loadParams(model.classifier, dir, 'classifier');
  } catch (e) {
    disposeBaseline(model);
    throw e;
  }
  return model;
}

export function saveBaseline(dir: string, model: BaselineModel): void {
  mkdirSync(dir, { recursive: true });
  saveParams(model.detector, dir, 'detector');
  saveParams(model.classifier, dir, 'classifier');
  // The config last: a directory with baseline.json is complete.
  writeFileSync(join(dir, BASELINE_CONFIG_FILE), JSON.stringify(model.config, null, 2) + '\n');
}

export function disposeBaseline(model: BaselineModel): void {
  disposeParams(model.detector);
  disposeParams(model.classifier);
}
