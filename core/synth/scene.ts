/**
 * One scene = one camera and one static background (a sequence): an outdoor square/street/park or
 * an indoor hall/corridor, with scene objects that occlude people, light and shadow settings.
 */
import { createSurface, type Canvas } from '../image/canvas';
import { depthOf, groundAt, sampleCamera, type Camera } from './camera';
import { GARMENT_SHADES, type RGB } from './colours';
import { boxObject, carObject, poleObject, treeObject, type SceneObject } from './objects';
import { drawBackground } from './drawScene';
import type { Rng } from './rng';

export interface GroundRegion {
  /** World polygon on the ground (x, z pairs). */
  pts: number[];
  colour: RGB;
  /** Tile/plank grid spacing in metres (0 = none). */
  grid: number;
  speckle: number;
}

export interface Scene {
  kind: 'indoor' | 'outdoor';
  cam: Camera;
  background: Canvas;
  objects: SceneObject[];
  /** Walkable extent: |x| <= halfWidth (indoor walls) and z in [zMin, zMax]. */
  halfWidth: number;
  zMin: number;
  zMax: number;
  /** Sun direction on the ground (unit) and shadow length per metre of height; 0 = overcast/indoor. */
  sun: { dx: number; dz: number; length: number; alpha: number };
  /** Overall light level and colour balance of this camera (mild). */
  gain: number;
  cast: [number, number, number];
  /** Main walking direction (radians, ground plane) people tend to follow. */
  flow: number;
  regions: GroundRegion[];
  walls: Array<{ x0: number; z0: number; x1: number; z1: number; height: number; colour: RGB }>;
  sky: RGB;
}

const GRASS: RGB[] = [[88, 128, 60], [70, 112, 52], [104, 136, 70], [82, 120, 74]];
const PAVING: RGB[] = [[150, 148, 142], [128, 126, 122], [170, 160, 144], [110, 110, 112], [160, 150, 135]];
const ASPHALT: RGB[] = [[92, 92, 96], [80, 80, 84], [104, 102, 100]];
const FLOORS: RGB[] = [[196, 186, 168], [170, 170, 172], [214, 208, 196], [150, 110, 80], [180, 120, 90], [120, 120, 126]];
const WALLS: RGB[] = [[222, 216, 200], [200, 200, 196], [186, 176, 160], [150, 96, 72], [210, 206, 220], [170, 180, 170]];

/** `legacy`: draw the background as generator 1.0.0 did. */
export function sampleScene(rng: Rng, width: number, height: number, legacy = false): Scene {
  const cam = sampleCamera(rng, width, height);
  const indoor = rng.chance(0.45);
  const bottom = groundAt(cam, cam.cx, height * 1.05);
  const zMin = Math.max(0.5, (bottom?.z ?? 1) - 0.5);
  const zMaxView = groundAt(cam, cam.cx, Math.max(0, cam.cy - cam.focal * Math.tan(cam.tilt) + height * 0.06))?.z ?? 120;
  const scene: Scene = {
    kind: indoor ? 'indoor' : 'outdoor',
    cam,
    background: createSurface(1, 1).canvas,
    objects: [],
    halfWidth: 1e4,
    zMin,
    zMax: Math.min(zMaxView, 90),
    sun: { dx: 0, dz: 0, length: 0, alpha: 0 },
    gain: rng.uniform(0.82, 1.08),
    cast: [rng.uniform(0.95, 1.05), rng.uniform(0.96, 1.04), rng.uniform(0.93, 1.06)],
    flow: rng.uniform(0, Math.PI * 2),
    regions: [],
    walls: [],
    sky: rng.pick([[196, 208, 220], [170, 182, 196], [214, 218, 222], [150, 170, 205]] as RGB[]),
  };
  if (indoor) layoutIndoor(rng, scene);
  else layoutOutdoor(rng, scene);
  scene.objects.sort((a, b) => b.depth - a.depth);
  scene.background = drawBackground(rng.fork(7), scene, legacy);
  return scene;
}

