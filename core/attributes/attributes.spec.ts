import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError, QueryError } from '../errors';
import {
  canonicalCodes, formatSlotText, fromDatasetCodes, parseSlotText, toDatasetCodes,
} from './codec';
import { ATTRIBUTES, ATTRIBUTE_KEYS, VOCABULARY_SIZE, type AttributeCodes } from './schema';
import { ageFromYears, COLOUR_WORDS, synonymsFor } from './synonyms';

const anyCodes: fc.Arbitrary<AttributeCodes> = fc
  .tuple(...ATTRIBUTES.map((a) => fc.integer({ min: -1, max: a.values.length - 1 })))
  .map((codes) => Object.fromEntries(codes.map((c, i) => [ATTRIBUTES[i]!.key, c])) as AttributeCodes);

describe('schema (unchanged contract)', () => {
  it('keeps the slot order, the codes and the vocabulary size', () => {
    expect(ATTRIBUTE_KEYS).toEqual([
      'age', 'gender', 'height', 'build', 'skin', 'hair', 'torsoColour', 'torsoSecondColour', 'torsoType', 'torsoPattern',
      'legColour', 'legSecondColour', 'legType', 'legPattern', 'shoeColour', 'luggage',
    ]);
    expect(VOCABULARY_SIZE).toBe(126);
    expect(ATTRIBUTES.find((a) => a.tag === 'Luggage')!.values).toEqual(['yes', 'no']);
  });
});

describe('codec', () => {
  it('round-trips dataset codes losslessly (unknowns canonicalised away)', () => {
    fc.assert(fc.property(anyCodes, (codes) => {
      const canonical = canonicalCodes(codes);
      const tags = toDatasetCodes(codes);
      expect(Object.keys(tags)).toHaveLength(16);
      expect(fromDatasetCodes(tags)).toEqual(canonical);
      expect(toDatasetCodes(fromDatasetCodes(tags))).toEqual(tags);
    }), { numRuns: 500, seed: 1 });
  });

  it('round-trips slot=value text', () => {
    fc.assert(fc.property(anyCodes, (codes) => {
      expect(parseSlotText(formatSlotText(codes))).toEqual(canonicalCodes(codes));
    }), { numRuns: 500, seed: 2 });
    expect(formatSlotText({ legType: 0, age: 1, luggage: 0 })).toBe('age=15-35 legType=long_pants luggage=yes');
  });

  it('reads tags, codes and names and rejects bad ones with the offending item', () => {
    expect(parseSlotText('Torso-Color=8 gender=female legtype=long-pants hair=unknown')).toEqual({ gender: 1, torsoColour: 8, legType: 0 });
    expect(() => parseSlotText('Torso-Color=12')).toThrow(/"12" is not a value of torsoColour/);
    expect(() => parseSlotText('gender=male gender=female')).toThrow(QueryError);
    expect(() => parseSlotText('legType=long pants')).toThrow(/"long" is not a value of legType.*quote/);
    expect(() => fromDatasetCodes({ 'Leg-Type': 5 })).toThrow(InputError);
    expect(() => fromDatasetCodes({ Shoes: 1 })).toThrow(/unknown attribute tag/);
    expect(() => canonicalCodes({ age: 1.5 })).toThrow(InputError);
  });
});

describe('synonyms', () => {
  it('gives every value of every attribute at least one word', () => {
    for (const a of ATTRIBUTES) {
      a.values.forEach((_, code) => expect(synonymsFor(a.key, code).length, `${a.key}=${code}`).toBeGreaterThan(0));
    }
  });

  it('maps the usual colour synonyms', () => {
    expect(COLOUR_WORDS.navy).toBe(1);
    expect(COLOUR_WORDS.maroon).toBe(8);
    expect(COLOUR_WORDS.crimson).toBe(8);
    for (const w of ['beige', 'tan', 'khaki']) expect(COLOUR_WORDS[w]).toBe(2);
  });

  it('maps years to the nearest age range', () => {
    expect([10, 19, 20, 29, 30, 45, 50, 80].map(ageFromYears)).toEqual([0, 0, 1, 1, 2, 3, 4, 4]);
  });
});
