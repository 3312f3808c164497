/**
 * Per-attribute recall and absent-target handling.
 *
 * Per attribute: R@1 at IoU > 0.5 (any-match rule) over the present-target queries that state the
 * attribute (a known code); per value when at least `minValueCount` queries state that value.
 * Absent targets: a query with no matching person must be answered "absent"; the false-positive
 * rate is the share of such queries that got a box. The miss rate is the share of present-target
 * queries that the engine's threshold turned into "absent".
 */
import { ATTRIBUTES, UNKNOWN, displayValue } from '../attributes/schema';
import { isAbsentTarget, isPresentTarget, type ScoredItem } from './lookup';
import { isHit } from './paper';
import type { AbsentResult, AttributeRecall } from './types';

export const BREAKDOWN_N = 1;
export const BREAKDOWN_IOU = 0.5;

export function attributeBreakdown(items: ScoredItem[], minValueCount = 10): AttributeRecall[] {
  const present = items.filter(isPresentTarget);
  const hit = new Map(present.map((i) => [i, isHit(i.prediction.candidates, i.matchBoxes, BREAKDOWN_N, BREAKDOWN_IOU)]));
  return ATTRIBUTES.map((def) => {
    const stating = present.filter((i) => {
      const code = i.query.attributes[def.key];
      return code !== undefined && code !== UNKNOWN;
    });
    const byValue = new Map<number, ScoredItem[]>();
    for (const i of stating) {
      const code = i.query.attributes[def.key]!;
      byValue.set(code, [...(byValue.get(code) ?? []), i]);
    }
    const hits = (list: ScoredItem[]) => list.filter((i) => hit.get(i)).length;
    return {
      key: def.key,
      label: def.label,
      queries: stating.length,
      recall: stating.length ? hits(stating) / stating.length : 0,
      values: [...byValue.entries()]
        .filter(([, list]) => list.length >= minValueCount)
        .sort(([a], [b]) => a - b)
        .map(([code, list]) => ({ code, value: displayValue(def.key, code), queries: list.length, recall: hits(list) / list.length })),
    };
  });
}

export function absentHandling(items: ScoredItem[]): AbsentResult {
  const absent = items.filter(isAbsentTarget);
  const present = items.filter(isPresentTarget);
  // A box was returned when the engine did not flag absent and gave at least one candidate.
  const falsePositives = absent.filter((i) => !i.prediction.absent && i.prediction.candidates.length > 0).length;
  const missed = present.filter((i) => i.prediction.absent || i.prediction.candidates.length === 0).length;
  return {
    absentQueries: absent.length,
    falsePositives,
    falsePositiveRate: absent.length ? falsePositives / absent.length : 0,
    presentQueries: present.length,
    missedByThreshold: missed,
    missRate: present.length ? missed / present.length : 0,
  };
}
