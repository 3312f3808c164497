/**
 * `fastpr export-onnx MODEL_DIR`: trained model directory → encoder.onnx, head.onnx and onnx.json
 * in the same directory. Each file is written atomically (temp + rename), the manifest last. The
 * export is checked at once: onnxruntime runs both graphs on random inputs and the result is
 * compared with the TF.js forward pass; the differences are stored in the manifest.
 */
import { join } from 'node:path';
import * as tf from '../../tf/tf';
import { ATTRIBUTE_SCHEMA_VERSION, SLOT_TOKEN_OFFSETS } from '../../attributes/schema';
import { ModelError } from '../../errors';
import { writeFileAtomic } from '../../model/atomicFile';
import { DEFAULT_THRESHOLD } from '../../model/decode';
import type { FastprModel } from '../../model/fastpr';
import { loadModelDir } from '../../model/modelDir';
import { NORM_MEAN, NORM_STD } from '../../model/preprocess';
import { disposeWeights } from '../../model/layers';
import { DEFAULT_OPSET, IR_VERSION } from '../builder/proto';
import type { ValueInfo } from '../builder/graph';
import { OnnxSession, onnxRuntimeVersion } from '../runtime';
import { UnsupportedOpError } from '../trace/errors';
import { encoderForward, exportEncoder, exportHead, headForward, type ExportedGraph } from './graphs';
import { currentInt8Encoder, ONNX_MANIFEST_FILE, ONNX_MANIFEST_FORMAT, readGraphFile, readOnnxManifest, sha256, type GraphInfo, type Int8EncoderInfo, type OnnxManifest } from './manifest';

export const EXPORTER_VERSION = '1.0.0';
export const ENCODER_FILE = 'encoder.onnx';
export const HEAD_FILE = 'head.onnx';

export interface ExportOptions {
  /** Store weights as float16 (about half the size; parity then ~1e-3 instead of ~1e-6). */
  float16?: boolean;
  /** The absent threshold stored in onnx.json (default the paper's 0.6); calibrate it on a validation split. */
  threshold?: number;
  /** Skip the onnxruntime-vs-TF.js check (default: run it at batch 2). */
  skipParity?: boolean;
}

