/**
 * Composes one frame: background, shadows, people and scene objects in depth order, then the
 * camera degradations; and annotates every visible person from the same primitives (coverage mask).
 */
import type { Canvas, Context2D } from '../image/canvas';
import type { DrawStyle } from './options';
import type { Person } from '../dataset/format';
import { project } from './camera';
import { finishFrame, surface, type FrameDegrade } from './degrade';
import { OCCLUDER, OwnerMask } from './mask';
import { placeFigure, type PersonInstance, type PlacedFigure } from './person/instance';
import { drawPrims } from './person/drawFigure';
import { IDENTITY, type Shape, type Xform } from './prims';
import { parseColour } from './cssColour';
import { PixelRaster } from './raster';
import type { Scene } from './scene';
import type { SceneObject } from './objects';

/** People shorter than this (visible box, pixels) or less visible are never query targets or matches. */
export const MIN_QUERYABLE_PX = 8;
export const MIN_QUERYABLE_VISIBILITY = 0.25;

export interface ComposedFrame {
  canvas: Canvas;
  persons: Person[];
  /** ids of persons good enough to be a query's target (large and mostly visible). */
  targetCandidates: string[];
  /** ids of persons a query may match (queryable). */
  queryable: string[];
}

const maskBuffers = new Map<number, Uint16Array>();

/** The scene background's RGBA pixels (read once per scene; the background canvas never changes). */
const backgrounds = new WeakMap<Scene, Uint8ClampedArray>();
function backgroundPixels(scene: Scene): Uint8ClampedArray {
  let px = backgrounds.get(scene);
  if (!px) {
    const bg = scene.background;
    px = bg.getContext('2d').getImageData(0, 0, bg.width, bg.height).data as Uint8ClampedArray;
    backgrounds.set(scene, px);
  }
  return px;
}

/** A reusable full-frame ImageData per frame size: the rasteriser's buffer. */
type FrameImage = ReturnType<Context2D['createImageData']>;
const buffers = new Map<string, FrameImage>();
function frameBuffer(ctx: Context2D, W: number, H: number): FrameImage {
  const key = `${W}x${H}`;
  let img = buffers.get(key);
  if (!img) {
    if (buffers.size >= 4) buffers.clear();
    img = ctx.createImageData(W, H);
    buffers.set(key, img);
  }
  return img;
}

type Drawable = { depth: number; fig?: PlacedFigure; index?: number; obj?: SceneObject };

const scaleX = (t: Xform, s: number): Xform => ({ a: t.a * s, b: t.b * s, e: t.e * s, f: t.f * s });

/** A figure's ground shadow (image pixels at scale `s`): the sun's cast polygon (if any) and a contact ellipse. */
function shadowShapes(scene: Scene, f: PlacedFigure, s: number): { colour: string; shapes: Shape[] } {
  const cam = scene.cam;
  const p = f.person;
  const H = p.app.heightM;
  const shapes: Shape[] = [];
  if (scene.sun.length > 0) {
    const L = H * scene.sun.length, dx = scene.sun.dx, dz = scene.sun.dz;
    const pts = [[-dz * 0.2, dx * 0.2], [dx * L - dz * 0.14, dz * L + dx * 0.14], [dx * L + dz * 0.14, dz * L - dx * 0.14], [dz * 0.2, -dx * 0.2]];
    const img: number[] = [];
    for (const [ox, oz] of pts) {
      const q = project(cam, p.x + ox!, 0, p.z + oz!);
      img.push(q.u * s, q.v * s);
    }
    shapes.push({ k: 'poly', pts: img });
  }
  const c = project(cam, p.x, 0, p.z);
  const r = f.pixelHeight * 0.17;
  shapes.push({ k: 'ell', cx: c.u * s, cy: c.v * s, rx: r * s, ry: r * 0.35 * s });
  return { colour: `rgba(0,0,0,${scene.sun.length > 0 ? scene.sun.alpha.toFixed(3) : '0.22'})`, shapes };
}

function drawShadow(ctx: Context2D, scene: Scene, f: PlacedFigure, s: number): void {
  const { colour, shapes } = shadowShapes(scene, f, s);
  ctx.fillStyle = colour;
  for (const sh of shapes) {
    ctx.beginPath();
    if (sh.k === 'poly') {
      for (let i = 0; i < sh.pts.length; i += 2) {
        if (i === 0) ctx.moveTo(sh.pts[i]!, sh.pts[i + 1]!);
        else ctx.lineTo(sh.pts[i]!, sh.pts[i + 1]!);
      }
      ctx.closePath();
    } else if (sh.k === 'ell') {
      ctx.ellipse(sh.cx, sh.cy, sh.rx, sh.ry, 0, 0, Math.PI * 2);
    }
    ctx.fill();
  }
}

/** A frame's people placed, depth-ordered and annotated, not yet drawn. */
export interface AnnotatedFrame extends Omit<ComposedFrame, 'canvas'> {
  figures: PlacedFigure[];
  drawables: Drawable[];
}

/** `style`: how the generator version draws (see options.ts drawStyle). */
export function composeFrame(
  scene: Scene, people: PersonInstance[], d: FrameDegrade, minTargetPx: number, shadows = true, style: DrawStyle = 'raster',
): ComposedFrame {
  return renderFrame(scene, annotateFrame(scene, people, minTargetPx), d, shadows, style);
}

