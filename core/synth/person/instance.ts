/** A person placed in a scene: appearance, palette, ground position and pose → image primitives. */
import { project, type Camera } from '../camera';
import { garmentColour, HAIR_SHADES, LUGGAGE_SHADES, SKIN_SHADES, type RGB } from '../colours';
import type { Prim, Xform } from '../prims';
import type { Rng } from '../rng';
import { buildFigure, type Palette, type Pose } from './figure';
import { sampleAppearance, type Appearance } from './sampleAttributes';

export interface PersonInstance {
  id: string;
  app: Appearance;
  pal: Palette;
  /** Ground position, metres. */
  x: number;
  z: number;
  /** Walking direction on the ground, radians (x = cos, z = sin). */
  heading: number;
  phase: number;
  stride: number;
}

export interface PlacedFigure {
  person: PersonInstance;
  prims: Prim[];
  xform: Xform;
  depth: number;
  /** Image height of the full figure, pixels. */
  pixelHeight: number;
}

export function samplePalette(rng: Rng, app: Appearance): Palette {
  const A = app.attributes;
  const second = (code: number): RGB => (code >= 0 ? garmentColour(rng, code) : [0, 0, 0]);
  return {
    skin: rng.pick(SKIN_SHADES[A.skin]!),
    hair: rng.pick(HAIR_SHADES[A.hair]!),
    torso: garmentColour(rng, A.torsoColour),
    torso2: second(A.torsoSecondColour),
    leg: garmentColour(rng, A.legColour),
    leg2: second(A.legSecondColour),
    shoe: garmentColour(rng, A.shoeColour),
    luggage: rng.pick(LUGGAGE_SHADES),
  };
}

export function samplePerson(rng: Rng, id: string, x: number, z: number, heading: number, walking: boolean): PersonInstance {
  const app = sampleAppearance(rng);
  const pal = samplePalette(rng, app);
  // A dress is one garment: the torso shares the very same shade.
  if (app.attributes.legType === 1) { pal.torso = pal.leg; pal.torso2 = pal.leg2; }
  const elderly = app.attributes.age === 4 ? 0.8 : 1;
  return { id, app, pal, x, z, heading, phase: rng.uniform(0, Math.PI * 2), stride: walking ? rng.uniform(0.6, 1) * elderly : rng.uniform(0, 0.12) };
}

/** Walking direction as seen from the camera: 0 = towards it, ±π away, +π/2 to the right. */
export function viewAngle(heading: number): number {
  return Math.atan2(Math.cos(heading), -Math.sin(heading));
}

export function placeFigure(cam: Camera, p: PersonInstance): PlacedFigure {
  const H = p.app.heightM;
  const foot = project(cam, p.x, 0, p.z);
  const head = project(cam, p.x, H, p.z);
  const pose: Pose = { phase: p.phase, stride: p.stride, view: viewAngle(p.heading) };
  const b = (head.u - foot.u) / H;
  const a = (foot.v - head.v) / H;
  const pixelHeight = Math.hypot(a, b) * H;
  // Below ~26 px a limb is a few pixels wide: a simpler figure looks the same and draws faster.
  const prims = buildFigure(p.app, p.pal, pose, pixelHeight < 26);
  return { person: p, prims, xform: { a, b, e: foot.u, f: foot.v }, depth: foot.depth, pixelHeight };
}
