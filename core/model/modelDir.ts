/**
 * A trained model directory:
 *   config.json      { model: ModelConfig, training?: …, preprocessing: { mode, size, mean, std } }
 *   weights.json/.bin   weight file (weightsFile.ts)
 *   vocabulary.json  attribute schema version and every slot's tokens (0 = unknown, c+1 = code c)
 *   model.json       { format, version, modelHash, … } — modelHash = SHA-256 over config.json,
 *                    weights.json and weights.bin bytes, in that order
 * The trainer adds metrics.jsonl, loss-curve.png and checkpoint/.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ATTRIBUTES, ATTRIBUTE_SCHEMA_VERSION, SLOT_TOKEN_OFFSETS, VOCABULARY_SIZE } from '../attributes/schema';
import { ModelError } from '../errors';
import { writeFileAtomic } from './atomicFile';
import { assertSchemaCompatible, parseModelConfig, type ModelConfig } from './config';
import { createModel, type FastprModel } from './fastpr';
import { NORM_MEAN, NORM_STD } from './preprocess';
import { assignArrays, readWeightsFiles, weightsToArrays, writeWeightsFiles } from './weightsFile';

export const MODEL_FORMAT = 'fastpr-model';

export interface ModelInfo {
  format: typeof MODEL_FORMAT;
  version: 1;
  modelHash: string;
  createdAt: string;
  backbone: string;
  [extra: string]: unknown;
}

export function vocabularyJson() {
  return {
    attributeSchemaVersion: ATTRIBUTE_SCHEMA_VERSION,
    size: VOCABULARY_SIZE,
    slots: ATTRIBUTES.map((a, i) => ({ slot: i, key: a.key, tag: a.tag, offset: SLOT_TOKEN_OFFSETS[i], tokens: ['unknown', ...a.values] })),
  };
}

export function hashModelFiles(dir: string): string {
  const h = createHash('sha256');
  for (const f of ['config.json', 'weights.json', 'weights.bin']) h.update(readFileSync(join(dir, f)));
  return h.digest('hex');
}

export interface SaveModelOptions {
  inputMode?: 'letterbox' | 'resize';
  training?: unknown;
  /** Extra fields for model.json (data hashes, steps, backend…). */
  info?: Record<string, unknown>;
}

export function saveModelDir(dir: string, model: FastprModel, opts: SaveModelOptions = {}): ModelInfo {
  mkdirSync(dir, { recursive: true });
  const config = {
    model: model.config,
    ...(opts.training !== undefined ? { training: opts.training } : {}),
    preprocessing: { mode: opts.inputMode ?? 'letterbox', size: model.config.inputSize, mean: NORM_MEAN, std: NORM_STD },
  };
  writeFileAtomic(join(dir, 'config.json'), JSON.stringify(config, null, 2) + '\n');
  writeWeightsFiles(dir, 'weights', weightsToArrays(model.weights));
  writeFileAtomic(join(dir, 'vocabulary.json'), JSON.stringify(vocabularyJson(), null, 1) + '\n');
  const info: ModelInfo = {
    format: MODEL_FORMAT,
    version: 1,
    ...opts.info,
    modelHash: hashModelFiles(dir),
    createdAt: new Date().toISOString(),
    backbone: model.config.backbone,
  };
  writeFileAtomic(join(dir, 'model.json'), JSON.stringify(info, null, 2) + '\n');
  return info;
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ModelError(`${file}: not found — is this a FastPR model directory?`, { file });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ModelError(`${file}: not valid JSON (${(e as Error).message})`, { file });
  }
}

export interface LoadedModel {
  model: FastprModel;
  info: ModelInfo;
  inputMode: 'letterbox' | 'resize';
}

/** Loads a model directory; checks the schema version and the model hash. */
export function loadModelDir(dir: string): LoadedModel {
  const configFile = join(dir, 'config.json');
  const cfgJson = readJson(configFile) as { model?: unknown; preprocessing?: { mode?: string } };
  const config: ModelConfig = parseModelConfig(cfgJson.model, configFile);
  assertSchemaCompatible(config, configFile);
  const infoFile = join(dir, 'model.json');
  const info = readJson(infoFile) as ModelInfo;
  if (info.format !== MODEL_FORMAT) throw new ModelError(`${infoFile}: format is not ${MODEL_FORMAT}`, { file: infoFile });
  const arrays = readWeightsFiles(dir, 'weights');
  const hash = hashModelFiles(dir);
  if (hash !== info.modelHash) {
    throw new ModelError(`${infoFile}: model hash ${String(info.modelHash).slice(0, 12)}… does not match the files (${hash.slice(0, 12)}…); the model was modified or is incomplete`, { file: infoFile });
  }
  const model = createModel(config, 0);
  assignArrays(model.weights, arrays, join(dir, 'weights.json'));
  return { model, info, inputMode: cfgJson.preprocessing?.mode === 'resize' ? 'resize' : 'letterbox' };
}
