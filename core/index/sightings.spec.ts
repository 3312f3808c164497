/** Sightings from hand-made per-frame hits: linking by IoU and time gap, peaks, ranking. */
import { describe, expect, it } from 'vitest';
import type { Box } from '../model/boxes';
import { mergeSightings, timeIou, type FrameHits } from './sightings';

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
    // Ranked by peak score: the right-hand person peaks at 0.95.
    expect(s[0]).toMatchObject({ startS: 0, endS: 0.6, peakS: 0.6, score: 0.95, peakBox: [300, 22, 340, 122] });
    expect(s[0]!.track.map((p) => p.t)).toEqual([0, 0.2, 0.6]);
    expect(s[1]).toMatchObject({ startS: 0, endS: 0.4, peakS: 0.2, peakFrame: 1, score: 0.9 });
    expect(s[1]!.meanConfidence).toBeCloseTo(0.8, 6);
  });

  it('splits a track when the gap is too long or the box jumps', () => {
    const f = frames([
      [0, [[[10, 10, 50, 110], 0.7]]],
      [0.2, [[[12, 10, 52, 110], 0.7]]],
      [2.0, [[[12, 10, 52, 110], 0.8]]], // 1.8 s later: a new sighting
      [2.2, [[[400, 10, 440, 110], 0.75]]], // same time window, far away: another one
    ]);
    const s = mergeSightings(f, { maxGapS: 1 });
    expect(s.map((x) => [x.startS, x.endS])).toEqual([[2, 2], [2.2, 2.2], [0, 0.2]]);
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

  it('timeIou measures the overlap of time ranges', () => {
    expect(timeIou([0, 2], [1, 3])).toBeCloseTo(1 / 3, 9);
    expect(timeIou([0, 1], [2, 3])).toBe(0);
    expect(timeIou([1, 1], [1, 1], 0.2)).toBe(1);
  });
});
