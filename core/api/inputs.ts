/**
 * Shared zod pieces of the contract's input schemas. No Node imports (the renderer and the preload
 * bundle this through contract.ts). Every object is strict, so unknown fields are refused by name.
 */
import { z } from 'zod';
import { ATTRIBUTE_KEYS, type AttributeKey } from '../attributes/schema';

/** A database row id. */
export const rowId = z.number().int().positive();

/** A job id as the job runner makes them: `<kind>-<time>-<random>`. */
export const jobId = z.string().regex(/^[a-z]+-[0-9a-z]+-[0-9a-z]+$/, 'not a job id').max(80);

/** A model folder name under DATA_DIR/models ('default' = the shipped model). */
export const modelId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, . _ - only (max 64), no leading dot');

/** A path on this machine, as typed or picked in a file dialog. */
export const localPath = z.string().min(1).max(4096).refine((p) => !p.includes('\0'), 'contains a NUL byte');

/** Sampling rate: frames/s in (0, 120] or 'all' (every frame). */
export const samplingFps = z.union([z.number().gt(0).max(120), z.literal('all')]);

/** An index's feature storage (core/index/quantize.ts FeatureDtype). */
export const featureStorage = z.enum(['pca', 'float16', 'int8', 'float32']);

/** Attribute key → code (-1 = unknown); keys outside the 16 attributes are refused. */
export const attributeSlots = z.partialRecord(z.enum(ATTRIBUTE_KEYS as [AttributeKey, ...AttributeKey[]]), z.number().int().min(-1).max(30));

export const decisionKind = z.enum(['confirm', 'reject', 'unsure']);

export const reportFormat = z.enum(['pdf', 'html', 'csv', 'json', 'avss']);

/** Synthetic training/evaluation recipes (see core/jobs/recipes.ts for what each renders). */
export const SYNTH_RECIPES = ['tiny', 'small', 'standard'] as const;

/** A dataset: a folder on disk in the common format, or a synthetic recipe generated on demand. */
export const datasetRef = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('dir'), path: localPath }),
  z.strictObject({ kind: z.literal('synthetic'), recipe: z.enum(SYNTH_RECIPES), seed: z.number().int().min(0).max(2 ** 31 - 1).default(1) }),
]);

export const evalSplit = z.enum(['train', 'val', 'test']);
