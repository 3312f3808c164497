import { describe, expect, it } from 'vitest';
import { absentHandling, attributeBreakdown } from './breakdown';
import { scoredItems } from './lookup';
import { frame, pred, query } from './testFrames';

const truth: [number, number, number, number] = [0, 0, 10, 10];
const wrong: [number, number, number, number] = [50, 50, 60, 60];

describe('absent-target handling', () => {
  it('counts a false positive only when an absent-target query got a box', () => {
    const frames = [
      frame('a', 's', [['p', truth]], [query([])]),
      frame('b', 's', [['p', truth]], [query([])]),
      frame('c', 's', [['p', truth]], [query([])]),
      frame('d', 's', [['p', truth]], [query([])]),
      frame('e', 's', [['p', truth]], [query(['p'], 'p')]),
      frame('f', 's', [['p', truth]], [query(['p'], 'p')]),
    ];
    const r = absentHandling(scoredItems(frames, [
      pred('a', [truth]), // box returned → FP
      pred('b', [truth], true), // correctly absent
      pred('c', []), // no candidates, not flagged: no box returned
      // d missing → treated as absent
      pred('e', [truth], true), // present target lost to the threshold
      pred('f', [truth]),
    ]));
    expect(r).toEqual({
      absentQueries: 4, falsePositives: 1, falsePositiveRate: 0.25,
      presentQueries: 2, missedByThreshold: 1, missRate: 0.5,
    });
  });
});

describe('per-attribute breakdown', () => {
  it('computes R@1 at IoU>0.5 over the queries stating each attribute, per value above the count floor', () => {
    const frames = [
      frame('a', 's', [['p', truth]], [query(['p'], 'p', { gender: 0, torsoColour: 8 })]),
      frame('b', 's', [['p', truth]], [query(['p'], 'p', { gender: 1, torsoColour: 8 })]),
      frame('c', 's', [['p', truth]], [query(['p'], 'p', { gender: 1, hair: -1 })]),
      frame('d', 's', [['p', truth]], [query([], undefined, { gender: 1 })]), // absent: excluded
    ];
    const r = attributeBreakdown(scoredItems(frames, [pred('a', [truth]), pred('b', [wrong]), pred('c', [truth]), pred('d', [truth])]), 2);
    const gender = r.find((a) => a.key === 'gender')!;
    expect(gender.queries).toBe(3);
    expect(gender.recall).toBeCloseTo(2 / 3, 12);
    expect(gender.values).toEqual([{ code: 1, value: 'female', queries: 2, recall: 0.5 }]); // male has 1 < 2
    const torso = r.find((a) => a.key === 'torsoColour')!;
    expect(torso).toMatchObject({ queries: 2, recall: 0.5 });
    expect(torso.values[0]).toMatchObject({ value: 'red', queries: 2 });
    expect(r.find((a) => a.key === 'hair')!.queries).toBe(0); // -1 is unknown, not stated
    expect(r).toHaveLength(16);
  });
});
