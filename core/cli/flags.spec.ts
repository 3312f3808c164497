import { describe, expect, it } from 'vitest';
import { InputError } from '../errors';
import { thresholdFlag } from './flags';

describe('thresholdFlag', () => {
  it('passes absent through, parses values in (0, 1) and refuses the rest with the flag named', () => {
    expect(thresholdFlag(undefined, 'threshold')).toBeUndefined();
    expect(thresholdFlag('0.3', 'threshold')).toBe(0.3);
    for (const bad of ['0', '1', '-0.2', 'abc', '']) {
      expect(() => thresholdFlag(bad, 'threshold')).toThrow(InputError);
      expect(() => thresholdFlag(bad, 'threshold')).toThrow(/--threshold must be a number between 0 and 1/);
    }
  });
});
