/**
 * The attribute vocabulary of SoftBioSearch (AVSS 2018 semantic person search, task 2).
 *
 * Codes are the dataset's own integers, -1 = unknown. The order of ATTRIBUTES is the order of the
 * model's query slots and must never change without bumping ATTRIBUTE_SCHEMA_VERSION: trained
 * models store the version they were trained with.
 */

export const ATTRIBUTE_SCHEMA_VERSION = 1;

/** The dataset's "unknown" code. */
export const UNKNOWN = -1;

export const COLOURS = [
  'black', 'blue', 'brown', 'green', 'grey', 'orange', 'pink', 'purple', 'red', 'white', 'yellow', 'skin',
] as const;

export const PATTERNS = [
  'plain', 'check', 'diagonal stripe', 'vertical stripe', 'horizontal stripe', 'spots', 'picture',
] as const;

export interface AttributeDef {
  /** Tag exactly as in the SoftBioSearch XML. */
  readonly tag: string;
  /** Stable identifier used in code, JSON and slot=value queries. */
  readonly key: AttributeKey;
  /** Human label for the UI. */
  readonly label: string;
  /** values[code] is the display name of that code, worded as in the dataset's documentation. */
  readonly values: readonly string[];
  /** Which part of the body the attribute describes (groups the search form). */
  readonly group: 'person' | 'torso' | 'legs' | 'shoes' | 'luggage';
  /** True when the values are colours (the form shows swatches). */
  readonly isColour?: boolean;
}

export type AttributeKey =
  | 'age' | 'gender' | 'height' | 'build' | 'skin' | 'hair'
  | 'torsoColour' | 'torsoSecondColour' | 'torsoType' | 'torsoPattern'
  | 'legColour' | 'legSecondColour' | 'legType' | 'legPattern'
  | 'shoeColour' | 'luggage';

export const ATTRIBUTES: readonly AttributeDef[] = [
  { tag: 'Age', key: 'age', label: 'Age', group: 'person', values: ['under 20', '15-35', '25-45', '35-55', 'over 50'] },
  { tag: 'Gender', key: 'gender', label: 'Gender', group: 'person', values: ['male', 'female'] },
  { tag: 'Height', key: 'height', label: 'Height', group: 'person', values: ['very short', 'short', 'average', 'tall', 'very tall'] },
  { tag: 'Build', key: 'build', label: 'Build', group: 'person', values: ['very slim', 'slim', 'average', 'large', 'very large'] },
  { tag: 'Skin', key: 'skin', label: 'Skin', group: 'person', values: ['light', 'medium', 'dark'] },
  { tag: 'Hair', key: 'hair', label: 'Hair', group: 'person', values: ['blonde', 'brown', 'dark', 'red', 'grey', 'other'] },
  { tag: 'Torso-Color', key: 'torsoColour', label: 'Torso colour', group: 'torso', values: COLOURS, isColour: true },
  { tag: 'Torso-SecondColor', key: 'torsoSecondColour', label: 'Torso second colour', group: 'torso', values: COLOURS, isColour: true },
  { tag: 'Torso-Type', key: 'torsoType', label: 'Torso type', group: 'torso', values: ['long sleeve', 'short sleeve', 'no sleeve'] },
  { tag: 'Torso-Pattern', key: 'torsoPattern', label: 'Torso pattern', group: 'torso', values: PATTERNS },
  { tag: 'Leg-Color', key: 'legColour', label: 'Leg colour', group: 'legs', values: COLOURS, isColour: true },
  { tag: 'Leg-SecondColor', key: 'legSecondColour', label: 'Leg second colour', group: 'legs', values: COLOURS, isColour: true },
  { tag: 'Leg-Type', key: 'legType', label: 'Leg type', group: 'legs', values: ['long pants', 'dress', 'skirt', 'long shorts', 'short shorts'] },
  { tag: 'Leg-Pattern', key: 'legPattern', label: 'Leg pattern', group: 'legs', values: PATTERNS },
  { tag: 'Shoe-Color', key: 'shoeColour', label: 'Shoe colour', group: 'shoes', values: COLOURS, isColour: true },
  // The dataset codes Luggage 0 = yes, 1 = no. Kept as is: lossless import matters more than intuition.
  { tag: 'Luggage', key: 'luggage', label: 'Luggage', group: 'luggage', values: ['yes', 'no'] },
];

export const ATTRIBUTE_KEYS: readonly AttributeKey[] = ATTRIBUTES.map((a) => a.key);
export const ATTRIBUTE_COUNT = ATTRIBUTES.length; // 16

const byKey = new Map(ATTRIBUTES.map((a, i) => [a.key, { def: a, index: i }]));
const byTag = new Map(ATTRIBUTES.map((a) => [a.tag, a]));

export function attributeByKey(key: AttributeKey): AttributeDef {
  const found = byKey.get(key);
  if (!found) throw new Error(`Unknown attribute key "${key}"`);
  return found.def;
}

export function attributeByTag(tag: string): AttributeDef | undefined {
  return byTag.get(tag);
}

export function slotIndex(key: AttributeKey): number {
  const found = byKey.get(key);
  if (!found) throw new Error(`Unknown attribute key "${key}"`);
  return found.index;
}

/** Attribute codes of one person or one query, keyed by attribute; -1 (or absent) = unknown. */
export type AttributeCodes = Partial<Record<AttributeKey, number>>;

export function isValidCode(key: AttributeKey, code: number): boolean {
  return Number.isInteger(code) && (code === UNKNOWN || (code >= 0 && code < attributeByKey(key).values.length));
}

export function displayValue(key: AttributeKey, code: number): string {
  return code === UNKNOWN ? 'unknown' : attributeByKey(key).values[code] ?? `invalid code ${code}`;
}

/**
 * Model vocabulary. Each slot has its own tokens: token 0 of a slot is "unknown", token c+1 is code c.
 * Global token ids (for the label-prediction proxy's d-dimensional one-hot) are slot offsets + local token.
 */
export const SLOT_TOKEN_COUNTS: readonly number[] = ATTRIBUTES.map((a) => a.values.length + 1);
export const SLOT_TOKEN_OFFSETS: readonly number[] = SLOT_TOKEN_COUNTS.map((_, i) =>
  SLOT_TOKEN_COUNTS.slice(0, i).reduce((s, n) => s + n, 0),
);
/** d: size of the global vocabulary (126 for schema version 1). */
export const VOCABULARY_SIZE = SLOT_TOKEN_COUNTS.reduce((s, n) => s + n, 0);

export function localToken(code: number): number {
  return code === UNKNOWN ? 0 : code + 1;
}

export function globalToken(slot: number, code: number): number {
  return SLOT_TOKEN_OFFSETS[slot]! + localToken(code);
}

/** Codes in slot order (length 16), unknown where absent. */
export function codesToSlotArray(codes: AttributeCodes): number[] {
  return ATTRIBUTE_KEYS.map((k) => codes[k] ?? UNKNOWN);
}

export function slotArrayToCodes(slots: readonly number[]): AttributeCodes {
  const out: AttributeCodes = {};
  ATTRIBUTE_KEYS.forEach((k, i) => {
    const code = slots[i] ?? UNKNOWN;
    if (code !== UNKNOWN) out[k] = code;
  });
  return out;
}
