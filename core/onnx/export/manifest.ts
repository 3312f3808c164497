/**
 * `onnx.json` in a model directory: what the exported graphs are and how to feed them. Written
 * last by the exporter (after both .onnx files), so its presence marks a complete export; the
 * SHA-256 of each .onnx file ties the three files together and to the trained model's hash.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ModelError } from '../../errors';

export const ONNX_MANIFEST_FILE = 'onnx.json';
export const ONNX_MANIFEST_FORMAT = 'fastpr-onnx';

const dim = z.union([z.number().int(), z.string()]);
const valueSchema = z.object({ name: z.string(), dtype: z.string(), shape: z.array(dim) });

const graphSchema = z.object({
  file: z.string(),
  sha256: z.string(),
  inputs: z.array(valueSchema),
  outputs: z.array(valueSchema),
  /** Multiply-accumulates per image counted from the traced convs and matrix products. */
  macsPerImage: z.number(),
  ops: z.record(z.string(), z.number()),
  bytes: z.number(),
});

export const onnxManifestSchema = z.object({
  format: z.literal(ONNX_MANIFEST_FORMAT),
  version: z.literal(1),
  createdAt: z.string(),
  exporter: z.object({ name: z.string(), version: z.string(), onnxruntime: z.string() }),
  opset: z.number().int(),
  irVersion: z.number().int(),
  /** model.json's modelHash at export time: a retrained model makes the export stale. */
  modelHash: z.string(),
  /** How the graph inputs are made: core/model/preprocess.ts with these parameters, NHWC RGB. */
  preprocessing: z.object({
    mode: z.enum(['letterbox', 'resize']),
    size: z.number().int(),
    mean: z.array(z.number()).length(3),
    std: z.array(z.number()).length(3),
    layout: z.literal('NHWC'),
    channels: z.literal('RGB'),
  }),
  grid: z.number().int(),
  featureWidth: z.number().int(),
  slots: z.number().int(),
  vocabularySize: z.number().int(),
  attributeSchemaVersion: z.number().int(),
  slotTokenOffsets: z.array(z.number().int()),
  threshold: z.number(),
  weightStorage: z.enum(['float32', 'float16']),
  encoder: graphSchema,
  head: graphSchema,
  /**
   * An int8 copy of the encoder (`fastpr quantize-encoder`, core/onnx/quantize/): same inputs and
   * outputs, features within its recorded error of the float encoder's. Absent until made.
   */
  encoderInt8: graphSchema.extend({
    /** Convs left in float (by their output name; the rest run in int8). */
    floatConvs: z.array(z.string()),
    calibration: z.object({
      /** The calibration dataset's manifest.json SHA-256 and the split its images came from. */
      dataManifestSha256: z.string(),
      split: z.string(),
      images: z.number().int(),
      /** How activation ranges were set. */
      ranges: z.string(),
    }),
    /** ‖int8 − float‖ / ‖float‖ of the encoded features on the calibration images. */
    featureRelRmsError: z.number(),
    /** The float encoder file it was made from (a re-export makes it stale). */
    fromEncoderSha256: z.string(),
  }).optional(),
  /** TF.js vs onnxruntime on random inputs at export time (max abs difference per output). */
  parity: z.object({ batch: z.number().int(), maxAbsDiff: z.record(z.string(), z.number()) }).optional(),
});

export type OnnxManifest = z.infer<typeof onnxManifestSchema>;
export type GraphInfo = z.infer<typeof graphSchema>;
export type Int8EncoderInfo = NonNullable<OnnxManifest['encoderInt8']>;

/** The int8 encoder `m` lists, if it was made from `m`'s encoder.onnx (a re-export makes it stale). */
export function currentInt8Encoder<T extends { fromEncoderSha256: string }>(m: { encoder: { sha256: string }; encoderInt8?: T }): T | undefined {
  return m.encoderInt8 && m.encoderInt8.fromEncoderSha256 === m.encoder.sha256 ? m.encoderInt8 : undefined;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Reads and validates onnx.json; a missing or malformed manifest is a ModelError naming it. */
export function readOnnxManifest(modelDir: string): OnnxManifest {
  const file = join(modelDir, ONNX_MANIFEST_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ModelError(`${file}: not found — run \`fastpr export-onnx ${modelDir}\` first`, { file });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ModelError(`${file}: not valid JSON (${(e as Error).message})`, { file });
  }
  const parsed = onnxManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? issue.path.map(String).join('.') || '(root)' : '(root)';
    throw new ModelError(`${file}: ${where}: ${issue?.message ?? 'invalid'}`, { file, field: where });
  }
  return parsed.data;
}

/** Reads one exported graph and checks it is the file the manifest describes. */
export function readGraphFile(modelDir: string, g: GraphInfo): Uint8Array {
  const file = join(modelDir, g.file);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch {
    throw new ModelError(`${file}: not found (listed in ${ONNX_MANIFEST_FILE}); re-run export-onnx`, { file });
  }
  if (sha256(bytes) !== g.sha256) {
    throw new ModelError(`${file}: contents do not match ${ONNX_MANIFEST_FILE} (truncated, modified or from another export); re-run export-onnx`, { file });
  }
  return bytes;
}
