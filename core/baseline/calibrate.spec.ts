import { describe, expect, it } from 'vitest';
import { chooseAbsentThreshold } from './calibrate';

describe('absent threshold calibration', () => {
  it('separates cleanly separable scores', () => {
    const c = chooseAbsentThreshold([0.8, 0.9, 0.7], [0.2, 0.3, 0.5])!;
    expect(c.threshold).toBeGreaterThan(0.5);
    expect(c.threshold).toBeLessThanOrEqual(0.7);
    expect(c.balancedAccuracy).toBe(1);
  });
  it('balances the two error rates on overlapping scores', () => {
    // t in (0.3, 0.6]: all present kept, 3 of 4 absent rejected → (1 + 0.75) / 2
    const c = chooseAbsentThreshold([0.6, 0.7, 0.8, 0.9], [0.1, 0.2, 0.3, 0.65])!;
    expect(c.balancedAccuracy).toBeCloseTo(0.875, 12);
    expect(c.threshold).toBeGreaterThan(0.3);
    expect(c.threshold).toBeLessThanOrEqual(0.6);
  });
  it('returns nothing without both kinds of queries', () => {
    expect(chooseAbsentThreshold([0.5], [])).toBeUndefined();
    expect(chooseAbsentThreshold([], [0.5])).toBeUndefined();
  });
});
