/** Query tokens: one per slot from the schema's codes; codes outside the schema are refused by name. */
import { describe, expect, it } from 'vitest';
import { ATTRIBUTES, SLOT_TOKEN_OFFSETS, VOCABULARY_SIZE } from '../attributes/schema';
import { InputError } from '../errors';
import { queryTokens } from './onnxRetriever';

describe('queryTokens', () => {
  it('maps every valid code to its own slot token, unknowns to the slot offset', () => {
    expect(queryTokens({})).toEqual([...SLOT_TOKEN_OFFSETS]);
    ATTRIBUTES.forEach((a, slot) => {
      a.values.forEach((_, code) => {
        const t = queryTokens({ [a.key]: code });
        expect(t[slot]).toBe(SLOT_TOKEN_OFFSETS[slot]! + code + 1);
        expect(t[slot]).toBeLessThan(slot + 1 < SLOT_TOKEN_OFFSETS.length ? SLOT_TOKEN_OFFSETS[slot + 1]! : VOCABULARY_SIZE);
      });
    });
    expect(queryTokens({ gender: -1 })).toEqual([...SLOT_TOKEN_OFFSETS]);
  });

  it('refuses a code outside the schema (a token of another slot, or past the vocabulary) naming the attribute', () => {
    // luggage has two values: code 2 would be token 126, past the 126-token vocabulary
    expect(() => queryTokens({ luggage: 2 })).toThrow(InputError);
    expect(() => queryTokens({ luggage: 2 })).toThrow(/luggage: code 2 is outside the schema/);
    expect(() => queryTokens({ gender: 7 })).toThrow(/gender: code 7/);
    expect(() => queryTokens({ torsoColour: 1.5 })).toThrow(/torsoColour: code 1.5/);
    expect(() => queryTokens({ nonsense: 1 } as never)).toThrow(/unknown attribute "nonsense"/);
  });
});
