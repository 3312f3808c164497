/**
 * The FastPR model configuration: every size and switch, validated with zod. Defaults are the
 * paper's (input 224×224, grid S=7, feature width M=256, λ_ssl=1, λ_con=100, λ_loc=5) except the
 * backbone, which defaults to the CPU-friendly `compact` one the workstation ships (the paper's
 * `resnet50` is one flag away).
 */
import { z } from 'zod';
import { ATTRIBUTE_COUNT, ATTRIBUTE_SCHEMA_VERSION, VOCABULARY_SIZE } from '../attributes/schema';
import { ModelError } from '../errors';

export const compactStageSchema = z.object({
  /** Output channels of the stage (its first conv has stride `stride`). */
  width: z.number().int().min(1),
  /** Residual blocks (two 3×3 convs each) after the first conv. */
  blocks: z.number().int().min(0),
  /**
   * Stride of the stage's first conv. 2 halves the resolution (the default); 1 keeps it, so a model
   * trained at grid S can be fine-tuned at 2S with every weight reused (`fastpr train --init`).
   */
  stride: z.union([z.literal(1), z.literal(2)]).optional(),
});

/** Stride of a compact stage's first conv (2 unless the stage says 1). */
export const stageStride = (stage: { stride?: 1 | 2 }): 1 | 2 => stage.stride ?? 2;

/** Output stride of compact stage `stage` (1-based; 0 = the stem): the stem halves, each stage divides by its stride. */
export function compactOutputStride(stages: readonly { stride?: 1 | 2 }[], stage: number): number {
  return stages.slice(0, stage).reduce((s, st) => s * stageStride(st), 2);
}

export const lossWeightsSchema = z.object({
  ssl: z.number().min(0).default(1),
  con: z.number().min(0).default(100),
  loc: z.number().min(0).default(5),
  cla: z.number().min(0).default(1),
  rec: z.number().min(0).default(1),
  off: z.number().min(0).default(1),
  /** Dense cell-attribute supervision through the embedding table (ours; 0 = off, as in the paper). */
  attr: z.number().min(0).default(0),
  /** Box-aligned person-attribute proxy (ours; 0 = off). */
  roi: z.number().min(0).default(0),
  /** Cell ranking loss on the confidence logits (ours; 0 = off; README, "Cell ranking loss"). */
  rank: z.number().min(0).default(0),
});

