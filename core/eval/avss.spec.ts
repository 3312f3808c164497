import { describe, expect, it } from 'vitest';
import { aggregateAvss, avssProtocol } from './avss';
import { scoredItems } from './lookup';
import { frame, pred, query } from './testFrames';

describe('AVSS 2018 protocol', () => {
  it('averages per-sequence means without weighting by sequence length', () => {
    const r = aggregateAvss([
      { sequence: 'A', iou: 1 }, { sequence: 'A', iou: 1 }, { sequence: 'A', iou: 1 }, { sequence: 'A', iou: 0.1 },
      { sequence: 'B', iou: 0 },
    ]);
    // A: 3.1/4 = 0.775; B: 0 → average 0.3875 (frame-weighted would be 0.62)
    expect(r.meanIoU).toBeCloseTo(0.3875, 12);
    expect(r.sequences.map((s) => [s.sequence, s.items])).toEqual([['A', 4], ['B', 1]]);
    // IoU ≥ 0.4 (inclusive boundary) frame-weighted: 3 of 5
    expect(r.shareIoU04).toBeCloseTo(0.6, 12);
    expect(aggregateAvss([{ sequence: 'A', iou: 0.4 }]).shareIoU04).toBe(1);
  });

  it('scores absent answers, empty answers and missing predictions as IoU 0 and uses the best box only', () => {
    const truth: [number, number, number, number] = [10, 10, 30, 50];
    const frames = [
      frame('a', 'S1', [['p', truth]], [query(['p'], 'p')]),
      frame('b', 'S1', [['p', truth]], [query(['p'], 'p')]),
      frame('c', 'S2', [['p', truth]], [query(['p'], 'p')]),
      frame('d', 'S2', [['p', truth]], [query(['p'], 'p')]),
      frame('e', 'S2', [['p', truth]], [query([])]), // absent-target query: not an AVSS item
    ];
    const r = avssProtocol(scoredItems(frames, [
      pred('a', [truth]),
      pred('b', [truth], true), // flagged absent → 0
      pred('c', [[100, 100, 120, 140], truth]), // best box wrong → 0 even though the 2nd is right
      pred('e', [truth]),
      // d: missing → 0
    ]));
    expect(r.items).toBe(4);
    expect(r.sequences).toEqual([{ sequence: 'S1', items: 2, meanIoU: 0.5 }, { sequence: 'S2', items: 2, meanIoU: 0 }]);
    expect(r.meanIoU).toBeCloseTo(0.25, 12);
    expect(r.shareIoU04).toBeCloseTo(0.25, 12);
  });

  it('applies the pixel-inclusive formula to challenge boxes or to stored numbers', () => {
    const truth: [number, number, number, number] = [0, 0, 10, 10];
    const guess: [number, number, number, number] = [5, 0, 15, 10];
    const items = scoredItems([frame('a', 'S', [['p', truth]], [query(['p'], 'p')])], [pred('a', [guess])]);
    expect(avssProtocol(items).meanIoU).toBeCloseTo(50 / 150, 12);
    expect(avssProtocol(items, { boxConvention: 'as-stored-inclusive' }).meanIoU).toBeCloseTo(66 / 176, 12);
  });

  it('uses the target box, not another matching person', () => {
    const truth: [number, number, number, number] = [0, 0, 10, 10];
    const other: [number, number, number, number] = [50, 0, 60, 10];
    const items = scoredItems([frame('a', 'S', [['p', truth], ['q', other]], [query(['p', 'q'], 'p')])], [pred('a', [other])]);
    expect(avssProtocol(items).meanIoU).toBe(0);
  });
});
