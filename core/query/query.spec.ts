import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { QueryError } from '../errors';
import { ATTRIBUTES, type AttributeCodes, type AttributeKey } from '../attributes/schema';
import {
  AGE_WORDS, BUILD_WORDS, COLOUR_WORDS, GARMENT_WORDS, GENDER_WORDS, HAIR_WORDS, HEIGHT_WORDS, PATTERN_WORDS, SKIN_WORDS,
  TORSO_TYPE_WORDS,
} from '../attributes/synonyms';
import { formatSlotText } from '../attributes/codec';
import { LEXICON } from './lexicon';
import { analyseQuery, formatQuery, parseQuery, slotReport } from './index';

/** Any structured query: every attribute unknown (-1) or one of its codes. */
const anyQuery: fc.Arbitrary<AttributeCodes> = fc
  .tuple(...ATTRIBUTES.map((a) => fc.integer({ min: -1, max: a.values.length - 1 })))
  .map((codes) => {
    const out: AttributeCodes = {};
    codes.forEach((c, i) => { if (c !== -1) out[ATTRIBUTES[i]!.key] = c; });
    return out;
  });

describe('free-text parser', () => {
  it('parses the reference sentence', () => {
    const r = parseQuery('tall woman in a red long-sleeve top and black trousers with a backpack');
    expect(r.codes).toEqual({
      gender: 1, height: 3, torsoColour: 8, torsoType: 0, legColour: 0, legType: 0, luggage: 0,
    });
    expect(r.ignored).toEqual([]);
    // Every word is accounted for.
    expect(r.tokens.map((t) => t.text).join(' ')).toBe('tall woman in a red long sleeve top and black trousers with a backpack');
    expect(r.tokens.find((t) => t.text === 'a')!.use).toBe('filler');
  });

  it('reads first and second colour and plain "striped" as horizontal stripes', () => {
    expect(parseQuery('red and white striped shirt').codes).toEqual({ torsoColour: 8, torsoSecondColour: 9, torsoPattern: 4 });
    expect(parseQuery('a navy/white pinstriped shirt').codes).toEqual({ torsoColour: 1, torsoSecondColour: 9, torsoPattern: 3 });
  });

  it('maps colour synonyms', () => {
    const cases: Array<[string, number]> = [
      ['navy', 1], ['maroon', 8], ['crimson', 8], ['beige', 2], ['tan', 2], ['khaki', 2], ['charcoal', 4], ['cream', 9],
      ['light blue', 1], ['dark green', 3], ['skin-coloured', 11], ['gray', 4], ['violet', 7], ['mustard', 10],
    ];
    for (const [word, code] of cases) expect(parseQuery(`${word} jacket`).codes.torsoColour, word).toBe(code);
  });

  it('understands every word of the synonym tables as its own value (no shadowing)', () => {
    for (const [w, code] of Object.entries(COLOUR_WORDS)) expect(parseQuery(`${w} top`).codes, w).toEqual({ torsoColour: code });
    for (const [w, code] of Object.entries(PATTERN_WORDS)) expect(parseQuery(`${w} top`).codes, w).toEqual({ torsoPattern: code });
    for (const [w, code] of Object.entries(TORSO_TYPE_WORDS)) expect(parseQuery(`${w} top`).codes, w).toEqual({ torsoType: code });
    const direct: Array<[AttributeKey, Readonly<Record<string, number>>]> = [
      ['age', AGE_WORDS], ['height', HEIGHT_WORDS], ['build', BUILD_WORDS], ['skin', SKIN_WORDS], ['hair', HAIR_WORDS], ['gender', GENDER_WORDS],
    ];
    for (const [key, table] of direct) {
      for (const [w, code] of Object.entries(table)) expect(parseQuery(w).codes[key], w).toBe(code);
    }
    for (const [w, g] of Object.entries(GARMENT_WORDS)) {
      const codes = parseQuery(`red ${w}`).codes;
      expect(codes[g.part === 'torso' ? 'torsoColour' : g.part === 'legs' ? 'legColour' : 'shoeColour'], w).toBe(8);
      if (g.legType !== undefined) expect(codes.legType, w).toBe(g.legType);
      if (g.torsoType !== undefined) expect(codes.torsoType, w).toBe(g.torsoType);
    }
    expect(parseQuery('reddish top, bluish jeans, greyish shoes').codes).toMatchObject({ torsoColour: 8, legColour: 1, shoeColour: 4 });
  });

  it('attaches colours to the nearest garment, forwards first, then backwards', () => {
    expect(parseQuery('a shirt in red and trousers in blue').codes).toMatchObject({ torsoColour: 8, legColour: 1 });
    expect(parseQuery('black jeans, white sneakers and a green hoodie').codes).toMatchObject({
      legColour: 0, shoeColour: 9, torsoColour: 3, torsoType: 0, legType: 0,
    });
    expect(parseQuery('red top with white stripes').codes).toMatchObject({ torsoColour: 8, torsoSecondColour: 9, torsoPattern: 4 });
  });

  it('keeps descriptions of other things and hair length out of the slots', () => {
    const tie = parseQuery('man in light-blue shirt with dark-blue tie');
    expect(tie.codes).toEqual({ gender: 0, torsoColour: 1 });
    expect(tie.ignored.map((t) => t.text)).toEqual(['dark', 'blue', 'tie']);
    expect(parseQuery('black and red checked flannel shirt').codes).toEqual({ torsoColour: 0, torsoSecondColour: 8, torsoPattern: 1 });
    expect(parseQuery('green t-shirt with a logo and black leggings').codes).toEqual({
      torsoColour: 3, torsoType: 1, torsoPattern: 6, legColour: 0, legType: 0,
    });
    const hair = parseQuery('man with short dark hair');
    expect(hair.codes).toEqual({ gender: 0, hair: 2 });
    expect(hair.ignored[0]).toMatchObject({ text: 'short', reason: expect.stringMatching(/hair length/) });
    expect(parseQuery('short-haired woman').codes).toEqual({ gender: 1 });
    // Numbers need an age cue; "or" is reported.
    expect(parseQuery('male, 5ft 10').codes).toEqual({ gender: 0 });
    expect(parseQuery('aged 30').codes).toEqual({ age: 2 });
    expect(parseQuery('red top or blue top').ignored.map((t) => t.text)).toEqual(['or']);
  });

  it('reads clothing types', () => {
    expect(parseQuery('t-shirt').codes).toEqual({ torsoType: 1 });
    expect(parseQuery('long-sleeved t-shirt').codes).toEqual({ torsoType: 0 }); // explicit beats the t-shirt hint
    expect(parseQuery('sleeveless top').codes).toEqual({ torsoType: 2 });
    expect(parseQuery('shorts').codes).toEqual({ legType: 4 });
    expect(parseQuery('knee-length shorts').codes).toEqual({ legType: 3 });
    expect(parseQuery('skirt').codes).toEqual({ legType: 2 });
    expect(parseQuery('red dress').codes).toEqual({ legType: 1, legColour: 8 });
    expect(parseQuery('jeans').codes).toEqual({ legType: 0 });
  });

  it('reads age, build, height, hair, skin and gender words', () => {
    expect(parseQuery('teenage boy').codes).toEqual({ age: 0, gender: 0 });
    expect(parseQuery('young girl').codes).toEqual({ age: 1, gender: 1 }); // "young" beats the "girl" hint
    expect(parseQuery('middle-aged lady').codes).toEqual({ age: 3, gender: 1 });
    expect(parseQuery('elderly guy').codes).toEqual({ age: 4, gender: 0 });
    expect(parseQuery('man in his 30s').codes).toEqual({ age: 2, gender: 0 });
    expect(parseQuery('woman aged 25-45').codes).toEqual({ age: 2, gender: 1 });
    expect(parseQuery('person under 20').codes).toEqual({ age: 0 });
    expect(parseQuery('42 years old').codes).toEqual({ age: 3 });
    expect(parseQuery('very tall heavy man').codes).toEqual({ height: 4, build: 3, gender: 0 });
    expect(parseQuery('short slim woman').codes).toEqual({ height: 1, build: 1, gender: 1 });
    expect(parseQuery('blonde').codes).toEqual({ hair: 0 });
    expect(parseQuery('grey-haired man').codes).toEqual({ hair: 4, gender: 0 });
    expect(parseQuery('dark-skinned woman with black hair').codes).toEqual({ skin: 2, gender: 1, hair: 2 });
  });

  it('reads luggage and its negation, reports other negations as ignored', () => {
    expect(parseQuery('with a suitcase').codes).toEqual({ luggage: 0 });
    expect(parseQuery('no bag').codes).toEqual({ luggage: 1 });
    expect(parseQuery('man without any luggage').codes).toEqual({ gender: 0, luggage: 1 });
    const r = parseQuery('woman not wearing a hat');
    expect(r.codes).toEqual({ gender: 1 });
    expect(r.ignored.map((t) => t.text)).toEqual(['not', 'wearing', 'a', 'hat']);
    expect(r.ignored[0]!.reason).toMatch(/negation/);
    expect(parseQuery('man not in a red top').codes).toEqual({ gender: 0 });
  });

  it('lists every unused word with a reason', () => {
    const r = parseQuery('tall man with a purple umbrella and xyzzy');
    expect(r.codes).toEqual({ height: 3, gender: 0 });
    expect(r.ignored.map((t) => [t.text, t.reason])).toEqual([
      ['purple', expect.stringMatching(/describes "umbrella", which is not part of the schema/)],
      ['umbrella', expect.stringMatching(/umbrella/)],
      ['xyzzy', 'unknown word'],
    ]);
    expect(parseQuery('man in red, blue jeans').ignored[0]).toMatchObject({ text: 'red', reason: expect.stringMatching(/no garment word/) });
    const conflict = parseQuery('man woman');
    expect(conflict.codes).toEqual({ gender: 0 });
    expect(conflict.ignored[0]).toMatchObject({ text: 'woman', reason: expect.stringMatching(/conflicts/) });
  });

  it('refuses empty, over-long, control-character and nonsense input with QueryError', () => {
    expect(() => parseQuery('   ')).toThrow(QueryError);
    expect(() => parseQuery('red '.repeat(600))).toThrow(/2000/);
    expect(() => parseQuery('red\u0000top')).toThrow(/U\+0000/);
    expect(() => parseQuery('xyzzy plugh')).toThrow(/no attribute recognised.*xyzzy/);
    // Nonsense is not an error for the as-you-type analyser, and filler-only text is "any person".
    expect(analyseQuery('xyzzy plugh').ignored).toHaveLength(2);
    expect(parseQuery('a person').codes).toEqual({});
  });

  it('accepts structured queries through the same API', () => {
    expect(parseQuery('torsoColour=red legType=dress').codes).toEqual({ torsoColour: 8, legType: 1 });
    expect(parseQuery('Torso-Color=8, Luggage=0 age=15-35 legType="long pants" torsoType=long_sleeve').codes).toEqual({
      age: 1, torsoColour: 8, torsoType: 0, legType: 0, luggage: 0,
    });
    expect(parseQuery({ gender: 1, hair: -1 }).codes).toEqual({ gender: 1 });
    expect(() => parseQuery('torsoColour=mauve')).toThrow(QueryError);
    expect(() => parseQuery('shoeSize=9')).toThrow(/unknown attribute/);
    expect(() => parseQuery('Luggage=2')).toThrow(QueryError);
    expect(() => parseQuery({ gender: 7 })).toThrow(QueryError);
  });

  it('reports all 16 slots with dataset wording', () => {
    const slots = slotReport({ luggage: 0, age: 1 });
    expect(slots).toHaveLength(16);
    expect(slots[0]).toEqual({ key: 'age', tag: 'Age', label: 'Age', code: 1, value: '15-35' });
    expect(slots[15]).toMatchObject({ tag: 'Luggage', code: 0, value: 'yes' });
    expect(slots[1]).toMatchObject({ code: -1, value: 'unknown' });
  });
});

