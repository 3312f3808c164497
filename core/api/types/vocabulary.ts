/** Result shape of query.vocabulary: the 16 attributes as the search form shows them. Plain types (renderer-safe). */

export interface VocabularyValue {
  /** The dataset's integer code (what `slots` and `codes` carry). */
  code: number;
  /** Display name, worded as in the dataset's documentation. */
  name: string;
  /** `#rrggbb` for colour values (swatches), absent otherwise. */
  swatch?: string;
}

export interface VocabularyAttribute {
  /** Stable key used in `slots`, JSON and slot=value queries. */
  key: string;
  /** Tag as in the SoftBioSearch XML. */
  tag: string;
  label: string;
  /** Position among the model's query slots (0–15). */
  slot: number;
  group: 'person' | 'torso' | 'legs' | 'shoes' | 'luggage';
  isColour: boolean;
  /** values[i].code === i. */
  values: VocabularyValue[];
}

export interface AttributeVocabulary {
  /** ATTRIBUTE_SCHEMA_VERSION of core/attributes/schema.ts. */
  schemaVersion: number;
  /** The code meaning "unknown" (matches anything): -1. */
  unknownCode: number;
  /** In slot order. */
  attributes: VocabularyAttribute[];
}
