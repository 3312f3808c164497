/**
 * `reranker.json` in a model directory: the crop attribute reader's weights, the descriptor it
 * reads, the re-ranking weight α and the candidate pool, and where they came from. Optional: a model
 * without it ranks by confidence alone (the paper's decoding). Its SHA-256 names it in reports.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ATTRIBUTE_KEYS, type AttributeKey } from '../attributes/schema';
import { ModelError } from '../errors';
import { writeFileAtomic } from '../model/atomicFile';
import { descriptorLength, DESCRIPTOR_VERSIONS, isDescriptorVersion } from './descriptor';
import { classifierSize, featureWidth, schemaClasses, type CropAttributeReader, type HiddenLayer } from './reader';

export const RERANKER_FILE = 'reranker.json';
export const RERANKER_FORMAT = 'fastpr-crop-reranker';

export interface Reranker {
  reader: CropAttributeReader;
  /** score = logit(confidence) + alpha · Σ log P(stated value | box). */
  alpha: number;
  /** How many of the most confident cells are re-scored (the rest keep their order below them). */
  pool: number;
  /** SHA-256 of the file's bytes (reports carry it). */
  sha256: string;
  /** Free-form provenance (data, frames, seed, validation sweep). */
  provenance: Record<string, unknown>;
}

interface RerankerJson {
  format: string;
  version: number;
  descriptor: { version: number; length: number };
  alpha: number;
  pool: number;
  /** Version 2: the shared hidden layer, when the reader has one. */
  hidden?: { width: number; weights: number[]; bias: number[] };
  classifiers: { key: string; classes: number; weights: number[] }[];
  provenance?: Record<string, unknown>;
}

const MAX_HIDDEN = 4096;

export function rerankerJson(r: Omit<Reranker, 'sha256'>): string {
  const round = (w: Float32Array) => Array.from(w, (x) => Number(x.toPrecision(6)));
  const h = r.reader.hidden;
  const json: RerankerJson = {
    format: RERANKER_FORMAT,
    version: 2,
    descriptor: { version: r.reader.descriptorVersion, length: descriptorLength(r.reader.descriptorVersion) },
    alpha: r.alpha,
    pool: r.pool,
    ...(h ? { hidden: { width: h.width, weights: round(h.weights), bias: round(h.bias) } } : {}),
    classifiers: r.reader.classifiers.map((c) => ({ key: c.key, classes: c.classes, weights: round(c.weights) })),
    provenance: r.provenance,
  };
  return JSON.stringify(json) + '\n';
}

export function writeReranker(modelDir: string, r: Omit<Reranker, 'sha256'>): string {
  const file = join(modelDir, RERANKER_FILE);
  writeFileAtomic(file, rerankerJson(r));
  return file;
}

/** Parses a reranker file's bytes; every problem is a ModelError naming the file. */
export function parseReranker(bytes: Buffer, file: string): Reranker {
  const bad = (why: string) => new ModelError(`${file}: ${why}`, { file });
  let json: RerankerJson;
  try {
    json = JSON.parse(bytes.toString('utf8')) as RerankerJson;
  } catch (err) {
    throw bad(`not valid JSON (${(err as Error).message})`);
  }
  if (!json || typeof json !== 'object' || json.format !== RERANKER_FORMAT) throw bad(`not a ${RERANKER_FORMAT} file`);
  if (json.version !== 1 && json.version !== 2) throw bad(`version ${String(json.version)} is not supported (expected 1 or 2)`);
  const descriptorVersion = json.descriptor?.version;
  if (!isDescriptorVersion(descriptorVersion) || json.descriptor?.length !== descriptorLength(descriptorVersion)) {
    const known = DESCRIPTOR_VERSIONS.map((v) => `v${v} of length ${descriptorLength(v)}`).join(', ');
    throw bad(`made for box descriptor v${String(json.descriptor?.version)} of length ${String(json.descriptor?.length)}; this build reads ${known}`);
  }
  const D = descriptorLength(descriptorVersion);
  if (!(typeof json.alpha === 'number' && Number.isFinite(json.alpha) && json.alpha >= 0)) throw bad('"alpha" must be a finite number ≥ 0');
  if (!(Number.isInteger(json.pool) && json.pool >= 1 && json.pool <= 10_000)) throw bad('"pool" must be a positive integer');
  if (!Array.isArray(json.classifiers)) throw bad('"classifiers" must be an array');
  const finiteList = (v: unknown, n: number) => Array.isArray(v) && v.length === n && v.every((w) => typeof w === 'number' && Number.isFinite(w));
  let hidden: HiddenLayer | undefined;
  if (json.hidden !== undefined) {
    const h = json.hidden;
    if (json.version < 2) throw bad('"hidden" needs version 2');
    if (!(h && Number.isInteger(h.width) && h.width >= 1 && h.width <= MAX_HIDDEN)) throw bad(`"hidden.width" must be a whole number from 1 to ${MAX_HIDDEN}`);
    if (!finiteList(h.weights, D * h.width)) throw bad(`"hidden.weights" must be ${D * h.width} finite numbers`);
    if (!finiteList(h.bias, h.width)) throw bad(`"hidden.bias" must be ${h.width} finite numbers`);
    hidden = { width: h.width, weights: Float32Array.from(h.weights), bias: Float32Array.from(h.bias) };
  }
  const features = featureWidth({ hidden, descriptorVersion });
  const seen = new Set<string>();
  const classifiers = json.classifiers.map((c, i) => {
    if (!ATTRIBUTE_KEYS.includes(c?.key as AttributeKey)) throw bad(`classifier ${i}: unknown attribute "${String(c?.key)}"`);
    const key = c.key as AttributeKey;
    if (seen.has(key)) throw bad(`classifier ${i}: attribute "${key}" appears twice`);
    seen.add(key);
    if (c.classes !== schemaClasses(key)) throw bad(`classifier "${key}": ${String(c.classes)} classes, the attribute schema has ${schemaClasses(key)}`);
    if (!Array.isArray(c.weights) || c.weights.length !== classifierSize(c.classes, features)) {
      throw bad(`classifier "${key}": ${Array.isArray(c.weights) ? c.weights.length : 'no'} weights, expected ${classifierSize(c.classes, features)}`);
    }
    if (!c.weights.every((w) => typeof w === 'number' && Number.isFinite(w))) throw bad(`classifier "${key}": weights must be finite numbers`);
    return { key, classes: c.classes, weights: Float32Array.from(c.weights) };
  });
  return {
    reader: { descriptorVersion, ...(hidden ? { hidden } : {}), classifiers }, alpha: json.alpha, pool: json.pool,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    provenance: json.provenance ?? {},
  };
}

/**
 * Parsed rerankers by their bytes' SHA-256: every search reads the file (~1 MB), but parses it only
 * when its content is new (a few kept; rerankers are read-only once parsed).
 */
const parsed = new Map<string, Reranker>();
const PARSED_KEPT = 4;

/** MODEL_DIR's reranker, or undefined when it has none. */
export function readReranker(modelDir: string): Reranker | undefined {
  const file = join(modelDir, RERANKER_FILE);
  if (!existsSync(file)) return undefined;
  const bytes = readFileSync(file);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const known = parsed.get(sha256);
  if (known) return known;
  const r = parseReranker(bytes, file);
  if (parsed.size >= PARSED_KEPT) parsed.delete(parsed.keys().next().value!);
  parsed.set(sha256, r);
  return r;
}