/**
 * The annotation half of composeFrame: callers that may reject the layout (no query target) check
 * it before paying for the drawing.
 */
export function annotateFrame(scene: Scene, people: PersonInstance[], minTargetPx: number): AnnotatedFrame {
  const cam = scene.cam;
  const W = cam.width, H = cam.height;
  // Figures taller than 1.5 frames (someone right under the lens) are left out: nobody could label them.
  const figures = people.map((p) => placeFigure(cam, p)).filter((f) => f.depth > 0.5 && f.pixelHeight >= 2 && f.pixelHeight <= 1.5 * H);
  const drawables: Drawable[] = [
    ...figures.map((fig, index) => ({ depth: fig.depth, fig, index })),
    ...scene.objects.map((obj) => ({ depth: obj.depth, obj })),
  ];
  drawables.sort((a, b) => b.depth - a.depth || (a.index ?? -1) - (b.index ?? -1));

  // Annotation: who owns which pixel after painter's-order drawing.
  const mask = new OwnerMask(W, H, maskBuffers.get(W * H));
  maskBuffers.set(W * H, mask.owner);
  const coverage = new Array<ReturnType<OwnerMask['paint']> | undefined>(figures.length);
  for (const dr of drawables) {
    if (dr.fig) coverage[dr.index!] = mask.paint(dr.fig.prims, dr.fig.xform, dr.index! + 1);
    else if (dr.obj) mask.paint(dr.obj.prims, IDENTITY, OCCLUDER);
  }
  const visible = mask.visible(figures.length);
  const persons: Person[] = [];
  const targetCandidates: string[] = [];
  const queryable: string[] = [];
  figures.forEach((f, i) => {
    const v = visible[i + 1];
    const cov = coverage[i];
    if (!v || !cov || cov.fullPixels === 0) return;
    const full = cov.fullBox;
    const fullBox: [number, number, number, number] = [Math.max(0, full[0]), Math.max(0, full[1]), Math.min(W, full[2]), Math.min(H, full[3])];
    const visibility = Math.round((v.pixels / cov.fullPixels) * 1000) / 1000;
    const boxH = v.box[3] - v.box[1];
    const isQueryable = boxH >= MIN_QUERYABLE_PX && visibility >= MIN_QUERYABLE_VISIBILITY;
    const p = f.person;
    persons.push({
      id: p.id,
      box: v.box,
      fullBox,
      visibility,
      attributes: { ...p.app.attributes },
      extra: { ...(p.app.luggage ? { luggage: p.app.luggage } : {}), queryable: isQueryable, heightCm: Math.round(p.app.heightM * 100) },
    });
    if (isQueryable) queryable.push(p.id);
    if (isQueryable && visibility >= 0.5 && boxH >= minTargetPx) targetCandidates.push(p.id);
  });
  return { persons, targetCandidates, queryable, figures, drawables };
}

/** The drawing half of composeFrame (into shared scratch surfaces: the canvas is reused by the next frame). */
export function renderFrame(scene: Scene, a: AnnotatedFrame, d: FrameDegrade, shadows = true, style: DrawStyle = 'raster'): ComposedFrame {
  const { figures, drawables, persons, targetCandidates, queryable } = a;
  const W = scene.cam.width, H = scene.cam.height;

  // Pixels: rendered at renderScale (low resolution), then upscaled and degraded.
  const out = surface('out', W, H);
  const rs = d.renderScale;
  const rw = Math.max(1, Math.round(W * rs)), rh = Math.max(1, Math.round(H * rs));
  const target = rs < 1 ? surface('small', rw, rh) : out;
  const ctx = target.ctx;
  const s = rw / W;
  if (style === 'raster') {
    // The frame is drawn in JS into a W×H pixel buffer (top-left rw×rh used), then put on the canvas.
    const img = frameBuffer(ctx, W, H);
    const R = new PixelRaster(img.data as Uint8ClampedArray, rw, rh, W);
    R.resampleFrom(backgroundPixels(scene), W, H);
    if (shadows) {
      for (const f of figures) {
        const { colour, shapes } = shadowShapes(scene, f, s);
        const [r, g, b, al] = parseColour(colour);
        for (const sh of shapes) R.fill(sh, IDENTITY, r, g, b, al);
      }
    }
    for (const dr of drawables) {
      if (dr.fig) R.prims(dr.fig.prims, scaleX(dr.fig.xform, s), dr.fig.pixelHeight * s < 22);
      else if (dr.obj) R.prims(dr.obj.prims, scaleX(IDENTITY, s), false);
    }
    ctx.putImageData(img, 0, 0, 0, 0, rw, rh);
    finishFrame(target.canvas, out, d);
    return { canvas: out.canvas, persons, targetCandidates, queryable };
  }
  const legacy = style === '1.0';
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.globalCompositeOperation = 'source-over';
  ctx.globalAlpha = 1;
  ctx.drawImage(scene.background, 0, 0, rw, rh);
  if (shadows) for (const f of figures) drawShadow(ctx, scene, f, s);
  for (const dr of drawables) {
    if (dr.fig) drawPrims(ctx, dr.fig.prims, scaleX(dr.fig.xform, s), dr.fig.pixelHeight * s < 22, legacy);
    else if (dr.obj) drawPrims(ctx, dr.obj.prims, scaleX(IDENTITY, s), false, legacy);
  }
  finishFrame(target.canvas, out, d);
  return { canvas: out.canvas, persons, targetCandidates, queryable };
}