export const modelConfigSchema = z
  .object({
    /** Square input side in pixels (H = W). */
    inputSize: z.number().int().min(16).default(224),
    /** Grid side S: the encoder's output is S×S cells. */
    grid: z.number().int().min(3).default(7),
    /** Feature width M shared by I_en, the slot embeddings and Ī. */
    featureWidth: z.number().int().min(1).default(256),
    /** Width of the common layer FC and of the heads' hidden layers. */
    hiddenWidth: z.number().int().min(1).default(256),
    backbone: z.enum(['compact', 'resnet50']).default('compact'),
    compact: z
      .object({
        stemWidth: z.number().int().min(1).default(16),
        stages: z.array(compactStageSchema).min(1).default([
          { width: 32, blocks: 0 },
          { width: 48, blocks: 1 },
          { width: 96, blocks: 1 },
          { width: 128, blocks: 1 },
        ]),
        /**
         * Fine skip (ours, off by default): the output of stage `fromStage` (stride 2^(fromStage+1)),
         * a 1×1 conv to `width` channels + ReLU, pooled (`pool`, window = the stride ratio) down to the
         * S×S grid and concatenated with the last stage before the projection. A grid cell then sees
         * the local colour/texture statistics of the people inside it directly rather than through
         * three more stride-2 convs; see README, "Fine skip".
         */
        fineSkip: z
          .object({
            fromStage: z.number().int().min(1).default(2),
            width: z.number().int().min(1).default(64),
            pool: z.enum(['max', 'avg']).default('max'),
          })
          .optional(),
        /**
         * Pixel skip (ours, off by default): the input image average-pooled over `block`×`block`
         * windows; each grid cell's pooled pixels ((cell px / block)² × 3 values, in place) go
         * through a zero-initialised 1×1 conv to M channels that is ADDED to I_en. A cell then holds
         * the colours at each place inside it whatever the convolutions learnt to keep: the trained
         * encoders' cells carried no clothing colour (a linear probe at chance) while the mean RGB of
         * a person's torso in the same 224 input names the torso colour 66 % of the time. Zero
         * initialisation leaves a fine-tuned model's function unchanged at the start; see README,
         * "Pixel skip".
         */
        pixelSkip: z
          .object({
            block: z.number().int().min(1).default(4),
            /**
             * Colour embedding (ours, off by default; README, "Colour embedding"): each pooled pixel's
             * RGB also goes through a 1×1 conv to `colourWidth` channels + ReLU (a learnt, non-linear
             * colour code — colour names are regions of RGB space, which the linear skip above can only
             * approximate by directions), and each cell's pooled codes go through a zero-initialised 1×1
             * conv to M channels, also added to I_en. Zero initialisation keeps a fine-tuned model's
             * function at the start.
             */
            colourWidth: z.number().int().min(1).optional(),
          })
          .optional(),
      })
      .default({ stemWidth: 16, stages: [{ width: 32, blocks: 0 }, { width: 48, blocks: 1 }, { width: 96, blocks: 1 }, { width: 128, blocks: 1 }] }),
    /** Attention softmax temperature τ (the paper states τ = 0.5 without placing it; we use it here). */
    attentionTemperature: z.number().positive().default(0.5),
    /** Zero the fused features of slots whose value is unknown (see README, "Unknown slots"). */
    maskUnknownSlots: z.boolean().default(true),
    /**
     * Match-score channels (ours, off by default; README, "Match scores"): two per-cell channels —
     * the mean over the query's known slots of the attention logit and of the log attention (+ log S²) —
     * appended to Ī before the common layer FC, so the localisation heads see how well each cell
     * matches the description directly instead of only through the scale of Ĩ.
     */
    matchScores: z.boolean().default(false),
    /** Hidden width of the label-prediction head F. */
    labelHiddenWidth: z.number().int().min(1).default(256),
    /** Reconstruction target size [height, width]; both divisible by 8. */
    reconstructionSize: z.tuple([z.number().int(), z.number().int()]).default([32, 16]),
    /** Channels of the decoder's first (lowest-resolution) feature map. */
    decoderWidth: z.number().int().min(4).default(32),
    /** 'dual': separate confidence and box heads (paper). 'merged': one YOLO-style head (ablation). */
    heads: z.enum(['dual', 'merged']).default('dual'),
    /**
     * L_con's form. 'sse': Σ (C − Ĉ)² on sigmoid outputs (paper eq. 3). 'bce': binary cross-entropy on
     * the logits, with the confidence bias initialised to the prior 1/S² (see README, "Confidence
     * objective"): with SSE the positive cell's gradient vanishes once the sigmoid saturates near 0,
     * which from-scratch training on crowded frames reaches within a few hundred steps.
     */
    confidenceObjective: z.enum(['sse', 'bce']).default('sse'),
    /**
     * L_loc's size term. 'sqrt': (√w − √ŵ)² + (√h − √ĥ)² (paper eq. 4). 'log': (ln w − ln ŵ)² + (ln h − ln ĥ)²,
     * scale-free like YOLOv2's: a 30 % size error costs the same for a 12-px person as for a 120-px
     * one, and through the box head's sigmoid its gradient does not fade for small boxes (README,
     * "Box size loss"). Training only: the exported graph is the same.
     */
    boxSizeLoss: z.enum(['sqrt', 'log']).default('sqrt'),
    proxies: z
      .object({
        label: z.boolean().default(true),
        reconstruction: z.boolean().default(true),
        offset: z.boolean().default(true),
        /** Box-aligned person-attribute proxy (ours, off by default; README, "Person-attribute proxy"). */
        personAttributes: z.boolean().default(false),
      })
      .default({ label: true, reconstruction: true, offset: true, personAttributes: false }),
    /**
     * The person-attribute proxy: every labelled person's box is sampled bilinearly on a `grid`
     * (rows × columns) from the output of compact stage `fromStage`, flattened, and classified into
     * its 16 attributes by a two-layer head (training only). At most `maxPersons` per frame, largest first.
     */
    personAttributes: z
      .object({
        fromStage: z.number().int().min(1).default(2),
        grid: z.tuple([z.number().int().min(1), z.number().int().min(1)]).default([8, 4]),
        hiddenWidth: z.number().int().min(1).default(128),
        maxPersons: z.number().int().min(1).default(16),
      })
      .default({ fromStage: 2, grid: [8, 4], hiddenWidth: 128, maxPersons: 16 }),
    lossWeights: lossWeightsSchema.default({ ssl: 1, con: 100, loc: 5, cla: 1, rec: 1, off: 1, attr: 0, roi: 0, rank: 0 }),
    /** Written by the trainer; checked on load. */
    attributeSchemaVersion: z.number().int().default(ATTRIBUTE_SCHEMA_VERSION),
    slots: z.number().int().default(ATTRIBUTE_COUNT),
    vocabularySize: z.number().int().default(VOCABULARY_SIZE),
  })
  .strict()
  .superRefine((c, ctx) => {
    const stride = c.inputSize / c.grid;
    if (c.backbone === 'resnet50' && stride !== 32) {
      ctx.addIssue({ code: 'custom', path: ['inputSize'], message: `resnet50 has stride 32: inputSize must be 32×grid (${32 * c.grid}), got ${c.inputSize}` });
    }
    if (c.backbone === 'compact') {
      const want = compactOutputStride(c.compact.stages, c.compact.stages.length);
      if (stride !== want) {
        ctx.addIssue({ code: 'custom', path: ['inputSize'], message: `compact backbone with ${c.compact.stages.length} stages has output stride ${want}: inputSize must be ${want * c.grid}, got ${c.inputSize}` });
      }
    }
    const skip = c.compact.fineSkip;
    if (skip && c.backbone === 'compact' && skip.fromStage >= c.compact.stages.length) {
      ctx.addIssue({ code: 'custom', path: ['compact', 'fineSkip', 'fromStage'], message: `must name a stage before the last (1–${c.compact.stages.length - 1}), got ${skip.fromStage}` });
    }
    const px = c.compact.pixelSkip;
    if (px && c.backbone === 'compact' && (c.inputSize / c.grid) % px.block !== 0) {
      ctx.addIssue({ code: 'custom', path: ['compact', 'pixelSkip', 'block'], message: `must divide the cell size (${c.inputSize / c.grid} px), got ${px.block}` });
    }
    if (c.proxies.personAttributes && (c.backbone !== 'compact' || c.personAttributes.fromStage > c.compact.stages.length)) {
      ctx.addIssue({ code: 'custom', path: ['personAttributes'], message: `the person-attribute proxy needs the compact backbone and a fromStage ≤ ${c.compact.stages.length}` });
    }
    if (c.decoderWidth % 4 !== 0) ctx.addIssue({ code: 'custom', path: ['decoderWidth'], message: `must be a multiple of 4, got ${c.decoderWidth}` });
    const [rh, rw] = c.reconstructionSize;
    if (rh % 8 !== 0 || rw % 8 !== 0 || rh <= 0 || rw <= 0) {
      ctx.addIssue({ code: 'custom', path: ['reconstructionSize'], message: `must be positive multiples of 8, got ${rh}×${rw}` });
    }
  });

