import { describe, expect, it } from 'vitest';
import { codesToSlotArray, slotIndex } from '../attributes/schema';
import { SLOTS, SLOT_VALUE_COUNTS } from './classifier';
import { cosineToQuery, knownSlots, rankCascade, rankCosSim } from './ranking';

/** Uniform probabilities everywhere except the given (key → distribution) slots. */
function probs(set: Record<string, number[]>): Float32Array {
  const p = new Float32Array(SLOTS.total);
  SLOT_VALUE_COUNTS.forEach((n, s) => { for (let v = 0; v < n; v++) p[SLOTS.offsets[s]! + v] = 1 / n; });
  for (const [key, dist] of Object.entries(set)) p.set(dist, SLOTS.offsets[slotIndex(key as never)]!);
  return p;
}

describe('Cos-Sim ranking', () => {
  it('gives cosine 1 to a crop whose known slots are certain and right, and uses only known slots', () => {
    const q = codesToSlotArray({ gender: 1, luggage: 0 });
    expect(knownSlots(q)).toEqual([[slotIndex('gender'), 1], [slotIndex('luggage'), 0]]);
    expect(cosineToQuery(probs({ gender: [0, 1], luggage: [1, 0] }), knownSlots(q))).toBeCloseTo(1, 6);
    // gender 50/50, luggage right: dot = 0.5 + 1, |p| = √(0.5 + 1), |q| = √2
    expect(cosineToQuery(probs({ gender: [0.5, 0.5], luggage: [1, 0] }), knownSlots(q))).toBeCloseTo(1.5 / (Math.sqrt(1.5) * Math.SQRT2), 6);
    expect(cosineToQuery(probs({ gender: [1, 0], luggage: [0, 1] }), knownSlots(q))).toBe(0);
  });

  it('ranks by cosine and falls back to detector scores for an empty query', () => {
    const input = {
      probs: [probs({ gender: [1, 0] }), probs({ gender: [0.1, 0.9] }), probs({ gender: [0.4, 0.6] })],
      detScores: [0.9, 0.5, 0.7],
    };
    expect(rankCosSim(input, codesToSlotArray({ gender: 1 })).map((r) => r.index)).toEqual([1, 2, 0]);
    expect(rankCosSim(input, codesToSlotArray({})).map((r) => r.index)).toEqual([0, 2, 1]);
  });
});

describe('Per-Vis-like cascade', () => {
  it('filters by the first slot in its order before cosine decides, keeping the eliminated last', () => {
    // Candidate 0 fits the colour perfectly but not the gender; candidate 1 fits the gender only.
    const input = {
      probs: [
        probs({ gender: [0.95, 0.05], torsoColour: [0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0] }),
        probs({ gender: [0.05, 0.95], torsoColour: [0, 0, 0, 0, 0, 0, 0, 0, 0.3, 0.7, 0, 0] }),
        probs({ gender: [0.3, 0.7], torsoColour: [0.5, 0, 0, 0, 0, 0, 0, 0, 0.5, 0, 0, 0] }),
      ],
      detScores: [0.9, 0.9, 0.9],
    };
    const q = codesToSlotArray({ gender: 1, torsoColour: 8 });
    const genderFirst = rankCascade(input, q, 0.5, [slotIndex('gender'), slotIndex('torsoColour')]);
    // gender keeps 1 and 2 (0.7 ≥ 0.5·0.95); colour then keeps 2 (0.5 ≥ 0.5·0.3) and 1 → cosine orders them
    expect(genderFirst[2]!.index).toBe(0);
    const colourFirst = rankCascade(input, q, 0.9, [slotIndex('torsoColour'), slotIndex('gender')]);
    expect(colourFirst[0]!.index).toBe(0);
    for (const r of [genderFirst, colourFirst]) {
      for (let i = 1; i < r.length; i++) expect(r[i - 1]!.score).toBeGreaterThanOrEqual(r[i]!.score);
    }
  });
});
