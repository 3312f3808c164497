import { describe, expect, it } from 'vitest';
import { thresholdSweep } from './thresholdSweep';
import type { ScoredItem } from './lookup';

const item = (present: boolean, score: number): ScoredItem =>
  ({
    frame: { id: 'f', persons: [] },
    query: { attributes: {}, matches: present ? ['p0'] : [], target: present ? 'p0' : undefined, kind: present ? 'complete' : 'absent' },
    queryIndex: 0,
    matchBoxes: present ? [[0, 0, 10, 10]] : [],
    prediction: { frameId: 'f', queryIndex: 0, candidates: [{ box: [0, 0, 10, 10], score }], absent: false },
    missing: false,
  }) as unknown as ScoredItem;

describe('threshold sweep', () => {
  it('counts absent queries at or above and present queries below each threshold, and picks the balanced point', () => {
    const items = [item(false, 0.1), item(false, 0.3), item(true, 0.25), item(true, 0.5), item(true, 0.7), item(true, 0.9)];
    const s = thresholdSweep(items, [0.2, 0.4, 0.6]);
    expect(s.points).toEqual([
      { threshold: 0.2, falsePositiveRate: 0.5, missRate: 0 },
      { threshold: 0.4, falsePositiveRate: 0, missRate: 0.25 },
      { threshold: 0.6, falsePositiveRate: 0, missRate: 0.5 },
    ]);
    expect(s.balanced?.threshold).toBe(0.4);
  });

  it('is empty without both kinds of query', () => {
    expect(thresholdSweep([item(true, 0.5)]).balanced).toBeNull();
  });
});
