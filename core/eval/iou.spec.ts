import { describe, expect, it } from 'vitest';
import { iou, iouInclusive, toChallengeBox } from './iou';

describe('iou (exclusive right/bottom)', () => {
  it('is 1 for identical boxes and 0 for disjoint or touching ones', () => {
    expect(iou([0, 0, 10, 10], [0, 0, 10, 10])).toBe(1);
    expect(iou([0, 0, 10, 10], [10, 0, 20, 10])).toBe(0); // shares an edge only
    expect(iou([0, 0, 10, 10], [20, 20, 30, 30])).toBe(0);
  });
  it('computes a half overlap by hand', () => {
    // inter 5×10 = 50, union 100 + 100 − 50 = 150
    expect(iou([0, 0, 10, 10], [5, 0, 15, 10])).toBeCloseTo(1 / 3, 12);
  });
  it('handles containment and degenerate boxes', () => {
    expect(iou([0, 0, 10, 10], [2, 2, 4, 4])).toBeCloseTo(4 / 100, 12);
    expect(iou([0, 0, 0, 10], [0, 0, 10, 10])).toBe(0);
  });
});

describe('iouInclusive (AVSS evaluator, +1 areas)', () => {
  it('counts a single-pixel box as area 1', () => {
    expect(iouInclusive([5, 5, 5, 5], [5, 5, 5, 5])).toBe(1);
    expect(iouInclusive([5, 5, 5, 5], [6, 6, 6, 6])).toBe(0);
  });
  it('differs from the exclusive formula on the same numbers', () => {
    // inclusive: a = 11×11 = 121, b = 11×11, inter = 6×11 = 66 → 66 / 176
    expect(iouInclusive([0, 0, 10, 10], [5, 0, 15, 10])).toBeCloseTo(66 / 176, 12);
    // adjacent boxes that share pixel column 10 overlap in the inclusive convention
    expect(iouInclusive([0, 0, 10, 10], [10, 0, 20, 10])).toBeCloseTo(11 / (121 + 121 - 11), 12);
  });
  it('equals the exclusive IoU after conversion to challenge boxes for integer boxes', () => {
    const a: [number, number, number, number] = [3, 4, 40, 90];
    const b: [number, number, number, number] = [10, 0, 50, 70];
    expect(iouInclusive(toChallengeBox(a), toChallengeBox(b))).toBeCloseTo(iou(a, b), 12);
    expect(toChallengeBox([1.4, 2.6, 10.5, 20.2])).toEqual([1, 3, 10, 19]);
  });
});
