/**
 * A pinhole camera above a flat ground plane, tilted down, with radial lens distortion.
 * World: X right, Y up, Z forward along the ground (metres); the camera sits at (0, height, 0).
 * Image: u right, v down (pixels of the output frame).
 */
import type { Rng } from './rng';

export interface Camera {
  width: number;
  height: number;
  /** Camera height above the ground, metres. */
  mountHeight: number;
  /** Downward tilt, radians. */
  tilt: number;
  /** Focal length in pixels. */
  focal: number;
  /** Radial distortion coefficient on coordinates normalised by the half diagonal (negative = barrel). */
  k1: number;
  cx: number;
  cy: number;
}

export function sampleCamera(rng: Rng, width: number, height: number): Camera {
  const hfov = (rng.uniform(30, 64) * Math.PI) / 180;
  return {
    width,
    height,
    mountHeight: rng.uniform(2.8, 8),
    tilt: (rng.uniform(12, 34) * Math.PI) / 180,
    focal: width / 2 / Math.tan(hfov / 2),
    k1: rng.chance(0.7) ? rng.uniform(-0.16, 0) : rng.uniform(0, 0.05),
    cx: width / 2 + rng.uniform(-0.02, 0.02) * width,
    cy: height / 2 + rng.uniform(-0.02, 0.02) * height,
  };
}

export interface Projected {
  u: number;
  v: number;
  /** Depth along the optical axis (metres); <= 0 means behind the camera. */
  depth: number;
}

/** Depth along the optical axis of a world point. */
export function depthOf(cam: Camera, y: number, z: number): number {
  return -(y - cam.mountHeight) * Math.sin(cam.tilt) + z * Math.cos(cam.tilt);
}

/** Projects a world point, with lens distortion. */
export function project(cam: Camera, x: number, y: number, z: number): Projected {
  const s = Math.sin(cam.tilt);
  const c = Math.cos(cam.tilt);
  const dy = y - cam.mountHeight;
  const depth = -dy * s + z * c;
  const up = dy * c + z * s;
  const d = Math.max(depth, 1e-3);
  const u = cam.cx + (cam.focal * x) / d;
  const v = cam.cy - (cam.focal * up) / d;
  return distort(cam, u, v, depth);
}

function distort(cam: Camera, u: number, v: number, depth: number): Projected {
  if (cam.k1 === 0) return { u, v, depth };
  const norm = Math.hypot(cam.width, cam.height) / 2;
  const xn = (u - cam.cx) / norm;
  const yn = (v - cam.cy) / norm;
  // Beyond rc the factor is held constant, which keeps the mapping monotonic (no folding of
  // geometry far outside the frame).
  const rc2 = cam.k1 < 0 ? Math.min(2, 0.3 / -cam.k1) : 2;
  const f = 1 + cam.k1 * Math.min(xn * xn + yn * yn, rc2);
  return { u: cam.cx + (u - cam.cx) * f, v: cam.cy + (v - cam.cy) * f, depth };
}

/** Ground point seen at undistorted pixel (u, v), or undefined above the horizon. */
export function groundAt(cam: Camera, u: number, v: number): { x: number; z: number } | undefined {
  const xr = (u - cam.cx) / cam.focal;
  const yr = -(v - cam.cy) / cam.focal;
  const s = Math.sin(cam.tilt);
  const c = Math.cos(cam.tilt);
  const dirY = yr * c - s;
  const dirZ = yr * s + c;
  if (dirY >= -1e-4) return undefined;
  const t = cam.mountHeight / -dirY;
  return { x: t * xr, z: t * dirZ };
}

/** Undistorted image row of the horizon (may be negative: above the frame). */
export function horizonRow(cam: Camera): number {
  return cam.cy - cam.focal * Math.tan(cam.tilt);
}

/** Pixels per metre of a standing person whose feet are at ground (x, z). */
export function personScale(cam: Camera, x: number, z: number, heightM: number): { foot: Projected; head: Projected } {
  return { foot: project(cam, x, 0, z), head: project(cam, x, heightM, z) };
}

/** Undistorted image row of ground depth z (metres ahead along the ground). */
export function groundRow(cam: Camera, z: number): number {
  const s = Math.sin(cam.tilt), c = Math.cos(cam.tilt);
  const up = -cam.mountHeight * c + z * s;
  const depth = cam.mountHeight * s + z * c;
  return cam.cy - (cam.focal * up) / Math.max(depth, 1e-3);
}

/** Ground z at which a standing person of heightM metres is about `px` pixels tall. */
export function zForPersonPixels(cam: Camera, heightM: number, px: number): number {
  const depth = (cam.focal * heightM) / px;
  return (depth - cam.mountHeight * Math.sin(cam.tilt)) / Math.cos(cam.tilt);
}
