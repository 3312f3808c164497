/**
 * The parser's dictionary: every known phrase (one to four words) → what it means. Built once from
 * core/attributes/synonyms.ts plus the function words a description needs (filler, negation…).
 */
import {
  AGE_WORDS, BUILD_WORDS, CHILD_WORDS, COLOUR_MODIFIERS, COLOUR_WORDS, GARMENT_WORDS, GENDER_WORDS, HAIR_WORDS,
  HEIGHT_WORDS, LUGGAGE_WORDS, NO_LUGGAGE_WORDS, PATTERN_WORDS, SKIN_WORDS, TORSO_TYPE_WORDS, WEAK_GENDER_WORDS,
  type GarmentPart,
} from '../attributes/synonyms';
import type { AttributeKey } from '../attributes/schema';

export type Meaning =
  /** Words that carry no attribute (articles, "wearing", "person"…). */
  | { t: 'filler' }
  /** "and", "&", "/": joins colours ("red and white"), otherwise filler. */
  | { t: 'and' }
  /** "or": alternatives cannot be expressed in one query. */
  | { t: 'or' }
  /** "coloured", "colour": filler that may sit inside a colour run ("red coloured top"). */
  | { t: 'colourFiller' }
  /** Words that let a colour run attach backwards to the garment before it ("a top in red"). */
  | { t: 'linker' }
  | { t: 'colour'; code: number }
  | { t: 'colourModifier' }
  /** "second colour": the next colour is the garment's second colour. */
  | { t: 'second' }
  | { t: 'pattern'; code: number }
  | { t: 'torsoType'; code: number }
  | { t: 'garment'; part: GarmentPart; legType?: number; torsoType?: number }
  /** A direct attribute value (age, gender, height, build, skin, hair, luggage). */
  | { t: 'attr'; key: AttributeKey; code: number; weak?: boolean; youngWeak?: boolean }
  | { t: 'negation' }
  /** "under"/"over" before an age number. */
  | { t: 'comparator'; dir: -1 | 1 }
  /** Things people describe that the schema has no slot for (hats, glasses…). */
  | { t: 'unsupported'; reason: string };

const FILLER = [
  'a', 'an', 'the', 'with', 'wearing', 'wears', 'wear', 'worn', 'dressed', 'has', 'have', 'having', 'had',
  'carrying', 'carries', 'carry', 'holding', 'holds', 'hold', 'who', 'is', 'are', 'was', 'were', 'be', 'that',
  'which', 'person', 'people', 'someone', 'somebody', 'individual', 'pedestrian', 'figure', 'subject', 'adult',
  'looking', 'looks', 'for', 'on', 'at', 'appears', 'seen', 'walking', 'standing', 'sitting', 'running', 'aged',
  'age', 'years', 'year', 'yrs', 'yo', 'years old', 'year old', 'y o', 'some', 'sort', 'kind', 'type', 'any',
  "'s", 'and', 'also', 'plus', 'about', 'around', 'roughly', 'approximately', 'approx', 'maybe', 'probably',
  'possibly', 'quite', 'fairly', 'rather', 'somewhat', 'pretty', 'slightly', 'bit', 'little', 'build', 'height',
  'hair', 'haired', 'skin', 'find', 'show', 'me', 'search', 'pair', 'pair of', 'set', 'their', 'they', 'them', 'body',
];
const LINKERS = ['in', 'of'];
const NEGATIONS = ['not', 'no', 'without', 'never', 'none', "isn't", "doesn't", "don't", "aren't", "wasn't", 'non', 'nor'];
const UNSUPPORTED: Record<string, string> = {
  hat: 'hats are not an attribute of the schema', cap: 'hats are not an attribute of the schema',
  beanie: 'hats are not an attribute of the schema', helmet: 'hats are not an attribute of the schema',
  glasses: 'glasses are not an attribute of the schema', sunglasses: 'glasses are not an attribute of the schema',
  beard: 'facial hair is not an attribute of the schema', moustache: 'facial hair is not an attribute of the schema',
  mustache: 'facial hair is not an attribute of the schema', scarf: 'scarves are not an attribute of the schema',
  'long hair': 'hair length is not an attribute of the schema', 'short hair': 'hair length is not an attribute of the schema',
  'long haired': 'hair length is not an attribute of the schema', 'short haired': 'hair length is not an attribute of the schema',
  bald: 'hair length is not an attribute of the schema', umbrella: 'umbrellas are not an attribute of the schema',
  phone: 'held objects other than luggage are not attributes of the schema',
};

