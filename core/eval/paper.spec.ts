import { describe, expect, it } from 'vitest';
import { scoredItems } from './lookup';
import { findCell, paperProtocol } from './paper';
import { frame, pred, query } from './testFrames';

describe('paper protocol R@n, IoU > m', () => {
  const truth: [number, number, number, number] = [0, 0, 10, 10];
  // Boxes shifted right by d have IoU (10−d)/(10+d) with the truth.
  const shifted = (d: number): [number, number, number, number] => [d, 0, 10 + d, 10];

  it('uses strict IoU > m at the boundary', () => {
    // d = 10/3 → IoU exactly 0.5: a hit at 0.4, a miss at 0.5 and 0.6.
    const f = frame('f', 's', [['p', truth]], [query(['p'], 'p')]);
    const r = paperProtocol(scoredItems([f], [pred('f', [shifted(10 / 3)])]));
    expect(findCell(r.anyMatch, 1, 0.4)!.hits).toBe(1);
    expect(findCell(r.anyMatch, 1, 0.5)!.hits).toBe(0);
    expect(findCell(r.anyMatch, 1, 0.6)!.hits).toBe(0);
  });

  it('counts a hit at R@5 but not R@1 when the right box is ranked third, and ignores the sixth', () => {
    const far: [number, number, number, number] = [100, 50, 110, 60];
    const f1 = frame('a', 's', [['p', truth]], [query(['p'], 'p')]);
    const f2 = frame('b', 's', [['p', truth]], [query(['p'], 'p')]);
    const r = paperProtocol(scoredItems([f1, f2], [
      pred('a', [far, far, truth]),
      pred('b', [far, far, far, far, far, truth]),
    ]));
    expect(findCell(r.anyMatch, 1, 0.5)).toMatchObject({ hits: 0, total: 2, recall: 0 });
    expect(findCell(r.anyMatch, 5, 0.5)).toMatchObject({ hits: 1, total: 2, recall: 0.5 });
  });

  it('accepts any matching person under anyMatch but only the target under the target rule', () => {
    const other: [number, number, number, number] = [50, 0, 60, 10];
    const f = frame('f', 's', [['p', truth], ['q', other], ['x', [100, 0, 110, 10]]], [query(['p', 'q'], 'p')]);
    const r = paperProtocol(scoredItems([f], [pred('f', [other])]));
    expect(findCell(r.anyMatch, 1, 0.6)!.recall).toBe(1);
    expect(findCell(r.target, 1, 0.4)!.recall).toBe(0);
  });

  it('the anyPerson diagnostic counts a box on a person the query does not fit, which anyMatch does not', () => {
    const bystander: [number, number, number, number] = [100, 0, 110, 10];
    const f = frame('f', 's', [['p', truth], ['x', bystander]], [query(['p'], 'p')]);
    const onBystander = paperProtocol(scoredItems([f], [pred('f', [bystander])]));
    expect(findCell(onBystander.anyMatch, 1, 0.5)!.recall).toBe(0);
    expect(findCell(onBystander.anyPerson, 1, 0.5)!.recall).toBe(1);
    const onNobody = paperProtocol(scoredItems([f], [pred('f', [[50, 50, 60, 60]])]));
    expect(findCell(onNobody.anyPerson, 1, 0.5)!.recall).toBe(0);
  });

  it('scores only labelled frames with a present target, ignores the absent flag, and counts missing predictions as misses', () => {
    const frames = [
      frame('u', 's', [['p', truth]], [query(['p'], 'p')], false), // unlabelled: never counted
      frame('n', 's', [['p', truth]], [query([])]), // absent target: not in recall
      frame('t', 's', [['p', truth]], [query(['p'], 'p')]), // flagged absent but ranked right: a hit
      frame('m', 's', [['p', truth]], [query(['p'], 'p')]), // no prediction at all
    ];
    const r = paperProtocol(scoredItems(frames, [pred('u', [truth]), pred('n', [truth]), pred('t', [truth], true)]));
    expect(r.queries).toBe(2);
    expect(findCell(r.anyMatch, 1, 0.6)).toMatchObject({ hits: 1, total: 2 });
  });
});
