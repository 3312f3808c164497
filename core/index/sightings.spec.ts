/** Sightings from hand-made per-frame hits: linking by IoU, motion and time gap, hysteresis, peaks, ranking by support. */
import { describe, expect, it } from 'vitest';
import type { Box } from '../model/boxes';
import { mergeSightings, storedTrackSupport, timeIou, trackSupport, type FrameHits } from './sightings';

const hit = (box: Box, confidence: number) => ({ box, confidence, cell: 0 });
function frames(spec: Array<[number, Array<[Box, number]>]>): FrameHits[] {
  return spec.map(([t, hits], i) => ({ frame: i, timeS: t, hits: hits.map(([b, c]) => hit(b, c)) }));
}

describe('mergeSightings', () => {
  it('links a moving box across consecutive frames and keeps two people apart', () => {
    const f = frames([
      [0.0, [[[10, 10, 50, 110], 0.7], [[300, 20, 340, 120], 0.65]]],
      [0.2, [[[14, 10, 54, 110], 0.9], [[296, 20, 336, 120], 0.66]]],
      [0.4, [[[18, 10, 58, 110], 0.8]]],
      [0.6, [[[300, 22, 340, 122], 0.95]]],
    ]);
    const s = mergeSightings(f, { maxGapS: 0.5 });
    expect(s).toHaveLength(2);
    // Ranked by support (mean of the five best confidences, missing ones 0): the left-hand person's
    // (0.9 + 0.8 + 0.7) / 5 = 0.48 beats the right-hand one's (0.95 + 0.66 + 0.65) / 5 = 0.452,
    // although the right-hand one has the higher peak.
    expect(s[0]).toMatchObject({ startS: 0, endS: 0.4, peakS: 0.2, peakFrame: 1, score: 0.9 });
    expect(s[0]!.meanConfidence).toBeCloseTo(0.8, 6);
    expect(s[0]!.support).toBeCloseTo(0.48, 6);
    expect(s[1]).toMatchObject({ startS: 0, endS: 0.6, peakS: 0.6, score: 0.95, peakBox: [300, 22, 340, 122] });
    expect(s[1]!.track.map((p) => p.t)).toEqual([0, 0.2, 0.6]);
    expect(s[1]!.support).toBeCloseTo(0.452, 6);
  });

  it('splits a track when the gap is too long or the box jumps', () => {
    const f = frames([
      [0, [[[10, 10, 50, 110], 0.7]]],
      [0.2, [[[12, 10, 52, 110], 0.7]]],
      [2.0, [[[12, 10, 52, 110], 0.8]]], // 1.8 s later: a new sighting
      [2.2, [[[400, 10, 440, 110], 0.75]]], // same time window, far away: another one
    ]);
    const s = mergeSightings(f, { maxGapS: 1 });
    // Support: two frames at 0.7 (0.28) rank above one at 0.8 (0.16) and one at 0.75 (0.15).
    expect(s.map((x) => [x.startS, x.endS])).toEqual([[0, 0.2], [2, 2], [2.2, 2.2]]);
    expect(mergeSightings(f, { maxGapS: 1, minFrames: 2 }).map((x) => [x.startS, x.endS])).toEqual([[0, 0.2]]);
    expect(mergeSightings(f, { maxGapS: 3 }).map((x) => x.track.length).sort()).toEqual([1, 3]);
  });

  it('gives each hit to at most one track (best IoU first) and refuses unordered frames', () => {
    const f = frames([
      [0, [[[0, 0, 40, 100], 0.7], [[30, 0, 70, 100], 0.7]]],
      [0.2, [[[28, 0, 68, 100], 0.9]]],
    ]);
    const s = mergeSightings(f);
    expect(s).toHaveLength(2);
    expect(s[0]!.track.map((p) => p.box[0])).toEqual([30, 28]);
    expect(s[1]!.track).toHaveLength(1);
    expect(() => mergeSightings([...f].reverse())).toThrow(/time order/);
    expect(mergeSightings([])).toEqual([]);
  });

  it('links a box that moved further than IoU allows when its centre moved within linkSpeed box sizes per second', () => {
    // 40×100 boxes: size √(40·100) = 63.25 px; at 2.5 sizes/s a 0.2-s step may move 31.6 px.
    const step = (dx: number, dt = 0.2, h = 100) => frames([[0, [[[0, 0, 40, 100], 0.7]]], [dt, [[[dx, 0, dx + 40, h], 0.7]]]]);
    expect(mergeSightings(step(30))).toHaveLength(1); // IoU 0.14 < 0.2, moved 0.47 sizes
    expect(mergeSightings(step(33))).toHaveLength(2); // moved 0.52 sizes
    expect(mergeSightings(step(30), { linkSpeed: 0 })).toHaveLength(2); // IoU only
    expect(mergeSightings(step(88, 0.6), { maxGapS: 1 })).toHaveLength(1); // over 0.6 s up to 1.5 sizes: 1.39
    expect(mergeSightings(step(96, 0.6), { maxGapS: 1 })).toHaveLength(2); // 1.52 sizes
    expect(mergeSightings(step(0, 0.2, 300))).toHaveLength(1); // same place, 3× the height: IoU 0.33 links whatever the size
    expect(mergeSightings(frames([[0, [[[0, 0, 40, 100], 0.7]]], [0.2, [[[25, 0, 65, 350], 0.7]]]]))).toHaveLength(2); // > 2× the size
  });

  it('prefers an overlapping box to one whose centre merely moved close', () => {
    const f = frames([
      [0, [[[0, 0, 40, 100], 0.7]]],
      [0.2, [[[25, 0, 65, 100], 0.6], [[10, 0, 50, 100], 0.5]]], // centre 0.4 sizes away vs IoU 0.6
    ]);
    const s = mergeSightings(f);
    const linked = s.find((x) => x.track.length === 2)!;
    expect(linked.track[1]!.box).toEqual([10, 0, 50, 100]);
  });

  it('extends a sighting through hits down to extendConfidence but needs one hit at the threshold', () => {
    const box: Box = [100, 50, 140, 150];
    const f = frames([
      [0.0, [[box, 0.12]]],
      [0.2, [[box, 0.25]]],
      [0.4, [[box, 0.11]]],
      [0.6, [[box, 0.14]]],
      [3.0, [[box, 0.15]]], // a later track of weak hits only: no sighting
      [3.2, [[box, 0.12]]],
      [3.4, [[box, 0.05]]], // below extendConfidence: ignored
    ]);
    const s = mergeSightings(f, { threshold: 0.2, extendConfidence: 0.1 });
    expect(s.map((x) => [x.startS, x.endS, x.track.length])).toEqual([[0, 0.6, 4]]);
    expect(s[0]!.score).toBe(0.25);
    // Without hysteresis only the hit at the threshold is a sighting.
    expect(mergeSightings(f, { threshold: 0.2 }).map((x) => [x.startS, x.endS])).toEqual([[0.2, 0.2]]);
    // extendConfidence above the threshold is capped at it.
    expect(mergeSightings(f, { threshold: 0.2, extendConfidence: 0.5 }).map((x) => [x.startS, x.endS])).toEqual([[0.2, 0.2]]);
  });

  it('trackSupport averages the five best confidences, counting missing frames as 0', () => {
    expect(trackSupport([{ score: 0.5 }])).toBeCloseTo(0.1, 9);
    expect(trackSupport([0.1, 0.9, 0.3, 0.8, 0.2, 0.7, 0.4].map((score) => ({ score })))).toBeCloseTo((0.9 + 0.8 + 0.7 + 0.4 + 0.3) / 5, 9);
    expect(trackSupport([])).toBe(0);
    // A stored track without per-frame scores (older sightings) has no support, rather than 0.
    expect(storedTrackSupport([{ score: 0.5 }, { score: 0.4 }])).toBeCloseTo(0.18, 9);
    expect(storedTrackSupport([{ score: 0.5 }, {}])).toBeNull();
    expect(storedTrackSupport([])).toBeNull();
  });

  it('timeIou measures the overlap of time ranges', () => {
    expect(timeIou([0, 2], [1, 3])).toBeCloseTo(1 / 3, 9);
    expect(timeIou([0, 1], [2, 3])).toBe(0);
    expect(timeIou([1, 1], [1, 1], 0.2)).toBe(1);
  });
});
