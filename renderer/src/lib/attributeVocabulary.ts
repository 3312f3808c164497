/**
 * The 16 SoftBioSearch attributes as the search form shows them, from the API's `query.vocabulary`
 * (core/attributes/schema.ts is the one source; the renderer keeps no copy). Slot order = the model's;
 * a value's position is its dataset code.
 */
import type { AttributeVocabulary } from '../../../core/api/contract';
import { api } from '../api/client';
import type { AttributeFormDef } from './viewTypes';

export function formDefs(v: AttributeVocabulary): AttributeFormDef[] {
  return v.attributes.map((a) => ({
    key: a.key, label: a.label, group: a.group, isColour: a.isColour,
    values: a.values.map((x) => x.name),
    ...(a.isColour ? { swatches: a.values.map((x) => x.swatch) } : {}),
  }));
}

let cached: Promise<AttributeFormDef[]> | undefined;

/** Asked once per window; a failed call is retried next time. */
export function loadAttributeDefs(): Promise<AttributeFormDef[]> {
  cached ??= api['query.vocabulary']().then(formDefs, (err: unknown) => {
    cached = undefined;
    throw err;
  });
  return cached;
}

export function colourKeys(defs: readonly AttributeFormDef[]): string[] {
  return defs.filter((d) => d.isColour).map((d) => d.key);
}

/** value name → swatch colour, over all colour attributes (for chips of parsed text). */
export function swatchMap(defs: readonly AttributeFormDef[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of defs) d.swatches?.forEach((s, i) => { if (s && d.values[i] !== undefined) out[d.values[i]] = s; });
  return out;
}

export function describeCodes(defs: readonly AttributeFormDef[], codes: Readonly<Record<string, number>>): string {
  const parts = defs.filter((d) => (codes[d.key] ?? -1) >= 0).map((d) => `${d.label.toLowerCase()} ${d.values[codes[d.key]!] ?? `code ${codes[d.key]}`}`);
  return parts.length ? parts.join(', ') : 'any person';
}
