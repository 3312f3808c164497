/**
 * The absent decision at other thresholds: for each candidate threshold, the share of absent-target
 * queries still answered with a box (false positives) and of present-target queries flagged absent
 * (misses), from the best candidate's score. The paper fixes 0.6; a model trained with another
 * confidence objective is calibrated differently, so the operating point is chosen from this sweep
 * on a validation split (never the test split) and stored with the export (`export-onnx --threshold`).
 */
import { isAbsentTarget, isPresentTarget, type ScoredItem } from './lookup';

export interface ThresholdPoint {
  threshold: number;
  falsePositiveRate: number;
  missRate: number;
}

export interface ThresholdSweep {
  points: ThresholdPoint[];
  /** The threshold minimising the balanced error (FPR + miss rate) / 2 (ties: the higher threshold). */
  balanced: ThresholdPoint | null;
}

export const SWEEP_THRESHOLDS = [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8, 0.9];

// The score "absent" was decided on: a re-ranking engine (core/rerank) orders its candidates by more
// than that score and says so; otherwise the best candidate's.
const bestScore = (i: ScoredItem) => i.prediction.confidence ?? i.prediction.candidates[0]?.score ?? Number.NEGATIVE_INFINITY;

export function thresholdSweep(items: ScoredItem[], thresholds: readonly number[] = SWEEP_THRESHOLDS): ThresholdSweep {
  const absent = items.filter(isAbsentTarget).map(bestScore);
  const present = items.filter(isPresentTarget).map(bestScore);
  if (absent.length === 0 || present.length === 0) return { points: [], balanced: null };
  const points = thresholds.map((threshold) => ({
    threshold,
    falsePositiveRate: absent.filter((s) => s >= threshold).length / absent.length,
    missRate: present.filter((s) => s < threshold).length / present.length,
  }));
  let balanced: ThresholdPoint | null = null;
  for (const p of points) {
    if (!balanced || p.falsePositiveRate + p.missRate <= balanced.falsePositiveRate + balanced.missRate) balanced = p;
  }
  return { points, balanced };
}
