import { describe, expect, it } from 'vitest';
import { nearestFrameIndex, sampleIntervalS, stepFrameIndex } from './playerSync';

// Indexed at 5 fps from 3.0 s, with one sample missing (3.6 s).
const times = [3.0, 3.2, 3.4, 3.8, 4.0];

describe('player: video time → indexed frame', () => {
  it('takes the sampling interval as the median step, ignoring a gap', () => {
    expect(sampleIntervalS(times)).toBeCloseTo(0.2, 9);
    expect(sampleIntervalS([1])).toBe(0.2);
    expect(sampleIntervalS([])).toBe(0.2);
  });

  it('picks the nearest sample within half an interval and nothing further away', () => {
    const iv = sampleIntervalS(times);
    expect(nearestFrameIndex(times, 3.0, iv)).toBe(0);
    expect(nearestFrameIndex(times, 3.09, iv)).toBe(0);
    expect(nearestFrameIndex(times, 3.11, iv)).toBe(1);
    expect(nearestFrameIndex(times, 4.05, iv)).toBe(4);
    // In the sampling gap (3.6 s) no box is shown; 3.5 is still the 3.4 sample's.
    expect(nearestFrameIndex(times, 3.6, iv)).toBe(-1);
    expect(nearestFrameIndex(times, 3.5, iv)).toBe(2);
    // Before and after the sighting's frames.
    expect(nearestFrameIndex(times, 2.5, iv)).toBe(-1);
    expect(nearestFrameIndex(times, 4.5, iv)).toBe(-1);
    expect(nearestFrameIndex([], 1, iv)).toBe(-1);
    expect(nearestFrameIndex(times, Number.NaN, iv)).toBe(-1);
  });

  it('steps to the next / previous indexed frame from any time, -1 past the ends', () => {
    expect(stepFrameIndex(times, 3.0, 1)).toBe(1);
    expect(stepFrameIndex(times, 3.001, 1)).toBe(1);
    expect(stepFrameIndex(times, 3.5, 1)).toBe(3);
    expect(stepFrameIndex(times, 3.5, -1)).toBe(2);
    expect(stepFrameIndex(times, 3.0, -1)).toBe(-1);
    expect(stepFrameIndex(times, 4.0, 1)).toBe(-1);
    expect(stepFrameIndex(times, 10, -1)).toBe(4);
  });
});
