/**
 * Which models the workstation knows and which one it uses. The shipped model is the repository's
 * models/default (core/index/modelDirDefault.ts); trained ones live in DATA_DIR/models/<id>. The
 * active model is the shipped one if it exists (exported), else the newest exported trained one,
 * else none (the UI says "model not trained yet").
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { NotFoundError } from '../errors';
import { DEFAULT_MODEL_DIR } from '../index/modelDirDefault';
import { currentInt8Encoder } from '../onnx/export/manifest';
import { ensureDataDir } from '../platform/dataDir';
import type { ActiveModel, ModelSummary } from './types/jobs';

function readJson(file: string): Record<string, unknown> | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/**
 * The encoder OnnxRetriever's 'auto' picks from onnx.json (read loosely, as the rest of the summary;
 * the files are not hashed: opening the model checks them and names a damaged one).
 */
function defaultEncoder(onnx: Record<string, unknown>): 'float' | 'int8' {
  const encoder = onnx.encoder as { sha256?: unknown } | undefined;
  const int8 = onnx.encoderInt8 as { fromEncoderSha256?: unknown } | undefined;
  if (typeof encoder?.sha256 !== 'string' || typeof int8?.fromEncoderSha256 !== 'string') return 'float';
  return currentInt8Encoder({ encoder: { sha256: encoder.sha256 }, encoderInt8: { fromEncoderSha256: int8.fromEncoderSha256 } }) ? 'int8' : 'float';
}

function summarise(id: string, dir: string, source: ModelSummary['source']): ModelSummary | null {
  const info = readJson(join(dir, 'model.json'));
  const onnx = readJson(join(dir, 'onnx.json'));
  if (!info && !onnx) return null;
  const num = (v: unknown) => (typeof v === 'number' ? v : null);
  return {
    id, dir, source,
    modelHash: (onnx?.modelHash as string | undefined) ?? (info?.modelHash as string | undefined) ?? null,
    createdAt: (info?.createdAt as string | undefined) ?? (onnx?.createdAt as string | undefined) ?? null,
    backbone: (info?.backbone as string | undefined) ?? null,
    exported: onnx !== null,
    encoder: onnx === null ? null : defaultEncoder(onnx),
    trainedSteps: num(info?.trainedSteps),
    complete: typeof info?.complete === 'boolean' ? info.complete : null,
    active: false,
    caveat: typeof info?.caveat === 'string' && info.caveat.trim() ? info.caveat.trim().slice(0, 500) : null,
  };
}

/** The shipped model directory (overridable for tests and packaged builds). */
export function shippedModelDir(): string {
  return process.env.FASTPR_SHIPPED_MODEL_DIR ?? DEFAULT_MODEL_DIR;
}

export function listModels(dataDir: string): ModelSummary[] {
  const out: ModelSummary[] = [];
  const shipped = existsSync(shippedModelDir()) ? summarise('default', shippedModelDir(), 'shipped') : null;
  if (shipped) out.push(shipped);
  const root = ensureDataDir(dataDir).models;
  for (const name of readdirSync(root).sort()) {
    const dir = join(root, name);
    if (name.startsWith('.') || !statSync(dir).isDirectory()) continue;
    const m = summarise(name, dir, 'trained');
    if (m) out.push(m);
  }
  const active = pickActive(out);
  return out.map((m) => ({ ...m, active: m === active }));
}

function pickActive(models: ModelSummary[]): ModelSummary | undefined {
  const shipped = models.find((m) => m.source === 'shipped' && m.exported);
  if (shipped) return shipped;
  return models.filter((m) => m.source === 'trained' && m.exported)
    .sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? '') || b.id.localeCompare(a.id))[0];
}

export function activeModel(dataDir: string): ActiveModel {
  const model = listModels(dataDir).find((m) => m.active) ?? null;
  if (model) return { state: 'ready', model, message: `Using model ${model.id} (${model.modelHash?.slice(0, 12) ?? 'unknown hash'}…)` };
  return { state: 'none', model: null, message: 'Model not trained yet: train one on the Training screen (a synthetic recipe works offline), then ingest the evidence.' };
}

export function modelDirOf(dataDir: string, id: string): string {
  const m = listModels(dataDir).find((x) => x.id === id);
  if (!m) throw new NotFoundError(`no model "${id}" (see models.list)`);
  return m.dir;
}
