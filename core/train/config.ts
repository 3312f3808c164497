/** Training configuration (zod): optimiser, schedule, batches, checkpoints, augmentation. */
import { z } from 'zod';
import { InputError } from '../errors';

export const augmentSchema = z.object({
  /** Probability of a horizontal flip (boxes flipped with the image). */
  flip: z.number().min(0).max(1).default(0.5),
  /** Crop side as a fraction of the frame side, drawn uniformly in [minScale, 1]; the crop keeps the target whole. */
  minScale: z.number().min(0.3).max(1).default(0.75),
  /** Brightness shift, ± fraction of full range, same for R, G and B (no hue change: colours stay truthful). */
  brightness: z.number().min(0).max(0.3).default(0.08),
  /** Contrast factor in [1 − c, 1 + c], same for R, G and B. */
  contrast: z.number().min(0).max(0.3).default(0.1),
});

export const trainConfigSchema = z
  .object({
    seed: z.number().int().default(1),
    batchSize: z.number().int().min(1).default(8),
    /** Run length: `steps` wins over `epochs` when both are set. */
    epochs: z.number().int().min(1).default(30),
    steps: z.number().int().min(1).optional(),
    learningRate: z.number().positive().default(1e-3),
    /** 'constant' (paper) or 'cosine': decays to finalLearningRateFraction × learningRate at the last step. */
    learningRateSchedule: z.enum(['constant', 'cosine']).default('constant'),
    finalLearningRateFraction: z.number().min(0).max(1).default(0.05),
    /** Linear warm-up from learningRate / warmupSteps over the first steps (0 = none). */
    warmupSteps: z.number().int().min(0).default(0),
    beta1: z.number().min(0).max(1).default(0.9),
    beta2: z.number().min(0).max(1).default(0.999),
    epsilon: z.number().positive().default(1e-7),
    /** Clip the global gradient norm to this value before Adam; 0 = off (default, as in the paper). */
    clipNorm: z.number().min(0).default(0),
    /** 'alternate' (§3.4.1: proxy phase, then localisation phase, repeated) or 'joint' (all terms, all weights). */
    schedule: z.enum(['alternate', 'joint']).default('alternate'),
    /** Unit of the phase lengths below. */
    phaseUnit: z.enum(['epoch', 'step']).default('epoch'),
    proxyPhaseLength: z.number().int().min(1).default(2),
    localisationPhaseLength: z.number().int().min(1).default(2),
    /** Save a checkpoint every N steps (and always at the end of each epoch). */
    checkpointEvery: z.number().int().min(1).default(200),
    /** 'letterbox' (aspect kept, padded) or 'resize' (stretched); inference must use the same. */
    inputMode: z.enum(['letterbox', 'resize']).default('letterbox'),
    /** Cells L_loc trains the box head on: 'matches' (paper) or 'all' labelled people (ours; see core/train/batch.ts). */
    boxTargets: z.enum(['matches', 'all']).default('matches'),
    augment: augmentSchema.default({ flip: 0.5, minScale: 0.75, brightness: 0.08, contrast: 0.1 }),
    /**
     * Queries per encoded image (ours; 1 = the paper). Above 1, each image of the batch is encoded
     * once and also queried for Q−1 other labelled people of the frame, with queries drawn from their
     * own attributes (core/train/extraQueries.ts): the same features must then point at different
     * people for different descriptions, the discrimination a one-query-per-image batch rewards only
     * weakly. Costs the head and proxies Q times, the encoder once.
     */
    queriesPerImage: z.number().int().min(1).max(16).default(1),
    /** Byte budget of the decoded-frame cache. */
    frameCacheBytes: z.number().int().min(0).default(1 << 30),
  })
  .strict();

export type TrainConfig = z.infer<typeof trainConfigSchema>;
export type TrainConfigInput = z.input<typeof trainConfigSchema>;
export type AugmentConfig = z.infer<typeof augmentSchema>;

export function parseTrainConfig(input: unknown, source = 'training config'): TrainConfig {
  const parsed = trainConfigSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first ? first.path.map(String).join('.') || '(root)' : '(root)';
    throw new InputError(`${source}: ${where}: ${first?.message ?? 'invalid'}`, { file: source, field: where });
  }
  return parsed.data;
}

export type Phase = 'proxy' | 'localisation' | 'joint';

/** The learning rate of step `step` (0-based) of a run of `totalSteps`; a pure function so resumes are exact. */
export function learningRateAt(step: number, totalSteps: number, c: TrainConfig): number {
  const warm = c.warmupSteps > 0 && step < c.warmupSteps ? (step + 1) / c.warmupSteps : 1;
  if (c.learningRateSchedule === 'constant') return c.learningRate * warm;
  const span = Math.max(1, totalSteps - c.warmupSteps - 1);
  const progress = Math.min(1, Math.max(0, (step - c.warmupSteps) / span));
  const f = c.finalLearningRateFraction;
  return c.learningRate * warm * (f + (1 - f) * 0.5 * (1 + Math.cos(Math.PI * progress)));
}

/**
 * The phase of a step. Alternate: proxyPhaseLength units of 'proxy', then localisationPhaseLength
 * units of 'localisation', repeated. With every proxy switched off there is no proxy phase.
 */
export function phaseOf(step: number, stepsPerEpoch: number, c: TrainConfig, anyProxy: boolean): Phase {
  if (c.schedule === 'joint') return 'joint';
  if (!anyProxy) return 'localisation';
  const unit = c.phaseUnit === 'epoch' ? Math.floor(step / stepsPerEpoch) : step;
  const pos = unit % (c.proxyPhaseLength + c.localisationPhaseLength);
  return pos < c.proxyPhaseLength ? 'proxy' : 'localisation';
}
