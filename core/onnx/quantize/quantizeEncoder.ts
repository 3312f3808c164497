/**
 * `fastpr quantize-encoder MODEL_DIR --data DATASET`: writes `encoder.int8.onnx` beside the float
 * encoder and lists it in onnx.json (`encoderInt8`), written last as the export does. Pipeline:
 * calibration images (evenly spaced over the dataset's train split) → preprocess as inference does →
 * activation ranges (calibrate.ts) → QDQ rewrite (qdq.ts) → the error of the int8 features against
 * the float ones on the same images, recorded with the file.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetError, ModelError } from '../../errors';
import { framesOfSplit, readDataset } from '../../dataset/reader';
import { MANIFEST_FILE } from '../../dataset/format';
import { preprocessFrame } from '../../model/preprocess';
import { writeFileAtomic } from '../../model/atomicFile';
import { loadImageFrames } from '../../infer/frames';
import { onnx } from '../builder/proto';
import { OnnxSession } from '../runtime';
import { ONNX_MANIFEST_FILE, readGraphFile, readOnnxManifest, sha256, type Int8EncoderInfo, type OnnxManifest } from '../export/manifest';
import { calibrateRanges } from './calibrate';
import { convNames, planQuantization, quantizeGraph } from './qdq';

export const ENCODER_INT8_FILE = 'encoder.int8.onnx';
/** Calibration images by default: 64 measured as good as 200 on the shipped model (ranges are means). */
export const DEFAULT_CALIBRATION_IMAGES = 64;
export const RANGE_METHOD = 'mean over images of per-image min and max (uint8 asymmetric activations; int8 symmetric per-channel weights; int32 biases)';

export interface QuantizeEncoderOptions {
  /** A dataset folder (core/dataset) whose train split supplies the calibration images. */
  dataDir: string;
  images?: number;
  /**
   * Convs kept in float. Default: the first (it reads the normalised image, three channels: little
   * work, most sensitive) and the last (the pixel skip's projection into the features).
   */
  floatConvs?: readonly string[];
  threads?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export function defaultFloatConvs(convs: readonly string[]): string[] {
  return convs.length <= 2 ? [...convs] : [convs[0]!, convs[convs.length - 1]!];
}

function relRmsError(reference: Float32Array, approx: Float32Array): number {
  let err = 0;
  let norm = 0;
  for (let i = 0; i < reference.length; i++) {
    err += (reference[i]! - approx[i]!) ** 2;
    norm += reference[i]! ** 2;
  }
  return norm > 0 ? Math.sqrt(err / norm) : 0;
}

async function encodeAll(bytes: Uint8Array, data: Float32Array, count: number, size: number, threads?: number): Promise<Float32Array> {
  const session = await OnnxSession.create(bytes, { intraOpThreads: threads, label: 'encoder' });
  try {
    const per = size * size * 3;
    const parts: Float32Array[] = [];
    for (let start = 0; start < count; start += 8) {
      const n = Math.min(8, count - start);
      const out = await session.run({ image: { type: 'float32', data: data.subarray(start * per, (start + n) * per), dims: [n, size, size, 3] } });
      parts.push(out.encoded!.data as Float32Array);
    }
    const all = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
    let at = 0;
    for (const p of parts) { all.set(p, at); at += p.length; }
    return all;
  } finally {
    await session.dispose();
  }
}

export async function quantizeEncoderDir(modelDir: string, opts: QuantizeEncoderOptions): Promise<OnnxManifest> {
  const manifest = readOnnxManifest(modelDir);
  const floatBytes = readGraphFile(modelDir, manifest.encoder);
  const model = onnx.ModelProto.decode(floatBytes);
  const all = convNames(model);
  const floatConvs = opts.floatConvs ? [...opts.floatConvs] : defaultFloatConvs(all);
  const unknown = floatConvs.filter((c) => !all.includes(c));
  if (unknown.length) throw new ModelError(`${join(modelDir, manifest.encoder.file)}: no Conv named ${unknown.join(', ')} (has ${all.join(', ')})`);
  const plan = planQuantization(model, all.filter((c) => !floatConvs.includes(c)));

  const dataset = readDataset(opts.dataDir);
  const train = framesOfSplit(dataset, 'train');
  const wanted = Math.max(1, Math.floor(opts.images ?? DEFAULT_CALIBRATION_IMAGES));
  if (train.length < wanted) throw new DatasetError(`${opts.dataDir}: its train split has ${train.length} frames, calibration needs ${wanted}`, { file: opts.dataDir });
  const picks = Array.from({ length: wanted }, (_, i) => train[Math.floor((i * train.length) / wanted)]!);
  const size = manifest.preprocessing.size;
  const per = size * size * 3;
  const data = new Float32Array(wanted * per);
  const frames = await loadImageFrames(picks.map((f) => join(dataset.dir, f.image)));
  frames.forEach((f, i) => data.set(preprocessFrame(f, { size, mode: manifest.preprocessing.mode }).data, i * per));

  // The calibration pass also keeps the float features, the reference for the int8 ones.
  const { ranges, output: floatFeatures } = await calibrateRanges(floatBytes, 'image', plan.tensors, { data, count: wanted, size }, { ...opts, output: 'encoded' });
  const int8Bytes = quantizeGraph(floatBytes, plan, ranges);
  const featureRelRmsError = relRmsError(floatFeatures!, await encodeAll(int8Bytes, data, wanted, size, opts.threads));

  const ops: Record<string, number> = {};
  for (const n of onnx.ModelProto.decode(int8Bytes).graph!.node!) ops[n.opType!] = (ops[n.opType!] ?? 0) + 1;
  const encoderInt8: Int8EncoderInfo = {
    ...manifest.encoder, file: ENCODER_INT8_FILE, sha256: sha256(int8Bytes), bytes: int8Bytes.byteLength, ops,
    floatConvs,
    calibration: { dataManifestSha256: sha256(readFileSync(join(opts.dataDir, MANIFEST_FILE))), split: 'train', images: wanted, ranges: RANGE_METHOD },
    featureRelRmsError,
    fromEncoderSha256: manifest.encoder.sha256,
  };
  const next: OnnxManifest = { ...manifest, encoderInt8 };
  writeFileAtomic(join(modelDir, ENCODER_INT8_FILE), int8Bytes);
  writeFileAtomic(join(modelDir, ONNX_MANIFEST_FILE), JSON.stringify(next, null, 2) + '\n');
  return next;
}
