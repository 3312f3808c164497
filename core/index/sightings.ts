/**
 * Merging per-frame hits into sightings: time ranges where the same person matches in
 * consecutive sampled frames. Hits are linked frame to frame by box IoU within a time gap
 * (greedy, best IoU first); a track not extended for longer than the gap ends. Pure functions.
 */
import { iou, type Box } from '../model/boxes';

export interface FrameHit { confidence: number; box: Box; cell: number }

export interface FrameHits {
  /** Position of the frame in its index. */
  frame: number;
  timeS: number;
  /** Hits at or above the threshold, after NMS. */
  hits: FrameHit[];
}

export interface TrackPoint { frame: number; t: number; box: Box; score: number }

export interface Sighting {
  startS: number;
  endS: number;
  peakS: number;
  peakFrame: number;
  peakBox: Box;
  /** The sighting's score: its peak confidence. */
  score: number;
  meanConfidence: number;
  track: TrackPoint[];
}

export interface MergeOptions {
  /** Minimum IoU between a track's last box and a new hit to link them (default 0.2). */
  linkIou?: number;
  /** Largest time between two linked hits, seconds (default 1.0: tolerates a few missed samples at 5/s). */
  maxGapS?: number;
  /** Drop sightings with fewer hits (default 1). */
  minFrames?: number;
}

interface Track { points: TrackPoint[]; last: TrackPoint }

function toSighting(tr: Track): Sighting {
  let peak = tr.points[0]!;
  let sum = 0;
  for (const p of tr.points) { sum += p.score; if (p.score > peak.score) peak = p; }
  return {
    startS: tr.points[0]!.t, endS: tr.last.t, peakS: peak.t, peakFrame: peak.frame, peakBox: peak.box, score: peak.score,
    meanConfidence: sum / tr.points.length, track: tr.points,
  };
}

/** Ranked best first (score, then earlier start). `frames` must be in time order. */
export function mergeSightings(frames: readonly FrameHits[], opts: MergeOptions = {}): Sighting[] {
  const linkIou = opts.linkIou ?? 0.2;
  const maxGap = opts.maxGapS ?? 1.0;
  const minFrames = opts.minFrames ?? 1;
  const active: Track[] = [];
  const closed: Track[] = [];
  let prevT = -Infinity;
  for (const f of frames) {
    if (f.timeS < prevT) throw new Error(`frames must be in time order (${f.timeS} after ${prevT})`);
    prevT = f.timeS;
    for (let i = active.length - 1; i >= 0; i--) {
      if (f.timeS - active[i]!.last.t > maxGap + 1e-9) closed.push(...active.splice(i, 1));
    }
    const pairs: Array<[number, number, number]> = [];
    active.forEach((tr, ti) => f.hits.forEach((h, hi) => {
      const o = iou(tr.last.box, h.box);
      if (o >= linkIou && tr.last.t < f.timeS) pairs.push([o, ti, hi]);
    }));
    pairs.sort((a, b) => b[0] - a[0] || a[1] - b[1] || a[2] - b[2]);
    const usedT = new Set<number>();
    const usedH = new Set<number>();
    for (const [, ti, hi] of pairs) {
      if (usedT.has(ti) || usedH.has(hi)) continue;
      usedT.add(ti);
      usedH.add(hi);
      const h = f.hits[hi]!;
      const p = { frame: f.frame, t: f.timeS, box: h.box, score: h.confidence };
      active[ti]!.points.push(p);
      active[ti]!.last = p;
    }
    f.hits.forEach((h, hi) => {
      if (usedH.has(hi)) return;
      const p = { frame: f.frame, t: f.timeS, box: h.box, score: h.confidence };
      active.push({ points: [p], last: p });
    });
  }
  return [...closed, ...active]
    .filter((t) => t.points.length >= minFrames)
    .map(toSighting)
    .sort((a, b) => b.score - a.score || a.startS - b.startS);
}

/** Overlap of two time ranges as intersection over union (a single-frame range counts as `pad` long). */
export function timeIou(a: [number, number], b: [number, number], pad = 0): number {
  const [a0, a1] = [a[0] - pad / 2, a[1] + pad / 2];
  const [b0, b1] = [b[0] - pad / 2, b[1] + pad / 2];
  const inter = Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));
  const union = Math.max(a1, b1) - Math.min(a0, b0);
  return union > 0 ? inter / union : 0;
}
