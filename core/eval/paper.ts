/**
 * The FastPR paper's protocol (§4.1): R@n at IoU > m for n ∈ {1, 5}, m ∈ {0.4, 0.5, 0.6}.
 *
 * Counted: every query with a present target on a labelled frame. A query is correct at R@n, IoU > m
 * when one of its top-n candidate boxes has IoU strictly greater than m with
 * - `anyMatch`: any person the query matches (fuzzy retrieval: a partial query that fits three
 *   people is answered correctly by any of them), or
 * - `target`: the person the query was written for;
 * - `anyPerson` (a diagnostic): any person in the frame, the query ignored — detection alone.
 * Recall scores the ranking: the absent flag is ignored here (the paper's R@n has no threshold);
 * what thresholding costs is reported separately as the miss rate (absent.ts) and folded into the
 * AVSS protocol, where an absent answer scores IoU 0.
 */
import type { Box } from '../dataset/format';
import { iou } from './iou';
import { isPresentTarget, type ScoredItem } from './lookup';
import { RECALL_IOUS, RECALL_NS, type PaperProtocolResult, type RecallCell, type ScoredBox } from './types';

/** Best IoU of any of the first n candidates with any of the ground-truth boxes. */
export function bestIoUInTopN(candidates: ScoredBox[], truths: Box[], n: number): number {
  let best = 0;
  for (const c of candidates.slice(0, n)) for (const t of truths) best = Math.max(best, iou(c.box, t));
  return best;
}

export function isHit(candidates: ScoredBox[], truths: Box[], n: number, iouThreshold: number): boolean {
  return bestIoUInTopN(candidates, truths, n) > iouThreshold;
}

export function recallCells(
  items: ScoredItem[],
  truthsOf: (item: ScoredItem) => Box[],
  ns: readonly number[] = RECALL_NS,
  ious: readonly number[] = RECALL_IOUS,
): RecallCell[] {
  const cells: RecallCell[] = [];
  for (const n of ns) {
    for (const m of ious) {
      let hits = 0;
      for (const item of items) if (isHit(item.prediction.candidates, truthsOf(item), n, m)) hits++;
      cells.push({ n, iou: m, hits, total: items.length, recall: items.length ? hits / items.length : 0 });
    }
  }
  return cells;
}

export function paperProtocol(items: ScoredItem[]): PaperProtocolResult {
  const present = items.filter(isPresentTarget);
  return {
    anyMatch: recallCells(present, (i) => i.matchBoxes),
    target: recallCells(present, (i) => (i.targetBox ? [i.targetBox] : i.matchBoxes)),
    anyPerson: recallCells(present, (i) => i.frame.persons.map((p) => p.box)),
    queries: present.length,
  };
}

export function findCell(cells: RecallCell[], n: number, iouThreshold: number): RecallCell | undefined {
  return cells.find((c) => c.n === n && Math.abs(c.iou - iouThreshold) < 1e-9);
}
