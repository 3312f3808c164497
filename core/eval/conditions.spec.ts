import { describe, expect, it } from 'vitest';
import type { Box, FrameAnnotation } from '../dataset/format';
import { conditionBreakdown } from './conditions';
import { scoredItems } from './lookup';
import { frame, pred, query } from './testFrames';

// testFrames' frames are 200×100: a box 8 px tall is 8 % of the frame height, 40 px is 40 %.
const small: Box = [0, 0, 4, 8];
const tall: Box = [100, 0, 120, 40];
const elsewhere: Box = [150, 60, 160, 70];

function withVisibility(f: FrameAnnotation, id: string, visibility: number): FrameAnnotation {
  return { ...f, persons: f.persons.map((p) => (p.id === id ? { ...p, visibility } : p)) };
}

describe('recall by viewing condition', () => {
  it('buckets present-target queries by target height, crowd and visibility, with R@1 and R@5', () => {
    const extras = Array.from({ length: 9 }, (_, i): [string, Box] => [`x${i}`, [i * 10, 80, i * 10 + 5, 90]]);
    const frames = [
      // Small target, found at rank 2 only; 1 person; half hidden.
      withVisibility(frame('a', 's', [['p', small]], [query(['p'], 'p')]), 'p', 0.5),
      // Tall target, found at rank 1; 10 people; fully visible.
      withVisibility(frame('b', 's', [['p', tall], ...extras], [query(['p'], 'p')]), 'p', 1),
      // Tall target, missed; 1 person; no visibility recorded.
      frame('c', 's', [['p', tall]], [query(['p'], 'p')]),
      // Absent-target query: not counted anywhere.
      frame('d', 's', [['p', tall]], [query([])]),
    ];
    const rows = conditionBreakdown(scoredItems(frames, [
      pred('a', [elsewhere, small]), pred('b', [tall]), pred('c', [elsewhere]), pred('d', [tall]),
    ]));
    const row = (dimension: string, label: string) => rows.find((r) => r.dimension === dimension && r.label.startsWith(label))!;
    expect(row('targetHeight', 'under 10 %')).toMatchObject({ queries: 1, recallAt1: 0, recallAt5: 1 });
    expect(row('targetHeight', '35 %')).toMatchObject({ queries: 2, recallAt1: 0.5, recallAt5: 0.5 });
    expect(row('targetHeight', '10–20')).toMatchObject({ queries: 0, recallAt1: 0, recallAt5: 0 });
    expect(row('crowd', '1–3')).toMatchObject({ queries: 2, recallAt1: 0, recallAt5: 0.5 });
    expect(row('crowd', '9–15')).toMatchObject({ queries: 1, recallAt1: 1, recallAt5: 1 });
    expect(row('visibility', 'under 70')).toMatchObject({ queries: 1, recallAt5: 1 });
    expect(row('visibility', '95 %')).toMatchObject({ queries: 1, recallAt1: 1 });
    // Frame c has no visibility: the visibility rows cover 2 of the 3 present queries.
    expect(rows.filter((r) => r.dimension === 'visibility').reduce((n, r) => n + r.queries, 0)).toBe(2);
    expect(rows.filter((r) => r.dimension === 'crowd').reduce((n, r) => n + r.queries, 0)).toBe(3);
  });
});
