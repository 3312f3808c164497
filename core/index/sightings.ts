/**
 * Merging per-frame hits into sightings: time ranges where the same person matches in
 * consecutive sampled frames. Hits are linked frame to frame within a time gap (greedy, best link
 * first) by box IoU or, for a box that moved further than IoU allows, by how far its centre moved
 * for its size; a track not extended for longer than the gap ends. Hysteresis: a track may grow
 * through hits down to `extendConfidence` but is a sighting only if one of its hits reaches
 * `threshold`. Sightings are ranked by support, the mean of the track's best SUPPORT_FRAMES
 * confidences (missing frames count 0), so a person matched in several frames outranks a one-frame
 * spike. Why, with measurements: core/index/README.md (*Sightings*). Pure functions.
 */
import { iou, type Box } from '../model/boxes';

export interface FrameHit { confidence: number; box: Box; cell: number }

export interface FrameHits {
  /** Position of the frame in its index. */
  frame: number;
  timeS: number;
  /** Hits at or above the search's floor (its extend confidence), after NMS. */
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
  /** What sightings are ranked by: trackSupport(track). */
  support: number;
  track: TrackPoint[];
}

export interface MergeOptions {
  /** A track is a sighting only if one of its hits reaches this confidence (default 0: any hit). */
  threshold?: number;
  /** Hits down to this confidence extend a track (default `threshold`; hits below it are ignored). */
  extendConfidence?: number;
  /** Minimum IoU between a track's last box and a new hit to link them (default 0.2). */
  linkIou?: number;
  /**
   * Below linkIou, a hit still links if its centre moved at most linkSpeed box sizes (√(w·h) of the
   * track's last box) per second since that box (over at least one 0.2-s sample) and its size is
   * within 2× (default 2.5; 0 = IoU only).
   */
  linkSpeed?: number;
  /** Largest time between two linked hits, seconds (default 1.0: tolerates a few missed samples at 5/s). */
  maxGapS?: number;
  /** Drop sightings with fewer hits (default 1). */
  minFrames?: number;
}

interface Track { points: TrackPoint[]; last: TrackPoint }

/** Default MergeOptions.linkSpeed, box sizes per second. */
export const DEFAULT_LINK_SPEED = 2.5;

/** Frames whose confidences a sighting's support averages. */
export const SUPPORT_FRAMES = 5;

/** Mean of the best SUPPORT_FRAMES confidences of a track; a shorter track's missing frames count 0. */
export function trackSupport(track: readonly { score: number }[]): number {
  const best = track.map((p) => p.score).sort((a, b) => b - a).slice(0, SUPPORT_FRAMES);
  return best.reduce((a, b) => a + b, 0) / SUPPORT_FRAMES;
}

/** trackSupport of a stored track; null when it has no per-frame scores (sightings stored before those were). */
export function storedTrackSupport(track: readonly { score?: number }[]): number | null {
  return track.length > 0 && track.every((p) => typeof p.score === 'number') ? trackSupport(track as Array<{ score: number }>) : null;
}

function toSighting(tr: Track): Sighting {
  let peak = tr.points[0]!;
  let sum = 0;
  for (const p of tr.points) { sum += p.score; if (p.score > peak.score) peak = p; }
  return {
    startS: tr.points[0]!.t, endS: tr.last.t, peakS: peak.t, peakFrame: peak.frame, peakBox: peak.box, score: peak.score,
    meanConfidence: sum / tr.points.length, support: trackSupport(tr.points), track: tr.points,
  };
}

/** Shortest time a centre's movement is judged over: one sample at the default 5 frames/s. */
const MIN_LINK_DT_S = 0.2;

/**
 * How well a hit continues a track (higher is better; < 0: not at all). IoU links rank above
 * centre-distance links, so a box that overlaps is always preferred to one that merely moved close.
 */
function linkStrength(last: TrackPoint, box: Box, t: number, linkIou: number, linkSpeed: number): number {
  const overlap = iou(last.box, box);
  if (overlap >= linkIou) return 1 + overlap;
  if (linkSpeed <= 0) return -1;
  const [a, b] = [last.box, box];
  const sizeA = Math.sqrt(Math.max(1e-9, (a[2] - a[0]) * (a[3] - a[1])));
  const sizeB = Math.sqrt(Math.max(1e-9, (b[2] - b[0]) * (b[3] - b[1])));
  if (sizeB > 2 * sizeA || sizeA > 2 * sizeB) return -1;
  const moved = Math.hypot((a[0] + a[2] - b[0] - b[2]) / 2, (a[1] + a[3] - b[1] - b[3]) / 2) / sizeA;
  const allowed = linkSpeed * Math.max(t - last.t, MIN_LINK_DT_S);
  return moved <= allowed ? 1 - moved / allowed : -1;
}

