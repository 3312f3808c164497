/**
 * `reranker.json` in a model directory: the crop attribute reader's weights, the descriptor it
 * reads, the re-ranking weight α and the candidate pool, the ONNX networks beside it (the crop
 * network, version 3; the box refiner, version 4), and where they came from. Optional: a model
 * without it ranks by confidence alone (the paper's decoding). Its SHA-256 names it in reports.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ATTRIBUTE_KEYS, type AttributeKey } from '../attributes/schema';
import { ModelError } from '../errors';
import { writeFileAtomic } from '../model/atomicFile';
import type { CropSize } from './crop';
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
  /** The crop network (cropNet.ts), when the re-ranker has one: log-likelihood = colour + weight · crop. */
  cropNet?: CropNetRef;
  /** The box refiner (boxRefiner.ts), when the re-ranker has one: re-scored candidates' boxes are moved onto their person. */
  boxRefiner?: BoxRefinerRef;
}

export interface CropNetRef {
  /** The ONNX file's path (in the JSON: its name, beside reranker.json). */
  file: string;
  /** SHA-256 of the ONNX file: reranker.json names the network it was chosen with. */
  sha256: string;
  cropSize: CropSize;
  weight: number;
}

export interface BoxRefinerRef {
  /** The ONNX file's path (in the JSON: its name, beside reranker.json). */
  file: string;
  /** SHA-256 of the ONNX file. */
  sha256: string;
  cropSize: CropSize;
  /** The region read around a box, as multiples of its width and height. */
  context: readonly [number, number];
  /** Refinement passes (each reads around the last pass's box); 1 when absent from the file. */
  passes: number;
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
  /** Version 3: the crop network beside the file. */
  cropNet?: { file: string; sha256: string; cropSize: [number, number]; weight: number };
  /** Version 4: the box refiner beside the file. */
  boxRefiner?: { file: string; sha256: string; cropSize: [number, number]; context: [number, number]; passes?: number };
  provenance?: Record<string, unknown>;
}

const MAX_HIDDEN = 4096;

export function rerankerJson(r: Omit<Reranker, 'sha256'>): string {
  const round = (w: Float32Array) => Array.from(w, (x) => Number(x.toPrecision(6)));
  const h = r.reader.hidden;
  const json: RerankerJson = {
    format: RERANKER_FORMAT,
    // The oldest version that holds what the file has: files without the newer parts stay readable by older builds.
    version: r.boxRefiner ? 4 : r.cropNet ? 3 : 2,
    descriptor: { version: r.reader.descriptorVersion, length: descriptorLength(r.reader.descriptorVersion) },
    alpha: r.alpha,
    pool: r.pool,
    ...(h ? { hidden: { width: h.width, weights: round(h.weights), bias: round(h.bias) } } : {}),
    classifiers: r.reader.classifiers.map((c) => ({ key: c.key, classes: c.classes, weights: round(c.weights) })),
    ...(r.cropNet ? { cropNet: { file: basename(r.cropNet.file), sha256: r.cropNet.sha256, cropSize: [r.cropNet.cropSize[0], r.cropNet.cropSize[1]], weight: r.cropNet.weight } } : {}),
    ...(r.boxRefiner ? { boxRefiner: { file: basename(r.boxRefiner.file), sha256: r.boxRefiner.sha256, cropSize: [r.boxRefiner.cropSize[0], r.boxRefiner.cropSize[1]], context: [r.boxRefiner.context[0], r.boxRefiner.context[1]], passes: r.boxRefiner.passes } } : {}),
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
  if (![1, 2, 3, 4].includes(json.version)) throw bad(`version ${String(json.version)} is not supported (expected 1 to 4)`);
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
  // An ONNX file named beside reranker.json: never a path that leaves the model directory.
  const onnxBeside = (key: string, c: { file?: unknown; sha256?: unknown; cropSize?: unknown } | null) => {
    if (!(c && typeof c.file === 'string' && /^[\w.-]+\.onnx$/.test(c.file) && !c.file.startsWith('.'))) throw bad(`"${key}.file" must be the name of an .onnx file beside it`);
    if (!(typeof c.sha256 === 'string' && /^[0-9a-f]{64}$/.test(c.sha256))) throw bad(`"${key}.sha256" must be 64 lowercase hex digits`);
    const size = c.cropSize;
    if (!(Array.isArray(size) && size.length === 2 && size.every((v) => Number.isInteger(v) && v >= 8 && v <= 512))) throw bad(`"${key}.cropSize" must be [height, width], whole numbers from 8 to 512`);
    return { file: join(dirname(file), c.file), sha256: c.sha256, cropSize: [size[0] as number, size[1] as number] as const };
  };
  let cropNet: CropNetRef | undefined;
  if (json.cropNet !== undefined) {
    const c = json.cropNet;
    if (json.version < 3) throw bad('"cropNet" needs version 3');
    const ref = onnxBeside('cropNet', c);
    if (!(typeof c.weight === 'number' && Number.isFinite(c.weight) && c.weight >= 0)) throw bad('"cropNet.weight" must be a finite number ≥ 0');
    cropNet = { ...ref, weight: c.weight };
  }
  let boxRefiner: BoxRefinerRef | undefined;
  if (json.boxRefiner !== undefined) {
    const c = json.boxRefiner;
    if (json.version < 4) throw bad('"boxRefiner" needs version 4');
    const ref = onnxBeside('boxRefiner', c);
    if (!(Array.isArray(c.context) && c.context.length === 2 && c.context.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 1 && v <= 8))) throw bad('"boxRefiner.context" must be [width, height] multiples from 1 to 8');
    const passes = c.passes ?? 1;
    if (!(Number.isInteger(passes) && passes >= 1 && passes <= 4)) throw bad('"boxRefiner.passes" must be a whole number from 1 to 4');
    boxRefiner = { ...ref, context: [c.context[0]!, c.context[1]!], passes };
  }
  return {
    reader: { descriptorVersion, ...(hidden ? { hidden } : {}), classifiers }, alpha: json.alpha, pool: json.pool,
    ...(cropNet ? { cropNet } : {}),
    ...(boxRefiner ? { boxRefiner } : {}),
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
  const key = `${file}\0${sha256}`; // the path too: a crop network is resolved beside the file
  let r = parsed.get(key);
  if (!r) {
    r = parseReranker(bytes, file);
    if (parsed.size >= PARSED_KEPT) parsed.delete(parsed.keys().next().value!);
    parsed.set(key, r);
  }
  if (r.cropNet) checkOnnxFile(r.cropNet, 'crop network', file);
  if (r.boxRefiner) checkOnnxFile(r.boxRefiner, 'box refiner', file);
  return r;
}

/** A network's file must be the one reranker.json was written with (checked on every read: ~1.4 MB each). */
function checkOnnxFile(ref: { file: string; sha256: string }, what: string, rerankerFile: string): void {
  let bytes: Buffer;
  try {
    bytes = readFileSync(ref.file);
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'is missing' : `cannot be read (${(err as Error).message})`;
    throw new ModelError(`${ref.file}: the ${what} named by ${rerankerFile} ${why}`, { file: ref.file });
  }
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== ref.sha256) {
    throw new ModelError(`${ref.file}: SHA-256 ${actual.slice(0, 12)}… is not the ${what} ${rerankerFile} was made with (${ref.sha256.slice(0, 12)}…)`, { file: ref.file });
  }
}