describe('properties', () => {
  it('parse(format(q)) = q for every structured query', () => {
    fc.assert(
      fc.property(anyQuery, (q) => {
        const text = formatQuery(q);
        const r = parseQuery(text);
        expect(r.ignored, text).toEqual([]);
        expect(r.codes, text).toEqual(q);
        expect(parseQuery(formatSlotText(q) || 'a person').codes).toEqual(q);
      }),
      { numRuns: 2000, seed: 42 },
    );
  });

  it('10,000 random strings never throw anything but QueryError', () => {
    const words = [...LEXICON.keys()];
    const wordSoup = fc.array(fc.oneof(fc.constantFrom(...words), fc.constantFrom(',', '=', '-', '15-35', '30s', '7', '"', 'not')), { maxLength: 30 })
      .map((w) => w.join(' '));
    const anyText = fc.oneof(fc.string({ maxLength: 80, unit: 'binary' }), fc.string({ maxLength: 80 }), wordSoup);
    fc.assert(
      fc.property(anyText, (s) => {
        try {
          const r = parseQuery(s);
          // Every token is accounted for (plain check: expect() per token would dominate the run time).
          if (r.tokens.some((t) => t.use !== 'attribute' && t.use !== 'filler' && t.use !== 'ignored')) throw new Error('token without a use');
        } catch (e) {
          if (!(e instanceof QueryError)) throw e;
        }
      }),
      { numRuns: 10_000, seed: 7 },
    );
  });
});
