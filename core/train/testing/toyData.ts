/**
 * A toy dataset built in memory for trainer tests: frames with 1–3 "persons" (rectangles whose top
 * half is the torso colour and bottom half the leg colour) on a noisy background, and queries by
 * torso and leg colour (some with an absent target). Small enough for the cpu backend.
 */
import { COLOURS } from '../../attributes/schema';
import type { FrameAnnotation } from '../../dataset/format';
import type { RawFrame } from '../../model/preprocess';
import { Rng } from '../../model/rng';

const RGB: Record<string, [number, number, number]> = {
  black: [20, 20, 20], blue: [30, 60, 220], green: [30, 180, 40], red: [220, 30, 30], white: [235, 235, 235], yellow: [230, 220, 30],
};
const PALETTE = Object.keys(RGB);
const code = (name: string) => COLOURS.indexOf(name as (typeof COLOURS)[number]);

export function toyDataset(count: number, width: number, height: number, seed = 1): { frames: FrameAnnotation[]; images: RawFrame[] } {
  const rng = new Rng(seed);
  const frames: FrameAnnotation[] = [];
  const images: RawFrame[] = [];
  for (let f = 0; f < count; f++) {
    const data = new Uint8Array(width * height * 3);
    for (let i = 0; i < data.length; i++) data[i] = 100 + rng.int(40);
    const n = 1 + rng.int(3);
    const persons: FrameAnnotation['persons'] = [];
    const used = new Set<string>();
    for (let p = 0; p < n; p++) {
      let torso: string;
      let leg: string;
      do {
        torso = PALETTE[rng.int(PALETTE.length)]!;
        leg = PALETTE[rng.int(PALETTE.length)]!;
      } while (used.has(torso + leg));
      used.add(torso + leg);
      const h = Math.round(height * rng.uniform(0.35, 0.6));
      const w = Math.round(h * 0.4);
      const x = Math.round(((p + rng.uniform(0.1, 0.9)) * width) / n - w / 2);
      const l = Math.max(0, Math.min(width - w, x));
      const t = rng.int(height - h);
      for (let y = t; y < t + h; y++) {
        const c = RGB[y < t + h / 2 ? torso : leg]!;
        for (let xx = l; xx < l + w; xx++) data.set(c, (y * width + xx) * 3);
      }
      persons.push({ id: `p${p}`, box: [l, t, l + w, t + h], attributes: { torsoColour: code(torso), legColour: code(leg) } });
    }
    const target = persons[rng.int(persons.length)]!;
    const queries: FrameAnnotation['queries'] = [
      { attributes: target.attributes, matches: [target.id], target: target.id, kind: 'complete' },
    ];
    if (rng.next() < 0.3) {
      let torso: string;
      do torso = PALETTE[rng.int(PALETTE.length)]!;
      while (persons.some((p) => p.attributes.torsoColour === code(torso)));
      queries.push({ attributes: { torsoColour: code(torso), legColour: code('black') }, matches: [], kind: 'absent' });
    }
    frames.push({ id: `f${f}`, image: `images/${f}.png`, width, height, sequence: `s${Math.floor(f / 8)}`, frameIndex: f % 8, labelled: true, persons, queries });
    images.push({ data, width, height, channels: 3 });
  }
  return { frames, images };
}
