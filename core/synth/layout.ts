/**
 * Places the people of one still frame: a count from the crowd range, some walking in groups
 * (crowds that overlap and occlude each other), most following the scene's main walking direction.
 */
import { groundAt, groundRow, project, zForPersonPixels } from './camera';
import { samplePerson, type PersonInstance } from './person/instance';
import type { Rng } from './rng';
import { walkable, type Scene } from './scene';

export interface CrowdRange { min: number; max: number }

export function sampleCount(rng: Rng, crowd: CrowdRange): number {
  // Skewed towards fewer people, with a tail of dense crowds.
  return crowd.min + Math.floor((crowd.max - crowd.min + 1) * Math.pow(rng.next(), 1.4));
}

/** A random walkable ground point whose standing person is at least ~6 px tall. */
export function randomGroundPoint(rng: Rng, scene: Scene, nearHalf = false): { x: number; z: number } | undefined {
  const cam = scene.cam;
  const zFar = Math.min(scene.zMax, zForPersonPixels(cam, 1.7, nearHalf ? cam.height * 0.16 : Math.max(7, cam.height * 0.03)));
  const vTop = Math.max(groundRow(cam, zFar), -cam.height);
  const vBottom = cam.height * (nearHalf ? 1.0 : 1.1);
  for (let attempt = 0; attempt < 12; attempt++) {
    // Biased towards the bottom of the frame: more people near enough to be recognisable.
    const top = Math.min(vTop, vBottom - 1);
    const v = top + (vBottom - top) * Math.pow(rng.next(), 0.6);
    const u = rng.uniform(-0.04, 1.04) * cam.width;
    const g = groundAt(cam, u, v);
    if (!g || !walkable(scene, g.x, g.z)) continue;
    // Not so close that a standing person would fill the frame (or pass over the camera).
    const head = project(cam, g.x, 1.9, g.z);
    const foot = project(cam, g.x, 0, g.z);
    if (head.depth > 0.8 && foot.v - head.v < cam.height * 0.9) return g;
  }
  return undefined;
}

export function layoutStill(rng: Rng, scene: Scene, crowd: CrowdRange, forceNear: boolean): PersonInstance[] {
  const n = sampleCount(rng, crowd);
  const people: PersonInstance[] = [];
  const groups: Array<{ x: number; z: number; heading: number }> = [];
  const groupCount = rng.chance(0.55) ? rng.int(1, Math.max(1, Math.round(n / 5))) : 0;
  for (let g = 0; g < groupCount; g++) {
    const p = randomGroundPoint(rng, scene);
    if (p) groups.push({ ...p, heading: scene.flow + (rng.chance(0.5) ? Math.PI : 0) + rng.normal(0, 0.3) });
  }
  const tooClose = (x: number, z: number) => people.some((q) => Math.hypot(q.x - x, q.z - z) < 0.4);
  for (let i = 0; i < n; i++) {
    const pr = rng.fork(1000 + i);
    let pos: { x: number; z: number } | undefined;
    let heading = rng.chance(0.7) ? scene.flow + (rng.chance(0.5) ? Math.PI : 0) + rng.normal(0, 0.35) : rng.uniform(0, Math.PI * 2);
    const group = groups.length && rng.chance(0.6) ? rng.pick(groups) : undefined;
    for (let attempt = 0; attempt < 6 && !pos; attempt++) {
      let cand: { x: number; z: number } | undefined;
      if (group) {
        const r = rng.uniform(0.45, 1.6 + 0.15 * n), a = rng.uniform(0, Math.PI * 2);
        cand = { x: group.x + r * Math.cos(a), z: group.z + r * Math.sin(a) * 0.8 };
        if (!walkable(scene, cand.x, cand.z)) cand = undefined;
        heading = group.heading + rng.normal(0, 0.2);
      } else {
        cand = randomGroundPoint(rng, scene, forceNear && i === 0);
      }
      if (cand && !tooClose(cand.x, cand.z)) pos = cand;
    }
    if (!pos) continue;
    people.push(samplePerson(pr, `p${people.length}`, pos.x, pos.z, heading, !rng.chance(0.15)));
  }
  return people;
}
