/** Renders a scene's static background (sky, far buildings or room walls, textured ground). */
import { createSurface, type Canvas, type Context2D } from '../image/canvas';
import { depthOf, project, type Camera } from './camera';
import { css, type RGB } from './colours';
import type { Rng } from './rng';
import type { Scene } from './scene';

interface P3 { x: number; y: number; z: number }

const NEAR = 0.3;

/** Clips a planar world polygon to the part in front of the camera. */
function clipFront(cam: Camera, poly: P3[]): P3[] {
  const out: P3[] = [];
  for (let i = 0; i < poly.length; i++) {
    const a = poly[i]!, b = poly[(i + 1) % poly.length]!;
    const da = depthOf(cam, a.y, a.z) - NEAR, db = depthOf(cam, b.y, b.z) - NEAR;
    if (da >= 0) out.push(a);
    if (da >= 0 !== db >= 0) {
      const t = da / (da - db);
      out.push({ x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t, z: a.z + (b.z - a.z) * t });
    }
  }
  return out;
}

/** Traces a world polygon as an image path, edges subdivided so lens distortion bends them. */
function traceWorld(ctx: Context2D, cam: Camera, poly: P3[], steps = 10): boolean {
  const clipped = clipFront(cam, poly);
  if (clipped.length < 3) return false;
  ctx.beginPath();
  let first = true;
  for (let i = 0; i < clipped.length; i++) {
    const a = clipped[i]!, b = clipped[(i + 1) % clipped.length]!;
    for (let k = 0; k < steps; k++) {
      const t = k / steps;
      const p = project(cam, a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t, a.z + (b.z - a.z) * t);
      if (first) ctx.moveTo(p.u, p.v);
      else ctx.lineTo(p.u, p.v);
      first = false;
    }
  }
  ctx.closePath();
  return true;
}

function worldLine(ctx: Context2D, cam: Camera, a: P3, b: P3, steps = 12): void {
  let started = false;
  for (let k = 0; k <= steps; k++) {
    const t = k / steps;
    const x = a.x + (b.x - a.x) * t, y = a.y + (b.y - a.y) * t, z = a.z + (b.z - a.z) * t;
    if (depthOf(cam, y, z) < NEAR) { started = false; continue; }
    const p = project(cam, x, y, z);
    if (!started) ctx.moveTo(p.u, p.v);
    else ctx.lineTo(p.u, p.v);
    started = true;
  }
}

function speckle(ctx: Context2D, rng: Rng, cam: Camera, colour: RGB, amount: number, oneByOne: boolean): void {
  const n = Math.round(cam.width * cam.height * 0.012 * amount);
  if (oneByOne) {
    // Generator 1.0.0: one fill per speck (2,400 clipped fills per 704×576 scene).
    for (let i = 0; i < n; i++) {
      const u = rng.uniform(0, cam.width), v = rng.uniform(0, cam.height);
      const size = 0.6 + (1.8 * v) / cam.height;
      ctx.fillStyle = css(colour, rng.uniform(0.84, 1.14));
      ctx.fillRect(u, v, size * rng.uniform(0.8, 2.2), size);
    }
    return;
  }
  // Same specks (same random draws, in the same order), one path and one fill per shade: only
  // where two specks of different shades overlap can the other one end up on top.
  const byShade = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const u = rng.uniform(0, cam.width), v = rng.uniform(0, cam.height);
    const size = 0.6 + (1.8 * v) / cam.height;
    const shade = css(colour, rng.uniform(0.84, 1.14));
    const rects = byShade.get(shade) ?? [];
    if (!rects.length) byShade.set(shade, rects);
    rects.push(u, v, size * rng.uniform(0.8, 2.2), size);
  }
  for (const [shade, r] of byShade) {
    ctx.fillStyle = shade;
    ctx.beginPath();
    for (let i = 0; i < r.length; i += 4) ctx.rect(r[i]!, r[i + 1]!, r[i + 2]!, r[i + 3]!);
    ctx.fill();
  }
}