function build(): Map<string, Meaning> {
  const m = new Map<string, Meaning>();
  const put = (phrase: string, meaning: Meaning) => { m.set(phrase, meaning); };
  for (const w of FILLER) put(w, { t: 'filler' });
  put('and', { t: 'and' }); put('&', { t: 'and' }); put('/', { t: 'and' }); put('+', { t: 'and' });
  put('or', { t: 'or' });
  for (const w of ['colour', 'color', 'coloured', 'colored', 'tone', 'toned', 'shade', 'ish']) put(w, { t: 'colourFiller' });
  for (const w of LINKERS) put(w, { t: 'linker' });
  for (const w of NEGATIONS) put(w, { t: 'negation' });
  put('under', { t: 'comparator', dir: -1 }); put('below', { t: 'comparator', dir: -1 });
  put('younger than', { t: 'comparator', dir: -1 }); put('over', { t: 'comparator', dir: 1 });
  put('above', { t: 'comparator', dir: 1 }); put('older than', { t: 'comparator', dir: 1 });
  for (const [w, reason] of Object.entries(UNSUPPORTED)) put(w, { t: 'unsupported', reason });
  for (const w of COLOUR_MODIFIERS) put(w, { t: 'colourModifier' });
  for (const [w, code] of Object.entries(COLOUR_WORDS)) put(w, { t: 'colour', code });
  for (const w of ['second colour', 'second color', 'secondary colour', 'secondary color']) put(w, { t: 'second' });
  for (const [w, code] of Object.entries(PATTERN_WORDS)) put(w, { t: 'pattern', code });
  for (const [w, code] of Object.entries(TORSO_TYPE_WORDS)) put(w, { t: 'torsoType', code });
  for (const [w, g] of Object.entries(GARMENT_WORDS)) put(w, { t: 'garment', ...g });
  const attrs: Array<[AttributeKey, Readonly<Record<string, number>>]> = [
    ['age', AGE_WORDS], ['height', HEIGHT_WORDS], ['build', BUILD_WORDS], ['skin', SKIN_WORDS], ['hair', HAIR_WORDS],
  ];
  for (const [key, table] of attrs) for (const [w, code] of Object.entries(table)) put(w, { t: 'attr', key, code });
  for (const [w, code] of Object.entries(GENDER_WORDS)) {
    put(w, { t: 'attr', key: 'gender', code, ...(WEAK_GENDER_WORDS.has(w) ? { weak: true } : {}), ...(CHILD_WORDS.has(w) ? { youngWeak: true } : {}) });
  }
  for (const w of LUGGAGE_WORDS) put(w, { t: 'attr', key: 'luggage', code: 0 });
  for (const w of NO_LUGGAGE_WORDS) put(w, { t: 'attr', key: 'luggage', code: 1 });
  return m;
}

export const LEXICON: ReadonlyMap<string, Meaning> = build();
export const MAX_PHRASE_WORDS = Math.max(...[...LEXICON.keys()].map((k) => k.split(' ').length));

/** Colour of a "-ish" word: reddish, bluish, greyish, purplish… */
function ishColour(word: string): Meaning | undefined {
  if (!word.endsWith('ish') || word.length < 6) return undefined;
  const stem = word.slice(0, -3);
  for (const c of [stem, `${stem}e`, stem.slice(0, -1)]) {
    const m = LEXICON.get(c);
    if (m?.t === 'colour') return m;
  }
  return undefined;
}

/** Meaning of one normalised phrase, trying "-ish" colours and a plural "-s"/"-es" fallback for single words. */
export function lookup(phrase: string): Meaning | undefined {
  const exact = LEXICON.get(phrase);
  if (exact || phrase.includes(' ')) return exact;
  const ish = ishColour(phrase);
  if (ish) return ish;
  for (const stem of [phrase.replace(/es$/, ''), phrase.replace(/s$/, '')]) {
    if (stem !== phrase && stem.length >= 3) {
      const found = LEXICON.get(stem);
      if (found && (found.t === 'garment' || found.t === 'colour' || found.t === 'unsupported' || (found.t === 'attr' && found.key === 'luggage'))) return found;
    }
  }
  return undefined;
}
