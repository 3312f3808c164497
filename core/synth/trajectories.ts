/**
 * Video mode: people walk straight paths across the scene at their own speed, entering and leaving
 * the view (some stand still, some walk in pairs). Positions are closed-form in time, so any frame
 * of a clip can be rendered on its own.
 */
import { groundRow, project, zForPersonPixels } from './camera';
import type { CrowdRange } from './layout';
import { randomGroundPoint, sampleCount } from './layout';
import { samplePerson, type PersonInstance } from './person/instance';
import type { Rng } from './rng';
import { walkable, type Scene } from './scene';

export interface Track {
  person: PersonInstance;
  /** Time at which the person is at arc length sStart. */
  tStart: number;
  /** Path: origin, direction (unit) and the arc-length interval that is in view and walkable. */
  ox: number; oz: number; dx: number; dz: number;
  sStart: number; sEnd: number;
  /** Metres per second (0 = standing). */
  speed: number;
  /** Metres per gait cycle. */
  cycle: number;
}

function inView(scene: Scene, x: number, z: number): boolean {
  const cam = scene.cam;
  if (!walkable(scene, x, z)) return false;
  const p = project(cam, x, 0, z);
  const zFar = Math.min(scene.zMax, zForPersonPixels(cam, 1.7, 6));
  return p.u > -0.08 * cam.width && p.u < 1.08 * cam.width && p.v < cam.height * 1.12 && p.v > groundRow(cam, zFar) - 1;
}

/** Walks from s along the direction until the person leaves the view (or an obstacle). */
function extent(scene: Scene, ox: number, oz: number, dx: number, dz: number, sign: 1 | -1): number {
  let s = 0;
  for (let i = 0; i < 400; i++) {
    const n = s + sign * 0.25;
    if (!inView(scene, ox + dx * n, oz + dz * n)) return s;
    s = n;
  }
  return s;
}

function makeTrack(rng: Rng, scene: Scene, id: string, heading: number, at: { x: number; z: number }, walking: boolean): Track {
  const person = samplePerson(rng, id, at.x, at.z, heading, walking);
  const dx = Math.cos(heading), dz = Math.sin(heading);
  const speed = walking ? rng.uniform(0.9, 1.6) * (person.app.attributes.age === 4 ? 0.75 : 1) : 0;
  return {
    person, tStart: 0, ox: at.x, oz: at.z, dx, dz,
    sStart: extent(scene, at.x, at.z, dx, dz, -1), sEnd: extent(scene, at.x, at.z, dx, dz, 1),
    speed, cycle: 1.45 * (person.app.heightM / 1.7),
  };
}

export function planTracks(rng: Rng, scene: Scene, seconds: number, crowd: CrowdRange): Track[] {
  const mean = Math.max(1, sampleCount(rng, crowd));
  const tracks: Track[] = [];
  let next = 0;
  const heading = () => (rng.chance(0.75) ? scene.flow + (rng.chance(0.5) ? Math.PI : 0) + rng.normal(0, 0.3) : rng.uniform(0, Math.PI * 2));
  const add = (t0: number, initial: boolean) => {
    const at = randomGroundPoint(rng, scene);
    if (!at) return;
    const walking = !rng.chance(0.1);
    const h = heading();
    const tr = makeTrack(rng.fork(next), scene, `t${next++}`, h, at, walking);
    if (tr.sEnd - tr.sStart < 1 && walking) return;
    // Initial people are somewhere on their path at t = 0; later arrivals enter at their path's start.
    if (initial || !walking) tr.tStart = walking ? -(rng.uniform(0, tr.sEnd - tr.sStart) / tr.speed) : -1e6;
    else tr.tStart = t0;
    tracks.push(tr);
    if (walking && rng.chance(0.25)) {
      // A companion walking alongside.
      const side = rng.chance(0.5) ? 0.6 : -0.6;
      const c = { x: at.x - tr.dz * side, z: at.z + tr.dx * side };
      if (walkable(scene, c.x, c.z)) {
        const mate = makeTrack(rng.fork(5000 + next), scene, `t${next++}`, h, c, true);
        mate.speed = tr.speed;
        mate.tStart = tr.tStart + (tr.sStart - mate.sStart) / tr.speed;
        tracks.push(mate);
      }
    }
  };
  for (let i = 0; i < mean; i++) add(0, true);
  // Poisson arrivals keep the count near the mean: rate = mean / typical crossing time.
  const rate = mean / 12;
  for (let t = rng.uniform(0, 2 / rate); t < seconds; t += -Math.log(Math.max(1e-9, rng.next())) / rate) add(t, false);
  return tracks;
}

/** The track's person at time t, or undefined when out of view. */
export function personAt(track: Track, t: number): PersonInstance | undefined {
  if (track.speed === 0) return track.person;
  const s = track.sStart + (t - track.tStart) * track.speed;
  if (s < track.sStart || s > track.sEnd) return undefined;
  return {
    ...track.person,
    x: track.ox + track.dx * s,
    z: track.oz + track.dz * s,
    phase: track.person.phase + (2 * Math.PI * s) / track.cycle,
  };
}
