/**
 * The baseline's "absent" threshold, chosen on held-out frames: the best candidate's cosine for
 * present-target queries should sit above it, for absent-target queries below. The threshold
 * maximises balanced accuracy ((share of present kept + share of absent rejected) / 2).
 */
import { join } from 'node:path';
import { codesToSlotArray } from '../attributes/schema';
import type { FrameAnnotation } from '../dataset/format';
import { throwIfCancelled } from '../jobs/progress';
import { loadFrameTensor } from './frames';
import type { BaselinePredictor } from './predictor';
import { rankCosSim } from './ranking';

export interface ThresholdChoice {
  threshold: number;
  balancedAccuracy: number;
  present: number;
  absent: number;
}

export function chooseAbsentThreshold(present: number[], absent: number[]): ThresholdChoice | undefined {
  if (present.length === 0 || absent.length === 0) return undefined;
  const values = [...new Set([...present, ...absent])].sort((a, b) => a - b);
  const candidates = [values[0]! - 1e-6, ...values.slice(1).map((v, i) => (v + values[i]!) / 2), values[values.length - 1]! + 1e-6];
  let best: ThresholdChoice | undefined;
  for (const t of candidates) {
    const kept = present.filter((v) => v >= t).length / present.length;
    const rejected = absent.filter((v) => v < t).length / absent.length;
    const balancedAccuracy = (kept + rejected) / 2;
    if (!best || balancedAccuracy > best.balancedAccuracy + 1e-12) best = { threshold: Math.min(1, Math.max(0, t)), balancedAccuracy, present: present.length, absent: absent.length };
  }
  return best;
}

/** Best-candidate cosines of present- and absent-target queries on up to `limit` labelled frames. */
export async function collectBestCosines(
  predictor: BaselinePredictor, datasetDir: string, frames: FrameAnnotation[], limit = 64, signal?: AbortSignal,
): Promise<{ present: number[]; absent: number[] }> {
  const present: number[] = [];
  const absent: number[] = [];
  for (const f of frames.filter((x) => x.labelled).slice(0, limit)) {
    throwIfCancelled(signal, 'Baseline calibration');
    const t = await loadFrameTensor(join(datasetDir, f.image));
    const [analysis] = await predictor.analyse([t]);
    t.dispose();
    for (const q of f.queries) {
      const ranked = rankCosSim({ probs: analysis!.probs, detScores: analysis!.detections.map((d) => d.score) }, codesToSlotArray(q.attributes));
      const best = ranked[0]?.cosine ?? 0;
      (q.matches.length ? present : absent).push(best);
    }
  }
  return { present, absent };
}
