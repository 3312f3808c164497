/**
 * Boxes are tight around what is drawn: rendering a person onto the scene (no degradations, no
 * shadow) changes exactly the pixels inside its annotated visible box, up to anti-aliasing.
 */
import { describe, expect, it } from 'vitest';
import { readRgba } from '../image/canvas';
import { NO_DEGRADE, sampleDegrade } from './degrade';
import { composeFrame } from './frame';
import { sceneFor } from './generate';
import { layoutStill } from './layout';
import { defaultOptions } from './options';
import { Rng } from './rng';

function changedBox(a: Uint8ClampedArray, b: Uint8ClampedArray, w: number, h: number): [number, number, number, number] | undefined {
  let x0 = Infinity, y0 = Infinity, x1 = -1, y1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      const d = Math.max(Math.abs(a[i]! - b[i]!), Math.abs(a[i + 1]! - b[i + 1]!), Math.abs(a[i + 2]! - b[i + 2]!));
      if (d < 10) continue;
      x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y);
    }
  }
  return x1 < 0 ? undefined : [x0, y0, x1 + 1, y1 + 1];
}

describe('annotated boxes', () => {
  it('match the pixels a person changes, also when scene objects occlude it', () => {
    const o = defaultOptions({ seed: 9, width: 320, height: 256 });
    const d = sampleDegrade(new Rng(1), NO_DEGRADE, 1, [1, 1, 1]);
    let checked = 0, occluded = 0, tight = 0;
    for (let s = 0; s < 12 && checked < 25; s++) {
      const scene = sceneFor(o, s);
      const empty = readRgba(composeFrame(scene, [], d, 10, false).canvas).data.slice();
      const people = layoutStill(Rng.derive(s, 5), scene, { min: 6, max: 6 }, false);
      for (const person of people) {
        const composed = composeFrame(scene, [person], d, 10, false);
        const ann = composed.persons[0];
        if (!ann || ann.box[3] - ann.box[1] < 12) continue;
        const drawn = changedBox(empty, readRgba(composed.canvas).data, o.width, o.height);
        expect(drawn, `scene ${s} ${person.id}`).toBeDefined();
        // Nothing drawn outside the box (anti-aliasing may add a pixel). Luggage is drawn but not
        // boxed (as in SoftBioSearch, whose boxes span the body keypoints), so it is skipped here.
        if (person.app.luggage) continue;
        const [l, t, r, b] = ann.box;
        const where = `scene ${s} ${person.id} drawn ${drawn!.join(',')} box ${ann.box.join(',')}`;
        expect(drawn![0], where).toBeGreaterThanOrEqual(l - 1);
        expect(drawn![1], where).toBeGreaterThanOrEqual(t - 1);
        expect(drawn![2], where).toBeLessThanOrEqual(r + 1);
        expect(drawn![3], where).toBeLessThanOrEqual(b + 1);
        // And the box is not loose: its sides are within a pixel of drawn pixels, except where the
        // figure's colour happens to equal the ground's (grey hair on grey paving), hence a quota.
        if (drawn!.every((v, k) => Math.abs(v - ann.box[k]!) <= 1)) tight++;
        if (ann.visibility! < 1) occluded++;
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(12);
    expect(tight / checked).toBeGreaterThanOrEqual(0.8);
    // Some of them were partly hidden by scene objects or the frame edge.
    expect(occluded).toBeGreaterThan(0);
  });

  it('shrinks the visible box and visibility under occlusion while fullBox keeps the figure', () => {
    const o = defaultOptions({ seed: 3, width: 320, height: 256 });
    const d = sampleDegrade(new Rng(1), NO_DEGRADE, 1, [1, 1, 1]);
    let seen = 0;
    for (let s = 0; s < 10; s++) {
      const scene = sceneFor(o, s);
      const people = layoutStill(Rng.derive(s, 7), scene, { min: 20, max: 20 }, false);
      for (const p of composeFrame(scene, people, d, 10).persons) {
        const [l, t, r, b] = p.box;
        const [fl, ft, fr, fb] = p.fullBox!;
        expect(l).toBeGreaterThanOrEqual(fl);
        expect(t).toBeGreaterThanOrEqual(ft);
        expect(r).toBeLessThanOrEqual(fr);
        expect(b).toBeLessThanOrEqual(fb);
        if (p.visibility! < 0.7) seen++;
      }
    }
    expect(seen).toBeGreaterThan(0);
  });
});
