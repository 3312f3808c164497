/**
 * Scoring sightings against a synthetic clip's ground truth (annotations.jsonl): the clip's query
 * and target, where the target is visible, and how much of that the sightings recover.
 */
import type { AttributeCodes } from '../attributes/schema';
import type { Dataset } from '../dataset/reader';
import { iou, type Box } from '../model/boxes';
import type { Sighting } from './sightings';

export interface ClipTruth {
  sequence: string;
  query: AttributeCodes;
  queryText?: string;
  target: string;
  /** Every frame with the target's box, in time order. */
  visible: Array<{ t: number; box: Box }>;
  /** Time ranges where the target is visible (frames closer than `gapS` joined). */
  ranges: Array<[number, number]>;
  /** Attribute codes no person of the clip matches (an "absent" query), when one was found. */
  absentQuery?: AttributeCodes;
}

export function clipTruth(ds: Dataset, sequence: string, gapS = 0.5): ClipTruth | undefined {
  const frames = ds.frames.filter((f) => f.sequence === sequence).sort((a, b) => (a.time ?? 0) - (b.time ?? 0));
  const counts = new Map<string, { n: number; q: NonNullable<(typeof frames)[number]['queries'][number]> }>();
  for (const f of frames) for (const q of f.queries) if (q.target) {
    const key = JSON.stringify([q.target, q.attributes]);
    counts.set(key, { n: (counts.get(key)?.n ?? 0) + 1, q });
  }
  const best = [...counts.values()].sort((a, b) => b.n - a.n)[0];
  if (!best) return undefined;
  const target = best.q.target!;
  const visible: ClipTruth['visible'] = [];
  for (const f of frames) {
    const p = f.persons.find((x) => x.id === target);
    if (p) visible.push({ t: f.time ?? 0, box: p.box as Box });
  }
  const ranges: Array<[number, number]> = [];
  for (const v of visible) {
    const last = ranges[ranges.length - 1];
    if (last && v.t - last[1] <= gapS) last[1] = v.t;
    else ranges.push([v.t, v.t]);
  }
  // An absent query: a torso colour nobody in the clip wears (with the target's gender when known).
  const worn = new Set<number>();
  for (const f of frames) for (const p of f.persons) {
    const c = (p.attributes as Record<string, number | undefined>).torsoColour;
    if (c !== undefined) worn.add(c);
  }
  const free = Array.from({ length: 11 }, (_, i) => i).find((c) => !worn.has(c));
  return {
    sequence, query: best.q.attributes as AttributeCodes, queryText: best.q.text, target, visible, ranges,
    absentQuery: free === undefined ? undefined : { torsoColour: free, legColour: free } as AttributeCodes,
  };
}

/** The target's annotation at sampled time t (within a millisecond), if it is visible then. */
export function targetAt(truth: ClipTruth, t: number): { t: number; box: Box } | undefined {
  return truth.visible.find((v) => Math.abs(v.t - t) < 1e-3);
}

/** How many of a sighting's track points box the target (IoU ≥ boxIou with its annotation at that time). */
export function framesOnTarget(truth: ClipTruth, s: Sighting, boxIou = 0.5): number {
  return s.track.filter((p) => { const gt = targetAt(truth, p.t); return gt !== undefined && iou(p.box, gt.box) >= boxIou; }).length;
}

export interface RecallReport {
  /** Share of sampled frames showing the target where a sighting has a box with IoU ≥ boxIou on it. */
  frameRecall: number;
  /** Share of visibility ranges overlapped (time IoU ≥ timeIouMin) by some sighting. */
  rangeRecall: number;
  framesScored: number;
}

export function scoreSightings(sightings: readonly Sighting[], truth: ClipTruth, sampledTimes: ArrayLike<number>, opts: { boxIou?: number; timeIouMin?: number; pad?: number } = {}): RecallReport {
  const boxIou = opts.boxIou ?? 0.5;
  const minT = opts.timeIouMin ?? 0.3;
  const pad = opts.pad ?? 0.2;
  const points = sightings.flatMap((s) => s.track);
  let scored = 0;
  let hit = 0;
  for (let i = 0; i < sampledTimes.length; i++) {
    const t = sampledTimes[i]!;
    const gt = targetAt(truth, t);
    if (!gt) continue;
    scored++;
    if (points.some((p) => Math.abs(p.t - t) < 1e-3 && iou(p.box, gt.box) >= boxIou)) hit++;
  }
  const tIou = (a: [number, number], b: [number, number]) => {
    const inter = Math.max(0, Math.min(a[1], b[1]) + pad / 2 - Math.max(a[0], b[0]) + pad / 2);
    const union = Math.max(a[1], b[1]) - Math.min(a[0], b[0]) + pad;
    return inter / union;
  };
  const covered = truth.ranges.filter((r) => sightings.some((s) => tIou([s.startS, s.endS], r) >= minT)).length;
  return { frameRecall: scored ? hit / scored : 0, rangeRecall: truth.ranges.length ? covered / truth.ranges.length : 0, framesScored: scored };
}
