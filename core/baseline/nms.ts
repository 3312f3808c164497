/** Greedy non-maximum suppression on plain arrays (boxes [l, t, r, b]). */
import type { Box } from '../dataset/format';
import { iou } from '../eval/iou';

export interface Detection { box: Box; score: number }

export function nonMaxSuppression(dets: Detection[], iouThreshold: number, maxOut: number): Detection[] {
  const sorted = [...dets].sort((a, b) => b.score - a.score);
  const kept: Detection[] = [];
  for (const d of sorted) {
    if (kept.length >= maxOut) break;
    if (kept.every((k) => iou(k.box, d.box) <= iouThreshold)) kept.push(d);
  }
  return kept;
}