function layoutOutdoor(rng: Rng, s: Scene): void {
  const far = 400;
  const base = rng.chance(0.55) ? rng.pick(GRASS) : rng.pick(PAVING);
  s.regions.push({ pts: [-far, 0, far, 0, far, far, -far, far], colour: base, grid: base[1]! > base[0]! + 20 ? 0 : rng.pick([0, 1, 1.5]), speckle: 0.5 });
  const zc = (s.zMin + Math.min(s.zMax, 40)) / 2;
  const paths = rng.int(1, 3);
  for (let i = 0; i < paths; i++) {
    const ang = rng.uniform(0, Math.PI);
    const w = rng.uniform(2.5, 9);
    const cx = rng.uniform(-8, 8), cz = zc + rng.uniform(-8, 8);
    const dx = Math.cos(ang), dz = Math.sin(ang);
    const L = 300;
    const road = rng.chance(0.35);
    s.regions.push({
      pts: [cx - dx * L - dz * w, cz - dz * L + dx * w, cx + dx * L - dz * w, cz + dz * L + dx * w, cx + dx * L + dz * w, cz + dz * L - dx * w, cx - dx * L + dz * w, cz - dz * L - dx * w],
      colour: road ? rng.pick(ASPHALT) : rng.pick(PAVING),
      grid: road ? 0 : rng.pick([0, 0.8, 1.2]),
      speckle: 0.35,
    });
    if (i === 0) s.flow = ang + (rng.chance(0.5) ? Math.PI : 0);
    if (road && rng.chance(0.7)) {
      for (let k = 0; k < rng.int(1, 4); k++) {
        const t = rng.uniform(-25, 25);
        const side = rng.chance(0.5) ? 1 : -1;
        const x = cx + dx * t - dz * side * (w - 1.3), z = cz + dz * t + dx * side * (w - 1.3);
        if (z > s.zMin + 1 && z < s.zMax) s.objects.push(carObject(s.cam, x, z, ang - Math.PI / 2, rng.pick(GARMENT_SHADES[rng.pick([0, 1, 4, 8, 9, 9, 4])]!)));
      }
    }
  }
  // Far buildings close the view when the horizon is in the frame.
  const back = rng.uniform(30, 70);
  let x = -120;
  while (x < 120) {
    const w = rng.uniform(10, 40);
    s.walls.push({ x0: x, z0: back + rng.uniform(0, 15), x1: x + w, z1: back + rng.uniform(0, 15), height: rng.uniform(6, 22), colour: rng.pick(WALLS) });
    x += w + rng.uniform(0, 10);
  }
  const near = s.zMin + 1, farZ = Math.min(s.zMax, 45);
  const place = () => ({ x: rng.uniform(-14, 14) * (0.4 + (rng.next() * farZ) / 25), z: rng.uniform(near, farZ) });
  for (let i = rng.int(1, 4); i > 0; i--) { const p = place(); s.objects.push(poleObject(s.cam, p.x, p.z, rng.uniform(3.5, 6.5), rng.pick([[110, 112, 116], [60, 62, 66], [150, 150, 146]] as RGB[]))); }
  for (let i = rng.int(0, 3); i > 0; i--) { const p = place(); s.objects.push(treeObject(s.cam, p.x, p.z, rng.uniform(1.6, 2.6), rng.uniform(1.2, 2.4), rng.pick(GRASS))); }
  for (let i = rng.int(0, 3); i > 0; i--) {
    const p = place();
    const col: RGB = rng.pick([[120, 84, 52], [80, 80, 84], [60, 100, 70]]);
    const yaw = rng.uniform(0, Math.PI);
    s.objects.push(boxObject(s.cam, 'bench', [
      { x: p.x, z: p.z, hw: 0.9, hd: 0.25, y0: 0.35, y1: 0.48, yaw, colour: col },
      { x: p.x - Math.sin(yaw) * 0.22, z: p.z + Math.cos(yaw) * 0.22, hw: 0.9, hd: 0.05, y0: 0.48, y1: 0.85, yaw, colour: col },
    ]));
  }
  for (let i = rng.int(0, 4); i > 0; i--) {
    const p = place();
    s.objects.push(boxObject(s.cam, rng.chance(0.5) ? 'bin' : 'bollard', [{ x: p.x, z: p.z, hw: rng.uniform(0.15, 0.35), hd: rng.uniform(0.15, 0.35), y0: 0, y1: rng.uniform(0.6, 1.1), yaw: rng.uniform(0, 1.5), colour: rng.pick([[50, 60, 52], [70, 70, 74], [40, 40, 60], [200, 120, 30]] as RGB[]) }]));
  }
  if (rng.chance(0.65)) {
    const az = rng.uniform(0, Math.PI * 2);
    s.sun = { dx: Math.cos(az), dz: Math.sin(az), length: rng.uniform(0.4, 1.5), alpha: rng.uniform(0.15, 0.32) };
  }
}

