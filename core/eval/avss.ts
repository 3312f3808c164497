/**
 * The AVSS 2018 challenge protocol (task 2), as its official evaluator scores it:
 * - per scored item (a labelled frame's present-target query), the IoU of the engine's single best
 *   box with the target's box; no prediction, no candidate or an "absent" answer scores IoU 0;
 * - box areas are pixel-inclusive (+1);
 * - "Average IoU" = unweighted mean over sequences of each sequence's mean IoU;
 * - "%w IoU>0.4" = share of all scored items (frame-weighted) with IoU ≥ 0.4.
 *
 * Box convention: our boxes are right/bottom exclusive floats. By default both boxes go through
 * `toChallengeBox` (what an AVSS CSV export writes) before the inclusive formula, so the figure is
 * what the official evaluator would print for our exported results. 'as-stored-inclusive' applies
 * the formula to the stored numbers directly (for boxes already in challenge form).
 */
import type { Box } from '../dataset/format';
import { iouInclusive, toChallengeBox } from './iou';
import { isPresentTarget, type ScoredItem } from './lookup';
import type { AvssProtocolResult, AvssSequenceResult } from './types';

export interface AvssOptions {
  boxConvention?: AvssProtocolResult['boxConvention'];
}

/** IoU of the item's answer under the challenge rules. */
export function avssItemIoU(item: ScoredItem, boxConvention: AvssProtocolResult['boxConvention'] = 'challenge-inclusive'): number {
  const best = item.prediction.candidates[0];
  const truth = item.targetBox ?? item.matchBoxes[0];
  if (item.prediction.absent || !best || !truth) return 0;
  const conv = (b: Box) => (boxConvention === 'challenge-inclusive' ? toChallengeBox(b) : b);
  return iouInclusive(conv(best.box), conv(truth));
}

/** Per-sequence mean and the two headline figures from per-item IoUs. */
export function aggregateAvss(
  perItem: Array<{ sequence: string; iou: number }>,
  boxConvention: AvssProtocolResult['boxConvention'] = 'challenge-inclusive',
): AvssProtocolResult {
  const bySequence = new Map<string, number[]>();
  for (const { sequence, iou } of perItem) {
    const list = bySequence.get(sequence) ?? [];
    list.push(iou);
    bySequence.set(sequence, list);
  }
  const sequences: AvssSequenceResult[] = [...bySequence.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([sequence, ious]) => ({ sequence, items: ious.length, meanIoU: ious.reduce((s, v) => s + v, 0) / ious.length }));
  const meanIoU = sequences.length ? sequences.reduce((s, q) => s + q.meanIoU, 0) / sequences.length : 0;
  const over = perItem.filter((p) => p.iou >= 0.4).length;
  return {
    meanIoU,
    shareIoU04: perItem.length ? over / perItem.length : 0,
    items: perItem.length,
    sequences,
    boxConvention,
  };
}

export function avssProtocol(items: ScoredItem[], options: AvssOptions = {}): AvssProtocolResult {
  const convention = options.boxConvention ?? 'challenge-inclusive';
  const perItem = items
    .filter(isPresentTarget)
    .map((item) => ({ sequence: item.frame.sequence, iou: avssItemIoU(item, convention) }));
  return aggregateAvss(perItem, convention);
}
