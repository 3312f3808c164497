/**
 * The recipes in models/recipes/ are the commands behind the shipped model and the measured
 * experiments (core/model/README.md, models/default/MODEL_CARD.md): each must still parse with
 * today's schemas, or the model card's reproduction steps silently stop working.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseModelConfig } from '../model/config';
import { parseTrainConfig } from './config';

const recipesDir = join(__dirname, '..', '..', 'models', 'recipes');
const recipes = readdirSync(recipesDir).filter((f) => f.endsWith('.json')).sort();

describe('models/recipes', () => {
  it('holds the recipes the model card and the model README cite', () => {
    expect(recipes).toContain('grid14-q4-pixel-logbox-continue5.json');
    expect(recipes).toContain('grid14-q4-pixel-colour-continue.json');
  });

  it.each(recipes)('%s parses as a model config and a training config', (name) => {
    const file = join(recipesDir, name);
    const recipe = JSON.parse(readFileSync(file, 'utf8')) as { model?: unknown; training?: unknown };
    expect(() => parseModelConfig(recipe.model ?? {}, file)).not.toThrow();
    expect(() => parseTrainConfig(recipe.training ?? {}, file)).not.toThrow();
  });

  it('the colour-embedding recipe differs from its control only by the colour embedding', () => {
    const read = (name: string) => JSON.parse(readFileSync(join(recipesDir, name), 'utf8'));
    const colour = read('grid14-q4-pixel-colour-continue.json');
    const control = read('grid14-q4-pixel-logbox-continue6.json');
    expect(colour.model.compact.pixelSkip).toEqual({ block: 4, colourWidth: 16 });
    colour.model.compact.pixelSkip = control.model.compact.pixelSkip;
    expect(colour).toEqual(control);
  });
});
