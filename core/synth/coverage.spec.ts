/** Attribute coverage: every value of every attribute appears, none below 1% of labelled people. */
import { describe, expect, it } from 'vitest';
import { ATTRIBUTES, UNKNOWN } from '../attributes/schema';
import type { Person } from '../dataset/format';
import { generateStillFrame } from './generate';
import { defaultOptions } from './options';

describe('attribute coverage', () => {
  it('covers every value of all 16 attributes at ≥ 1% over 240 frames; queries are well formed', () => {
    const o = defaultOptions({ seed: 77, frames: 240, width: 112, height: 96, framesPerScene: 12 });
    const persons: Person[] = [];
    let absent = 0, targetQueries = 0, complete = 0;
    for (let k = 0; k < o.frames; k++) {
      const { annotation } = generateStillFrame(o, k);
      persons.push(...annotation.persons);
      for (const q of annotation.queries) {
        if (q.kind === 'absent') {
          absent++;
          expect(q.matches).toEqual([]);
        } else {
          targetQueries++;
          if (q.kind === 'complete') complete++;
          const stated = Object.values(q.attributes).filter((v) => v !== UNKNOWN).length;
          if (q.kind === 'partial') expect(stated).toBeGreaterThanOrEqual(2);
          if (q.kind === 'partial') expect(stated).toBeLessThanOrEqual(6);
        }
      }
    }
    expect(targetQueries).toBe(o.frames);
    expect(absent / (absent + targetQueries)).toBeGreaterThan(0.04);
    expect(absent / (absent + targetQueries)).toBeLessThan(0.16);
    expect(complete).toBeGreaterThan(0);
    expect(persons.length).toBeGreaterThan(1200);
    for (const a of ATTRIBUTES) {
      const labelled = persons.map((p) => p.attributes[a.key] ?? UNKNOWN).filter((c) => c !== UNKNOWN);
      expect(labelled.length, a.key).toBeGreaterThan(200);
      a.values.forEach((name, code) => {
        const share = labelled.filter((c) => c === code).length / labelled.length;
        expect(share, `${a.key} = ${name}`).toBeGreaterThanOrEqual(0.01);
      });
    }
  });

  it('keeps a dress one garment and second colours different from the first', () => {
    const o = defaultOptions({ seed: 5, frames: 60, width: 128, height: 104 });
    for (let k = 0; k < o.frames; k++) {
      for (const p of generateStillFrame(o, k).annotation.persons) {
        const A = p.attributes;
        if (A.legType === 1) {
          expect(A.torsoColour).toBe(A.legColour);
          expect(A.torsoPattern).toBe(A.legPattern);
        }
        if (A.torsoPattern !== 0) expect(A.torsoSecondColour).not.toBe(UNKNOWN);
        if (A.legPattern !== 0) expect(A.legSecondColour).not.toBe(UNKNOWN);
        if (A.torsoSecondColour !== UNKNOWN) expect(A.torsoSecondColour).not.toBe(A.torsoColour);
        if (A.legSecondColour !== UNKNOWN) expect(A.legSecondColour).not.toBe(A.legColour);
      }
    }
  });
});
