/**
 * Every training recipe in models/recipes parses: its model settings as a model config and its
 * training settings as a training config (a typo would otherwise surface only when someone runs it,
 * an hour into their session). Recipes meant for `--init` hold only training-only model settings.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseModelConfig } from '../core/model/config';
import { parseTrainConfig } from '../core/train/config';

const dir = join(import.meta.dirname, '..', 'models', 'recipes');
const recipes = readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('models/recipes', () => {
  it('exist', () => {
    expect(recipes.length).toBeGreaterThanOrEqual(2);
  });
  it.each(recipes)('%s parses as a model config and a training config', (file) => {
    const recipe = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { model?: unknown; training?: unknown };
    expect(() => parseModelConfig(recipe.model ?? {}, file)).not.toThrow();
    expect(() => parseTrainConfig(recipe.training ?? {}, file)).not.toThrow();
  });
  it('the colour-embedding recipe differs from its control only by the colour embedding (core/model/README.md)', () => {
    const read = (file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8'));
    const colour = read('grid14-q4-pixel-colour-continue.json');
    const control = read('grid14-q4-pixel-logbox-continue6.json');
    expect(colour.model.compact.pixelSkip).toEqual({ block: 4, colourWidth: 16 });
    colour.model.compact.pixelSkip = control.model.compact.pixelSkip;
    expect(colour).toEqual(control);
  });
});