/** Ranked best first (support, then peak score, then earlier start). `frames` must be in time order. */
export function mergeSightings(frames: readonly FrameHits[], opts: MergeOptions = {}): Sighting[] {
  const threshold = opts.threshold ?? 0;
  const extend = Math.min(threshold, opts.extendConfidence ?? threshold);
  const linkIou = opts.linkIou ?? 0.2;
  const linkSpeed = opts.linkSpeed ?? DEFAULT_LINK_SPEED;
  const maxGap = opts.maxGapS ?? 1.0;
  const minFrames = opts.minFrames ?? 1;
  const active: Track[] = [];
  const closed: Track[] = [];
  // Scratch reused from frame to frame: links, their order, and which tracks and hits are taken.
  const pairs: number[] = [];
  const order: number[] = [];
  const byLink = (a: number, b: number) => pairs[b]! - pairs[a]! || pairs[a + 1]! - pairs[b + 1]! || pairs[a + 2]! - pairs[b + 2]!;
  let usedT = new Uint8Array(16);
  let usedH = new Uint8Array(16);
  let prevT = -Infinity;
  for (const f of frames) {
    if (f.timeS < prevT) throw new Error(`frames must be in time order (${f.timeS} after ${prevT})`);
    prevT = f.timeS;
    for (let i = active.length - 1; i >= 0; i--) {
      if (f.timeS - active[i]!.last.t > maxGap + 1e-9) closed.push(...active.splice(i, 1));
    }
    const hits: FrameHit[] = [];
    for (const h of f.hits) if (h.confidence >= extend) hits.push(h);
    // Every (track, hit) link that may be made, as [strength, track, hit] flattened.
    pairs.length = 0;
    for (let ti = 0; ti < active.length; ti++) {
      const last = active[ti]!.last;
      if (!(last.t < f.timeS)) continue;
      for (let hi = 0; hi < hits.length; hi++) {
        const strength = linkStrength(last, hits[hi]!.box, f.timeS, linkIou, linkSpeed);
        if (strength >= 0) pairs.push(strength, ti, hi);
      }
    }
    // Best link first (then lower track, then lower hit), greedily, each track and hit used once.
    order.length = 0;
    for (let k = 0; k < pairs.length; k += 3) order.push(k);
    order.sort(byLink);
    usedT.fill(0, 0, active.length);
    if (usedT.length < active.length) usedT = new Uint8Array(2 * active.length);
    if (usedH.length < hits.length) usedH = new Uint8Array(2 * hits.length);
    usedH.fill(0, 0, hits.length);
    for (const k of order) {
      const ti = pairs[k + 1]!, hi = pairs[k + 2]!;
      if (usedT[ti] || usedH[hi]) continue;
      usedT[ti] = 1;
      usedH[hi] = 1;
      const h = hits[hi]!;
      const p = { frame: f.frame, t: f.timeS, box: h.box, score: h.confidence };
      active[ti]!.points.push(p);
      active[ti]!.last = p;
    }
    for (let hi = 0; hi < hits.length; hi++) {
      if (usedH[hi]) continue;
      const h = hits[hi]!;
      const p = { frame: f.frame, t: f.timeS, box: h.box, score: h.confidence };
      active.push({ points: [p], last: p });
    }
  }
  return [...closed, ...active]
    .filter((t) => t.points.length >= minFrames && t.points.some((p) => p.score >= threshold))
    .map(toSighting)
    .sort(bySightingRank);
}

/** The ranking of sightings: support, then peak score, then earlier start. */
export function bySightingRank(a: Sighting, b: Sighting): number {
  return b.support - a.support || b.score - a.score || a.startS - b.startS;
}

/** Overlap of two time ranges as intersection over union (a single-frame range counts as `pad` long). */
export function timeIou(a: [number, number], b: [number, number], pad = 0): number {
  const [a0, a1] = [a[0] - pad / 2, a[1] + pad / 2];
  const [b0, b1] = [b[0] - pad / 2, b[1] + pad / 2];
  const inter = Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));
  const union = Math.max(a1, b1) - Math.min(a0, b0);
  return union > 0 ? inter / union : 0;
}
