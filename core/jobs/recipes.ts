/**
 * Synthetic dataset recipes for training and evaluation from the UI, generated on demand with
 * core/synth into DATA_DIR/datasets/<recipe>-s<seed> (reused when already complete: same seed and
 * options give byte-identical data). Sizes are set for a 2-core CPU machine:
 *  - tiny: 48 still frames 128×96 — seconds; for tests and a first look (model quality: none).
 *  - small: 400 still frames 352×288 — minutes.
 *  - standard: 3000 still frames 704×576 (the AVSS resolution) — the real thing, hours on CPU.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { SYNTH_RECIPES } from '../api/inputs';
import { MANIFEST_FILE } from '../dataset/format';
import { ensureDataDir } from '../platform/dataDir';
import { defaultOptions, type SynthOptions } from '../synth/options';
import type { ProgressListener } from './progress';

export type RecipeName = (typeof SYNTH_RECIPES)[number];

export const RECIPES: Record<RecipeName, { label: string; description: string; options: (seed: number) => SynthOptions; suggestedBackbone: 'tiny' | 'compact' }> = {
  tiny: {
    label: 'Synthetic — tiny (48 frames, 128×96)', suggestedBackbone: 'tiny',
    description: 'Seconds to generate and train; checks the pipeline, not a useful model.',
    options: (seed) => defaultOptions({ seed, frames: 48, width: 128, height: 96, framesPerScene: 2, crowd: { min: 1, max: 4 } }),
  },
  small: {
    label: 'Synthetic — small (400 frames, 352×288)', suggestedBackbone: 'compact',
    description: 'Minutes on CPU; a first model for the demo case.',
    options: (seed) => defaultOptions({ seed, frames: 400, width: 352, height: 288, framesPerScene: 8, crowd: { min: 1, max: 10 } }),
  },
  standard: {
    label: 'Synthetic — standard (3000 frames, 704×576)', suggestedBackbone: 'compact',
    description: 'AVSS resolution; hours on CPU, faster with tfjs-node.',
    options: (seed) => defaultOptions({ seed, frames: 3000, width: 704, height: 576, framesPerScene: 10 }),
  },
};

export function recipeDir(dataDir: string, recipe: RecipeName, seed: number): string {
  return join(ensureDataDir(dataDir).root, 'datasets', `${recipe}-s${seed}`);
}

/** The recipe's dataset folder, generating it first when absent. */
export async function ensureRecipeDataset(dataDir: string, recipe: RecipeName, seed: number, signal?: AbortSignal, onProgress?: ProgressListener): Promise<string> {
  const dir = recipeDir(dataDir, recipe, seed);
  if (existsSync(join(dir, MANIFEST_FILE))) return dir;
  const { synthesize } = await import('../synth/synthesize');
  await synthesize(dir, RECIPES[recipe].options(seed), { signal, onProgress, overwrite: true });
  return dir;
}
