import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ATTRIBUTES, COLOURS } from '../attributes/schema';
import { InputError } from '../errors';
import { createLocalClient, createService } from './service';

const dataDir = mkdtempSync(join(tmpdir(), 'fastpr-vocabulary-'));
const service = createService({ dataDir });
afterAll(async () => {
  await service.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('query.vocabulary', () => {
  it('serves the 16 attributes in slot order with every code, name and group of the schema', async () => {
    const v = await createLocalClient(service)['query.vocabulary']();
    expect(v.unknownCode).toBe(-1);
    expect(v.attributes.map((a) => a.key)).toEqual(ATTRIBUTES.map((a) => a.key));
    v.attributes.forEach((a, slot) => {
      const def = ATTRIBUTES[slot]!;
      expect(a).toMatchObject({ slot, tag: def.tag, label: def.label, group: def.group, isColour: def.isColour === true });
      expect(a.values.map((x) => x.name)).toEqual([...def.values]);
      expect(a.values.map((x) => x.code)).toEqual(def.values.map((_, i) => i));
    });
  });

  it('gives every colour value a distinct #rrggbb swatch and no swatch to other values', async () => {
    const v = await createLocalClient(service)['query.vocabulary']();
    const colourAttrs = v.attributes.filter((a) => a.isColour);
    expect(colourAttrs.map((a) => a.key)).toEqual(['torsoColour', 'torsoSecondColour', 'legColour', 'legSecondColour', 'shoeColour']);
    for (const a of colourAttrs) {
      for (const x of a.values) expect(x.swatch).toMatch(/^#[0-9a-f]{6}$/);
      expect(new Set(a.values.map((x) => x.swatch)).size).toBe(COLOURS.length);
    }
    for (const a of v.attributes.filter((x) => !x.isColour)) for (const x of a.values) expect(x.swatch).toBeUndefined();
  });

  it('refuses an unknown field naming it', async () => {
    await expect(service.invoke('query.vocabulary', { lang: 'en' })).rejects.toThrow(InputError);
    await expect(service.invoke('query.vocabulary', { lang: 'en' })).rejects.toThrow(/lang/);
  });
});
