/**
 * The one dataset format every source writes (synthetic generator, SoftBioSearch importer, user
 * annotations) and every consumer reads (trainer, evaluation, benchmarks).
 *
 * A dataset is a folder:
 *   manifest.json       — DatasetManifest
 *   annotations.jsonl   — one FrameAnnotation per line, in frame order
 *   images/…            — frame images (PNG or JPEG), paths relative to the folder
 *   videos/…            — optional: encoded clips with per-frame ground truth in the annotations
 *
 * Boxes are [left, top, right, bottom] in pixels of the frame image, float, right/bottom exclusive.
 */
import { z } from 'zod';
import { ATTRIBUTE_KEYS, ATTRIBUTE_SCHEMA_VERSION, type AttributeKey } from '../attributes/schema';

export const DATASET_FORMAT_VERSION = 1;

export const boxSchema = z.tuple([z.number(), z.number(), z.number(), z.number()]);
export type Box = z.infer<typeof boxSchema>;

const codesShape = Object.fromEntries(ATTRIBUTE_KEYS.map((k) => [k, z.number().int().min(-1).optional()])) as Record<
  AttributeKey,
  z.ZodOptional<z.ZodNumber>
>;
export const attributeCodesSchema = z.object(codesShape).strict();

export const personSchema = z.object({
  /** Unique within the frame; stable across frames of one sequence for the same person (tracks). */
  id: z.string().min(1),
  /** Tight box around the visible part of the figure. */
  box: boxSchema,
  /** Full box ignoring occlusion (equal to box when unoccluded or unknown). */
  fullBox: boxSchema.optional(),
  /** Visible share of the figure, 0..1, when known. */
  visibility: z.number().min(0).max(1).optional(),
  attributes: attributeCodesSchema,
  /** Source-specific extras (e.g. synthetic luggage kind, keypoints). Not used by the model. */
  extra: z.record(z.string(), z.unknown()).optional(),
});
export type Person = z.infer<typeof personSchema>;

export const querySchema = z.object({
  /** The structured query: attribute codes the query states; absent keys are unknown. */
  attributes: attributeCodesSchema,
  /** Free text form of the query, when the source has one. */
  text: z.string().optional(),
  /** ids of every person in the frame that the query matches (fuzzy retrieval); empty = target absent. */
  matches: z.array(z.string()),
  /** The person the query was made for (absent-target queries have none). */
  target: z.string().optional(),
  /** 'complete' states every attribute the target has labelled; 'partial' a subset. */
  kind: z.enum(['complete', 'partial', 'absent']),
});
export type Query = z.infer<typeof querySchema>;

export const frameAnnotationSchema = z.object({
  /** Unique frame id within the dataset. */
  id: z.string().min(1),
  /** Image path relative to the dataset folder. */
  image: z.string().min(1),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** Scene or sequence id: splits are made by this, never by frame. */
  sequence: z.string().min(1),
  /** Index of the frame within its sequence (0-based). */
  frameIndex: z.number().int().min(0),
  /** Presentation time within the sequence's video, seconds, when the frame comes from a video. */
  time: z.number().min(0).optional(),
  /** False for frames whose people are not annotated (SoftBioSearch gt="false"): never scored. */
  labelled: z.boolean(),
  persons: z.array(personSchema),
  queries: z.array(querySchema),
});
export type FrameAnnotation = z.infer<typeof frameAnnotationSchema>;

export const splitNameSchema = z.enum(['train', 'val', 'test']);
export type SplitName = z.infer<typeof splitNameSchema>;

export const datasetManifestSchema = z.object({
  format: z.literal('fastpr-dataset'),
  formatVersion: z.literal(DATASET_FORMAT_VERSION),
  attributeSchemaVersion: z.literal(ATTRIBUTE_SCHEMA_VERSION),
  /** 'synthetic' | 'softbiosearch' | 'annotations' | … */
  source: z.string().min(1),
  /** Generator or importer version and its parameters, for reproducibility. */
  generator: z.object({ name: z.string(), version: z.string(), parameters: z.record(z.string(), z.unknown()) }),
  seed: z.number().int().optional(),
  createdAt: z.string(),
  frameCount: z.number().int().min(0),
  /** sequence ids per split. */
  splits: z.object({ train: z.array(z.string()), val: z.array(z.string()), test: z.array(z.string()) }),
  /** Optional encoded clips: sequence id → relative path. */
  videos: z.record(z.string(), z.string()).optional(),
});
export type DatasetManifest = z.infer<typeof datasetManifestSchema>;

export const MANIFEST_FILE = 'manifest.json';
export const ANNOTATIONS_FILE = 'annotations.jsonl';