function drawWall(ctx: Context2D, rng: Rng, scene: Scene, w: Scene['walls'][number]): void {
  const cam = scene.cam;
  const quad = [{ x: w.x0, y: 0, z: w.z0 }, { x: w.x1, y: 0, z: w.z1 }, { x: w.x1, y: w.height, z: w.z1 }, { x: w.x0, y: w.height, z: w.z0 }];
  if (!traceWorld(ctx, cam, quad)) return;
  ctx.fillStyle = css(w.colour, rng.uniform(0.9, 1.05));
  ctx.fill();
  const len = Math.hypot(w.x1 - w.x0, w.z1 - w.z0);
  const at = (t: number, y: number): P3 => ({ x: w.x0 + (w.x1 - w.x0) * t, y, z: w.z0 + (w.z1 - w.z0) * t });
  if (scene.kind === 'outdoor') {
    // Windows in rows of storeys.
    const glass = rng.pick([[70, 80, 95], [50, 58, 70], [110, 125, 140], [140, 110, 80]] as RGB[]);
    const storey = rng.uniform(2.8, 3.6), pitch = rng.uniform(2, 4), ww = pitch * rng.uniform(0.35, 0.8);
    for (let y = 1; y + 1.4 < w.height; y += storey) {
      for (let x = pitch / 2; x + ww < len; x += pitch) {
        const t0 = x / len, t1 = (x + ww) / len;
        const probe = at(t0, y);
        const pp = project(cam, probe.x, probe.y, probe.z);
        if (pp.depth <= 0 || pp.u < -60 || pp.u > cam.width + 60 || pp.v < -60 || pp.v > cam.height + 60) continue;
        if (traceWorld(ctx, cam, [at(t0, y), at(t1, y), at(t1, y + 1.4), at(t0, y + 1.4)], 2)) {
          ctx.fillStyle = css(glass, rng.uniform(0.85, 1.15));
          ctx.fill();
        }
      }
    }
  } else {
    // Doors, posters and a skirting board make the walls readable as walls.
    for (let i = rng.int(1, 4); i > 0; i--) {
      const x = rng.uniform(0, Math.max(0.1, len - 2)), dw = rng.uniform(0.8, 2.2);
      const door = rng.chance(0.5);
      const y0 = door ? 0 : rng.uniform(0.9, 1.6), y1 = door ? 2.1 : y0 + rng.uniform(0.5, 1.2);
      if (traceWorld(ctx, cam, [at(x / len, y0), at((x + dw) / len, y0), at((x + dw) / len, y1), at(x / len, y1)], 2)) {
        ctx.fillStyle = door ? css(rng.pick([[90, 70, 50], [60, 64, 70], [150, 160, 170]] as RGB[])) : css([rng.int(40, 230), rng.int(40, 230), rng.int(40, 230)]);
        ctx.fill();
      }
    }
    if (traceWorld(ctx, cam, [at(0, 0), at(1, 0), at(1, 0.12), at(0, 0.12)], 12)) {
      ctx.fillStyle = css(w.colour, 0.6);
      ctx.fill();
    }
  }
}

/** `legacy`: generator 1.0.0's drawing (byte-identical with datasets made by that version). */
export function drawBackground(rng: Rng, scene: Scene, legacy = false): Canvas {
  const cam = scene.cam;
  const { canvas, ctx } = createSurface(cam.width, cam.height);
  const sky = ctx.createLinearGradient(0, 0, 0, cam.height);
  sky.addColorStop(0, css(scene.sky, 0.92));
  sky.addColorStop(1, css(scene.sky, 1.05));
  ctx.fillStyle = sky;
  ctx.fillRect(0, 0, cam.width, cam.height);
  if (scene.kind === 'indoor') {
    // Ceiling colour behind everything (seen above the walls when the camera looks far).
    ctx.fillStyle = css(scene.walls[0]?.colour ?? [200, 200, 200], 0.8);
    ctx.fillRect(0, 0, cam.width, cam.height);
  }
  for (const region of scene.regions) {
    const poly: P3[] = [];
    for (let i = 0; i < region.pts.length; i += 2) poly.push({ x: region.pts[i]!, y: 0, z: region.pts[i + 1]! });
    if (!traceWorld(ctx, cam, poly, 24)) continue;
    ctx.fillStyle = css(region.colour);
    ctx.fill();
    ctx.save();
    ctx.clip();
    speckle(ctx, rng, cam, region.colour, region.speckle, legacy);
    if (region.grid > 0) {
      const g = region.grid;
      const zEnd = Math.min(scene.zMax + 10, (cam.focal * g) / 3);
      ctx.strokeStyle = css(region.colour, 0.78);
      ctx.lineWidth = 1;
      ctx.beginPath();
      // Only lines that cross the frame (most of a 120 m grid is outside the view).
      const zNear = Math.max(0.5, scene.zMin - 2);
      const off = (a: { u: number }, b: { u: number }) => (a.u < 0 && b.u < 0) || (a.u > cam.width && b.u > cam.width);
      for (let x = -Math.ceil(60 / g) * g; x <= 60; x += g) {
        if (off(project(cam, x, 0, zNear), project(cam, x, 0, zEnd))) continue;
        worldLine(ctx, cam, { x, y: 0, z: zNear }, { x, y: 0, z: zEnd }, 12);
      }
      for (let z = Math.ceil(zNear / g) * g; z <= zEnd; z += g) {
        const v = project(cam, 0, 0, z).v;
        if (v < -10 || v > cam.height + 10) continue;
        const half = (z * cam.width) / cam.focal + 5;
        worldLine(ctx, cam, { x: -half, y: 0, z }, { x: half, y: 0, z }, 12);
      }
      ctx.stroke();
    }
    ctx.restore();
  }
  const walls = [...scene.walls].sort((a, b) => (b.z0 + b.z1) - (a.z0 + a.z1));
  for (const w of walls) drawWall(ctx, rng, scene, w);
  return canvas;
}
