/**
 * The 16 SoftBioSearch attributes as the search form shows them (slot order = the model's).
 *
 * A copy of core/attributes/schema.ts's ATTRIBUTES (the renderer may not import core/ at run time):
 * keep in step until the contract serves the vocabulary (requested from the API owner as
 * `query.vocabulary`). The values' positions are the dataset's codes.
 */
import type { AttributeFormDef } from './viewTypes';

const COLOURS = ['black', 'blue', 'brown', 'green', 'grey', 'orange', 'pink', 'purple', 'red', 'white', 'yellow', 'skin'] as const;
const PATTERNS = ['plain', 'check', 'diagonal stripe', 'vertical stripe', 'horizontal stripe', 'spots', 'picture'] as const;

export const ATTRIBUTE_DEFS: readonly AttributeFormDef[] = [
  { key: 'age', label: 'Age', group: 'person', values: ['under 20', '15-35', '25-45', '35-55', 'over 50'] },
  { key: 'gender', label: 'Gender', group: 'person', values: ['male', 'female'] },
  { key: 'height', label: 'Height', group: 'person', values: ['very short', 'short', 'average', 'tall', 'very tall'] },
  { key: 'build', label: 'Build', group: 'person', values: ['very slim', 'slim', 'average', 'large', 'very large'] },
  { key: 'skin', label: 'Skin', group: 'person', values: ['light', 'medium', 'dark'] },
  { key: 'hair', label: 'Hair', group: 'person', values: ['blonde', 'brown', 'dark', 'red', 'grey', 'other'] },
  { key: 'torsoColour', label: 'Torso colour', group: 'torso', values: COLOURS, isColour: true },
  { key: 'torsoSecondColour', label: 'Torso second colour', group: 'torso', values: COLOURS, isColour: true },
  { key: 'torsoType', label: 'Torso type', group: 'torso', values: ['long sleeve', 'short sleeve', 'no sleeve'] },
  { key: 'torsoPattern', label: 'Torso pattern', group: 'torso', values: PATTERNS },
  { key: 'legColour', label: 'Leg colour', group: 'legs', values: COLOURS, isColour: true },
  { key: 'legSecondColour', label: 'Leg second colour', group: 'legs', values: COLOURS, isColour: true },
  { key: 'legType', label: 'Leg type', group: 'legs', values: ['long pants', 'dress', 'skirt', 'long shorts', 'short shorts'] },
  { key: 'legPattern', label: 'Leg pattern', group: 'legs', values: PATTERNS },
  { key: 'shoeColour', label: 'Shoe colour', group: 'shoes', values: COLOURS, isColour: true },
  // The dataset codes Luggage 0 = yes, 1 = no.
  { key: 'luggage', label: 'Luggage', group: 'luggage', values: ['yes', 'no'] },
];

export const COLOUR_KEYS: readonly string[] = ATTRIBUTE_DEFS.filter((d) => d.isColour).map((d) => d.key);

export function describeCodes(codes: Readonly<Record<string, number>>): string {
  const parts = ATTRIBUTE_DEFS.filter((d) => (codes[d.key] ?? -1) >= 0).map((d) => `${d.label.toLowerCase()} ${d.values[codes[d.key]!]}`);
  return parts.length ? parts.join(', ') : 'any person';
}