function graphInfo(file: string, e: ExportedGraph): GraphInfo {
  const v = (x: ValueInfo) => ({ name: x.name, dtype: x.dtype, shape: [...x.dims] });
  return {
    file, sha256: sha256(e.bytes), inputs: e.graph.inputInfos.map(v), outputs: e.graph.outputInfos.map(v),
    macsPerImage: e.macsPerImage, ops: e.graph.opCounts(), bytes: e.bytes.byteLength,
  };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** TF.js forward vs onnxruntime on the exported bytes, random image and a partial query, at `batch`. */
export async function checkParity(model: FastprModel, encoderBytes: Uint8Array, headBytes: Uint8Array, batch = 2, seed = 3): Promise<Record<string, number>> {
  const s = model.config.inputSize;
  const T = model.config.slots;
  const image = tf.randomNormal([batch, s, s, 3], 0, 1, 'float32', seed) as tf.Tensor4D;
  const tokenRows = Array.from({ length: batch }, (_, b) => Array.from({ length: T }, (_, i) => SLOT_TOKEN_OFFSETS[i]! + ((i + b) % 3 === 0 ? 1 : 0)));
  const tokens = tf.tensor2d(tokenRows, [batch, T], 'int32');
  const ref = tf.tidy(() => {
    const enc = encoderForward(model, { image });
    return { ...enc, ...headForward(model, { encoded: enc.encoded!, tokens }) };
  });
  const enc = await OnnxSession.create(encoderBytes, { label: ENCODER_FILE, intraOpThreads: 1, provider: 'cpu' });
  const head = await OnnxSession.create(headBytes, { label: HEAD_FILE, intraOpThreads: 1, provider: 'cpu' });
  try {
    const e = await enc.run({ image: { type: 'float32', data: image.dataSync() as Float32Array, dims: image.shape } });
    const h = await head.run({ encoded: e.encoded!, tokens: { type: 'int64', data: BigInt64Array.from(tokenRows.flat(), (x) => BigInt(x)), dims: [batch, T] } });
    const out: Record<string, number> = { encoded: maxAbsDiff(e.encoded!.data as Float32Array, ref.encoded!.dataSync()) };
    for (const k of ['confidence', 'boxes', 'attention']) out[k] = maxAbsDiff(h[k]!.data as Float32Array, ref[k]!.dataSync());
    return out;
  } finally {
    tf.dispose([image, tokens, ...Object.values(ref)]);
    await enc.dispose();
    await head.dispose();
  }
}

/**
 * The int8 encoder listed in `dir`'s current onnx.json, if it stays valid for the encoder being
 * written: made from a float encoder with the same hash (a re-export of the same model, e.g. to
 * change the threshold), and its file still the one listed. A retrained model's export drops it
 * (`fastpr quantize-encoder` makes a new one); so does a damaged or unreadable manifest.
 */
function keptInt8Encoder(dir: string, encoder: GraphInfo): Int8EncoderInfo | undefined {
  try {
    const int8 = currentInt8Encoder({ encoder, encoderInt8: readOnnxManifest(dir).encoderInt8 });
    if (int8) readGraphFile(dir, int8); // throws when missing or changed since
    return int8;
  } catch {
    return undefined; // no manifest yet, an unreadable one, or an int8 file that no longer matches it
  }
}

/** Exports a loaded model into `dir`; returns the manifest written. */
export async function exportModel(model: FastprModel, dir: string, info: { modelHash: string; inputMode: 'letterbox' | 'resize' }, opts: ExportOptions = {}): Promise<OnnxManifest> {
  const metadata = { modelHash: info.modelHash, exporter: `fastpr-workstation export-onnx ${EXPORTER_VERSION}` };
  let encoder: ExportedGraph;
  let head: ExportedGraph;
  try {
    encoder = exportEncoder(model, { float16: opts.float16, metadata });
    head = exportHead(model, { float16: opts.float16, metadata });
  } catch (err) {
    if (err instanceof UnsupportedOpError) throw new ModelError(`${dir}: cannot export to ONNX: ${err.message}`, { file: dir });
    throw err;
  }
  const parity = opts.skipParity ? undefined : { batch: 2, maxAbsDiff: await checkParity(model, encoder.bytes, head.bytes) };
  const c = model.config;
  const manifest: OnnxManifest = {
    format: ONNX_MANIFEST_FORMAT,
    version: 1,
    createdAt: new Date().toISOString(),
    exporter: { name: 'fastpr-workstation export-onnx', version: EXPORTER_VERSION, onnxruntime: onnxRuntimeVersion() },
    opset: DEFAULT_OPSET,
    irVersion: IR_VERSION,
    modelHash: info.modelHash,
    preprocessing: { mode: info.inputMode, size: c.inputSize, mean: [...NORM_MEAN], std: [...NORM_STD], layout: 'NHWC', channels: 'RGB' },
    grid: c.grid,
    featureWidth: c.featureWidth,
    slots: c.slots,
    vocabularySize: c.vocabularySize,
    attributeSchemaVersion: ATTRIBUTE_SCHEMA_VERSION,
    slotTokenOffsets: SLOT_TOKEN_OFFSETS.slice(0, c.slots) as number[],
    threshold: opts.threshold ?? DEFAULT_THRESHOLD,
    weightStorage: opts.float16 ? 'float16' : 'float32',
    encoder: graphInfo(ENCODER_FILE, encoder),
    head: graphInfo(HEAD_FILE, head),
    ...(parity ? { parity } : {}),
  };
  const int8 = keptInt8Encoder(dir, manifest.encoder);
  if (int8) manifest.encoderInt8 = int8;
  writeFileAtomic(join(dir, ENCODER_FILE), encoder.bytes);
  writeFileAtomic(join(dir, HEAD_FILE), head.bytes);
  writeFileAtomic(join(dir, ONNX_MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

/** Loads MODEL_DIR (checking its hash), exports, frees the TF.js weights. */
export async function exportModelDir(dir: string, opts: ExportOptions = {}): Promise<OnnxManifest> {
  const loaded = loadModelDir(dir);
  try {
    return await exportModel(loaded.model, dir, { modelHash: loaded.info.modelHash, inputMode: loaded.inputMode }, opts);
  } finally {
    disposeWeights(loaded.model.weights);
  }
}
