import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateStillFrame } from './generate';
import { defaultOptions, GENERATOR_VERSION, RASTER_MAX_PIXELS, type GeneratorVersion } from './options';
import { synthesize } from './synthesize';

const root = mkdtempSync(join(tmpdir(), 'fastpr-synth-versions-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const base = { seed: 42, frames: 4, width: 160, height: 128, framesPerScene: 2, crowd: { min: 6, max: 14 } };

function digest(version?: GeneratorVersion): { all: string; annotations: string; images: Buffer[] } {
  const o = defaultOptions({ ...base, ...(version ? { generatorVersion: version } : {}) });
  const all = createHash('sha256'), ann = createHash('sha256');
  const images: Buffer[] = [];
  for (let k = 0; k < o.frames; k++) {
    const f = generateStillFrame(o, k);
    all.update(JSON.stringify(f.annotation)).update(f.image);
    ann.update(JSON.stringify(f.annotation));
    images.push(f.image);
  }
  return { all: all.digest('hex'), annotations: ann.digest('hex'), images };
}

describe('generator versions', () => {
  it('reproduces generator 1.0.0 byte for byte (frames made by 1.0.0 at commit ace7232)', () => {
    expect(digest('1.0.0').all).toBe('a7529bf5e326b59f13f56546be68c8323e485b846ef62cac24e048ab7d6b6bf4');
  });

  it('reproduces generator 1.1.0 byte for byte (frames made by 1.1.0 at commit 944d419)', () => {
    expect(digest('1.1.0').all).toBe('23099ab91a71c42e5a58f6d4b532c9bdc4b271d676ca752e0b1c18a1cce88ebc');
  });

  it('reproduces generator 1.2.0 byte for byte (its first frames, pinned when it was made)', () => {
    expect(digest('1.2.0').all).toBe('5feb7feaa09db585ca1b1d740becd8be9f87e7e559dcb06673ab055a4574c298');
  });

  it('1.2.0 changed pixels only: same annotations as 1.0.0 and 1.1.0, different images', () => {
    const v12 = digest('1.2.0');
    for (const old of ['1.0.0', '1.1.0'] as const) {
      const v = digest(old);
      expect(v12.annotations, old).toBe(v.annotations);
      expect(v12.images.some((img, i) => !img.equals(v.images[i]!)), old).toBe(true);
    }
  });

  it('1.3.0 changes absent-target queries only: complete as often as target queries; images and target queries are 1.2.0\'s', () => {
    const o = defaultOptions({ seed: 5, frames: 400, width: 96, height: 80, framesPerScene: 10, crowd: { min: 1, max: 4 }, queries: { completeShare: 0.4, absentShare: 0.5 } });
    const slots = (q: { attributes: Record<string, number> }) => Object.values(q.attributes).filter((v) => v !== -1).length;
    let absent = 0, completeAbsent = 0;
    for (let k = 0; k < o.frames; k += 1) {
      const now = generateStillFrame(o, k);
      const old = generateStillFrame({ ...o, generatorVersion: '1.2.0' }, k);
      expect(now.image.equals(old.image), `frame ${k} image`).toBe(true);
      const { queries: nowQ, ...nowRest } = now.annotation;
      const { queries: oldQ, ...oldRest } = old.annotation;
      expect(nowRest).toEqual(oldRest);
      expect(nowQ.filter((q) => q.matches.length > 0)).toEqual(oldQ.filter((q) => q.matches.length > 0));
      for (const q of nowQ.filter((x) => x.matches.length === 0)) {
        absent++;
        if (slots(q) >= 12) completeAbsent++;
        // Nobody in the frame fits it.
        expect(now.annotation.persons.some((p) => Object.entries(q.attributes).every(([key, v]) => v === -1 || (p.attributes as Record<string, number>)[key] === v))).toBe(false);
      }
      for (const q of oldQ.filter((x) => x.matches.length === 0)) expect(slots(q)).toBeLessThanOrEqual(6);
    }
    expect(absent).toBeGreaterThan(150);
    expect(completeAbsent / absent).toBeGreaterThan(0.3);
    expect(completeAbsent / absent).toBeLessThan(0.5);
    expect(digest().all).toBe(digest().all); // and it is deterministic
  });

  it('draws frames above RASTER_MAX_PIXELS as 1.1.0 did (the canvas is faster there), smaller ones differently', () => {
    const big = defaultOptions({ ...base, width: 640, height: 480, frames: 1 });
    expect(big.width * big.height).toBeGreaterThan(RASTER_MAX_PIXELS);
    expect(generateStillFrame(big, 0).image.equals(generateStillFrame({ ...big, generatorVersion: '1.1.0' }, 0).image)).toBe(true);
    const small = defaultOptions({ ...base, frames: 1 });
    expect(generateStillFrame(small, 0).image.equals(generateStillFrame({ ...small, generatorVersion: '1.1.0' }, 0).image)).toBe(false);
  });

  it('gives the same bytes in any frame order, with other sizes and versions made in between', () => {
    const o = defaultOptions(base);
    const inOrder = digest().images;
    const other = defaultOptions({ ...base, width: 96, height: 80, seed: 7 });
    for (let k = o.frames - 1; k >= 0; k--) {
      generateStillFrame(other, k);
      generateStillFrame({ ...o, generatorVersion: '1.1.0' }, k);
      expect(generateStillFrame(o, k).image.equals(inOrder[k]!), `frame ${k}`).toBe(true);
    }
  });

  it('records the version it reproduced in the manifest, not as a parameter', async () => {
    const old = await synthesize(join(root, 'v1'), defaultOptions({ ...base, frames: 2, generatorVersion: '1.0.0' }));
    const now = await synthesize(join(root, 'now'), defaultOptions({ ...base, frames: 2 }));
    expect(old.generator.version).toBe('1.0.0');
    expect(now.generator.version).toBe(GENERATOR_VERSION);
    expect(old.generator.parameters).not.toHaveProperty('generatorVersion');
    expect(readFileSync(join(root, 'v1', 'manifest.json'), 'utf8')).toContain('"version": "1.0.0"');
  });
});
