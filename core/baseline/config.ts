/**
 * The two-stage baseline's configuration (stored as baseline.json in its model directory).
 *
 * Stage 1 runs at 416×416 (YOLO's input size, typical of two-stage retrieval pipelines; frames are
 * stretched to it, boxes mapped back). Stage 2 classifies each detected crop at 128×64 (H×W), the
 * usual person re-identification crop size.
 */
import { z } from 'zod';
import { ATTRIBUTE_SCHEMA_VERSION } from '../attributes/schema';

export const BASELINE_CONFIG_FILE = 'baseline.json';

const convSpec = z.object({ out: z.number().int().min(1), stride: z.union([z.literal(1), z.literal(2)]), k: z.number().int().min(1).default(3) });
export type ConvSpec = z.infer<typeof convSpec>;

export const detectorConfigSchema = z.object({
  inputSize: z.number().int().min(16).default(416),
  /** Backbone convs; the product of strides is the grid stride (16 → a 26×26 grid at 416). */
  layers: z.array(convSpec).min(1).default([
    { out: 16, stride: 2, k: 3 }, { out: 32, stride: 2, k: 3 }, { out: 32, stride: 1, k: 3 },
    { out: 64, stride: 2, k: 3 }, { out: 128, stride: 2, k: 3 }, { out: 128, stride: 1, k: 3 },
  ]),
  /** Cells scoring above this become detections (before NMS). */
  scoreThreshold: z.number().min(0).max(1).default(0.25),
  nmsIoU: z.number().min(0).max(1).default(0.45),
  maxDetections: z.number().int().min(1).default(30),
  /** Box-regression weight against the objectness loss. */
  boxLossWeight: z.number().min(0).default(5),
});
export type DetectorConfig = z.infer<typeof detectorConfigSchema>;

export const classifierConfigSchema = z.object({
  /** Crop size [height, width]. */
  cropSize: z.tuple([z.number().int().min(8), z.number().int().min(8)]).default([128, 64]),
  layers: z.array(convSpec).min(1).default([
    { out: 32, stride: 2, k: 3 }, { out: 64, stride: 2, k: 3 }, { out: 96, stride: 2, k: 3 }, { out: 96, stride: 2, k: 3 },
  ]),
  /** Hidden dense width after flattening (keeps where on the body a colour is: torso vs legs). */
  hidden: z.number().int().min(1).default(128),
  /** Training-time box jitter (share of box size) so the classifier tolerates detector boxes. */
  jitter: z.number().min(0).max(0.5).default(0.1),
});
export type ClassifierConfig = z.infer<typeof classifierConfigSchema>;

export const rankingConfigSchema = z.object({
  /** 'cos-sim': the paper's Cos-Sim; 'cascade': Per-Vis-style filtering, then Cos-Sim. */
  method: z.enum(['cos-sim', 'cascade']).default('cos-sim'),
  /** The best candidate's cosine below this → "absent". */
  absentThreshold: z.number().min(0).max(1).default(0.5),
  /** Cascade: a candidate survives a slot when p(value) ≥ keepRatio × the best candidate's p(value). */
  keepRatio: z.number().min(0).max(1).default(0.5),
  /** Cascade order: slots most reliably classified first (validation accuracy, filled by training). */
  slotOrder: z.array(z.number().int().min(0)).optional(),
});
export type RankingConfig = z.infer<typeof rankingConfigSchema>;

export const baselineConfigSchema = z.object({
  kind: z.literal('fastpr-two-stage-baseline'),
  version: z.literal(1),
  attributeSchemaVersion: z.literal(ATTRIBUTE_SCHEMA_VERSION),
  seed: z.number().int().default(1),
  detector: detectorConfigSchema.default(detectorConfigSchema.parse({})),
  classifier: classifierConfigSchema.default(classifierConfigSchema.parse({})),
  ranking: rankingConfigSchema.default(rankingConfigSchema.parse({})),
  /** Filled by training: data, steps, final losses, per-slot validation accuracy. */
  training: z.record(z.string(), z.unknown()).optional(),
});
export type BaselineConfig = z.infer<typeof baselineConfigSchema>;

export function defaultBaselineConfig(overrides: Partial<Omit<BaselineConfig, 'kind' | 'version' | 'attributeSchemaVersion'>> = {}): BaselineConfig {
  return baselineConfigSchema.parse({ kind: 'fastpr-two-stage-baseline', version: 1, attributeSchemaVersion: ATTRIBUTE_SCHEMA_VERSION, ...overrides });
}

/** Grid stride of the detector = product of its layer strides. */
export function detectorStride(cfg: DetectorConfig): number {
  return cfg.layers.reduce((s, l) => s * l.stride, 1);
}

/** Per-slot value counts (the 16 softmax heads) and their offsets in the concatenated logits. */
export function slotLayout(valueCounts: readonly number[]): { offsets: number[]; total: number } {
  const offsets: number[] = [];
  let total = 0;
  for (const n of valueCounts) { offsets.push(total); total += n; }
  return { offsets, total };
}
