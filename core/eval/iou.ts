/**
 * Box overlap. Two conventions:
 * - `iou`: the dataset's — [l, t, r, b] with right/bottom exclusive, continuous areas (r−l)(b−t).
 * - `iouInclusive`: the AVSS 2018 challenge evaluator's — right/bottom are the last pixel inside the
 *   box, so widths and heights get +1 (a box [5,5,5,5] is one pixel).
 */
import type { Box } from '../dataset/format';

export function iou(a: Box, b: Box): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const areaA = Math.max(0, a[2] - a[0]) * Math.max(0, a[3] - a[1]);
  const areaB = Math.max(0, b[2] - b[0]) * Math.max(0, b[3] - b[1]);
  const union = areaA + areaB - inter;
  return union > 0 ? inter / union : 0;
}

export function iouInclusive(a: Box, b: Box): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]) + 1;
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]) + 1;
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const areaA = Math.max(0, a[2] - a[0] + 1) * Math.max(0, a[3] - a[1] + 1);
  const areaB = Math.max(0, b[2] - b[0] + 1) * Math.max(0, b[3] - b[1] + 1);
  const union = areaA + areaB - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * The box as an AVSS challenge CSV line states it: integer pixels, right/bottom inclusive.
 * Scoring our exclusive boxes through this conversion and `iouInclusive` gives exactly what the
 * official evaluator prints for our exported CSV against ground truth exported the same way.
 */
export function toChallengeBox(box: Box): Box {
  return [Math.round(box[0]), Math.round(box[1]), Math.round(box[2]) - 1, Math.round(box[3]) - 1];
}