function layoutIndoor(rng: Rng, s: Scene): void {
  const halfW = rng.uniform(4, 14);
  const back = Math.min(s.zMax + rng.uniform(-4, 10), rng.uniform(14, 40));
  const wallH = rng.uniform(3, 5.5);
  s.halfWidth = halfW - 0.4;
  s.zMax = Math.min(s.zMax, back - 0.5);
  const floor = rng.pick(FLOORS);
  s.regions.push({ pts: [-halfW, -5, halfW, -5, halfW, back, -halfW, back], colour: floor, grid: rng.pick([0.6, 1, 1.2, 2]), speckle: 0.2 });
  const wall = rng.pick(WALLS);
  s.walls.push({ x0: -halfW, z0: back, x1: halfW, z1: back, height: wallH, colour: wall });
  s.walls.push({ x0: -halfW, z0: -5, x1: -halfW, z1: back, height: wallH, colour: wall });
  s.walls.push({ x0: halfW, z0: back, x1: halfW, z1: -5, height: wallH, colour: wall });
  s.flow = rng.chance(0.6) ? Math.PI / 2 * (rng.chance(0.5) ? 1 : -1) : rng.uniform(0, Math.PI * 2);
  const place = () => ({ x: rng.uniform(-halfW + 1, halfW - 1), z: rng.uniform(s.zMin + 1, Math.max(s.zMin + 2, s.zMax - 1)) });
  for (let i = rng.int(0, 3); i > 0; i--) {
    const p = place();
    s.objects.push(boxObject(s.cam, 'pillar', [{ x: p.x, z: p.z, hw: 0.3, hd: 0.3, y0: 0, y1: wallH, yaw: 0, colour: rng.pick(WALLS) }]));
  }
  for (let i = rng.int(0, 4); i > 0; i--) {
    const p = place();
    const kind = rng.pick(['bench', 'table', 'planter', 'counter'] as const);
    const col: RGB = rng.pick([[120, 84, 52], [80, 80, 84], [170, 170, 175], [60, 90, 120]]);
    if (kind === 'planter') s.objects.push(boxObject(s.cam, kind, [{ x: p.x, z: p.z, hw: 0.35, hd: 0.35, y0: 0, y1: 0.6, yaw: 0, colour: [90, 80, 70] }, { x: p.x, z: p.z, hw: 0.3, hd: 0.3, y0: 0.6, y1: 1.3, yaw: 0.4, colour: rng.pick(GRASS) }]));
    else if (kind === 'table') s.objects.push(boxObject(s.cam, kind, [{ x: p.x, z: p.z, hw: 0.06, hd: 0.06, y0: 0, y1: 0.72, yaw: 0, colour: [50, 50, 50] }, { x: p.x, z: p.z, hw: 0.45, hd: 0.45, y0: 0.72, y1: 0.76, yaw: 0, colour: col }]));
    else if (kind === 'counter') s.objects.push(boxObject(s.cam, kind, [{ x: p.x, z: p.z, hw: rng.uniform(0.8, 2), hd: 0.4, y0: 0, y1: 1.05, yaw: 0, colour: col }]));
    else s.objects.push(boxObject(s.cam, kind, [{ x: p.x, z: p.z, hw: 0.9, hd: 0.25, y0: 0.3, y1: 0.46, yaw: 0, colour: col }]));
  }
  s.gain *= rng.uniform(0.9, 1.02);
  s.cast[2] *= rng.uniform(0.94, 1.0);
}

/** Whether a person may stand at ground (x, z). */
export function walkable(s: Scene, x: number, z: number): boolean {
  if (Math.abs(x) > s.halfWidth || z < s.zMin - 3 || z > s.zMax) return false;
  for (const o of s.objects) {
    const [x0, z0, x1, z1] = o.footprint;
    if (x > x0 && x < x1 && z > z0 && z < z1) return false;
  }
  return depthOf(s.cam, 0, z) > 0.5;
}