export type ModelConfig = z.infer<typeof modelConfigSchema>;
export type ModelConfigInput = z.input<typeof modelConfigSchema>;
export type LossWeights = z.infer<typeof lossWeightsSchema>;

/** Validates a config object; problems become a ModelError naming the source and the field. */
export function parseModelConfig(input: unknown, source = 'model config'): ModelConfig {
  const parsed = modelConfigSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first ? first.path.map(String).join('.') || '(root)' : '(root)';
    throw new ModelError(`${source}: ${where}: ${first?.message ?? 'invalid'}`, { file: source, field: where });
  }
  return parsed.data;
}

/** A model trained with another attribute schema cannot read today's query tokens. */
export function assertSchemaCompatible(config: ModelConfig, source: string): void {
  if (config.attributeSchemaVersion !== ATTRIBUTE_SCHEMA_VERSION || config.slots !== ATTRIBUTE_COUNT || config.vocabularySize !== VOCABULARY_SIZE) {
    throw new ModelError(
      `${source}: trained for attribute schema v${config.attributeSchemaVersion} (${config.slots} slots, ${config.vocabularySize} tokens); ` +
        `this build uses v${ATTRIBUTE_SCHEMA_VERSION} (${ATTRIBUTE_COUNT} slots, ${VOCABULARY_SIZE} tokens)`,
      { file: source },
    );
  }
}

/** Tiny configuration for tests: 64×64 input, S=4, M=16, a 3-stage compact backbone (stride 16). */
export function tinyConfig(overrides: Partial<ModelConfigInput> = {}): ModelConfig {
  return parseModelConfig({
    inputSize: 64,
    grid: 4,
    featureWidth: 16,
    hiddenWidth: 16,
    labelHiddenWidth: 16,
    decoderWidth: 8,
    reconstructionSize: [16, 8],
    compact: { stemWidth: 8, stages: [{ width: 8, blocks: 0 }, { width: 16, blocks: 1 }, { width: 16, blocks: 0 }] },
    ...overrides,
  });
}
