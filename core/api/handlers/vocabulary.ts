/** Handler of query.vocabulary: the attribute schema as plain data, so the renderer copies nothing. */
import { ATTRIBUTE_SCHEMA_VERSION, ATTRIBUTES, UNKNOWN } from '../../attributes/schema';
import { swatchOf } from '../../attributes/swatches';
import type { AttributeVocabulary } from '../types/vocabulary';
import type { HandlerGroup } from './types';

export function attributeVocabulary(): AttributeVocabulary {
  return {
    schemaVersion: ATTRIBUTE_SCHEMA_VERSION,
    unknownCode: UNKNOWN,
    attributes: ATTRIBUTES.map((a, slot) => ({
      key: a.key, tag: a.tag, label: a.label, slot, group: a.group, isColour: a.isColour === true,
      values: a.values.map((name, code) => {
        const swatch = a.isColour ? swatchOf(name) : undefined;
        return swatch ? { code, name, swatch } : { code, name };
      }),
    })),
  };
}

export const vocabularyHandlers: HandlerGroup<'query.vocabulary'> = {
  'query.vocabulary': async () => attributeVocabulary(),
};
