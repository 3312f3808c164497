/**
 * Recall by viewing condition: how tall the target is in the frame, how many people share the
 * frame, how much of the target is visible. The model card's "what it is good for" rests on these:
 * an investigator can tell whether a camera's people are in the range where the model finds them.
 *
 * Over present-target queries (any-match rule, IoU > 0.5, as the paper's R@n): the target's size
 * and visibility are those of the query's own target (else its first matching person).
 */
import type { Box, Person } from '../dataset/format';
import { isPresentTarget, type ScoredItem } from './lookup';
import { isHit } from './paper';
import type { ConditionRecall } from './types';

export const CONDITION_IOU = 0.5;

interface Bucket { label: string; lo: number; hi: number }

/** Target box height as a share of the frame height. */
const HEIGHT_BUCKETS: Bucket[] = [
  { label: 'under 10 % of the frame height', lo: 0, hi: 0.1 },
  { label: '10–20 %', lo: 0.1, hi: 0.2 },
  { label: '20–35 %', lo: 0.2, hi: 0.35 },
  { label: '35 % or more', lo: 0.35, hi: Infinity },
];
/** Labelled people in the frame. */
const CROWD_BUCKETS: Bucket[] = [
  { label: '1–3 people in the frame', lo: 1, hi: 4 },
  { label: '4–8', lo: 4, hi: 9 },
  { label: '9–15', lo: 9, hi: 16 },
  { label: '16 or more', lo: 16, hi: Infinity },
];
/** Visible share of the target (1 = unoccluded); frames without visibility are left out. */
const VISIBILITY_BUCKETS: Bucket[] = [
  { label: 'under 70 % visible', lo: 0, hi: 0.7 },
  { label: '70–95 %', lo: 0.7, hi: 0.95 },
  { label: '95 % or more', lo: 0.95, hi: Infinity },
];

function targetPerson(item: ScoredItem): Person | undefined {
  const id = item.query.target ?? item.query.matches[0];
  return item.frame.persons.find((p) => p.id === id);
}

const boxHeight = (b: Box): number => b[3] - b[1];

export function conditionBreakdown(items: ScoredItem[]): ConditionRecall[] {
  const present = items.filter(isPresentTarget);
  const scored = present.map((item) => ({
    item,
    person: targetPerson(item),
    at1: isHit(item.prediction.candidates, item.matchBoxes, 1, CONDITION_IOU),
    at5: isHit(item.prediction.candidates, item.matchBoxes, 5, CONDITION_IOU),
  }));
  const rows: ConditionRecall[] = [];
  const add = (dimension: ConditionRecall['dimension'], buckets: Bucket[], value: (s: (typeof scored)[number]) => number | undefined) => {
    for (const b of buckets) {
      const inBucket = scored.filter((s) => {
        const v = value(s);
        return v !== undefined && v >= b.lo && v < b.hi;
      });
      rows.push({
        dimension, label: b.label, queries: inBucket.length,
        recallAt1: inBucket.length ? inBucket.filter((s) => s.at1).length / inBucket.length : 0,
        recallAt5: inBucket.length ? inBucket.filter((s) => s.at5).length / inBucket.length : 0,
      });
    }
  };
  add('targetHeight', HEIGHT_BUCKETS, (s) => (s.person && s.item.frame.height > 0 ? boxHeight(s.person.box) / s.item.frame.height : undefined));
  add('crowd', CROWD_BUCKETS, (s) => s.item.frame.persons.length);
  add('visibility', VISIBILITY_BUCKETS, (s) => s.person?.visibility);
  return rows;
}
