/**
 * Composes one frame: background, shadows, people and scene objects in depth order, then the
 * camera degradations; and annotates every visible person from the same primitives (coverage mask).
 */
import type { Canvas, Context2D } from '../image/canvas';
import type { Person } from '../dataset/format';
import { project } from './camera';
import { finishFrame, surface, type FrameDegrade } from './degrade';
import { OCCLUDER, OwnerMask } from './mask';
import { placeFigure, type PersonInstance, type PlacedFigure } from './person/instance';
import { drawPrims } from './person/drawFigure';
import { IDENTITY, type Xform } from './prims';
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

type Drawable = { depth: number; fig?: PlacedFigure; index?: number; obj?: SceneObject };

const scaleX = (t: Xform, s: number): Xform => ({ a: t.a * s, b: t.b * s, e: t.e * s, f: t.f * s });

function drawShadow(ctx: Context2D, scene: Scene, f: PlacedFigure, s: number): void {
  const cam = scene.cam;
  const p = f.person;
  const H = p.app.heightM;
  ctx.fillStyle = `rgba(0,0,0,${scene.sun.length > 0 ? scene.sun.alpha.toFixed(3) : '0.22'})`;
  if (scene.sun.length > 0) {
    const L = H * scene.sun.length, dx = scene.sun.dx, dz = scene.sun.dz;
    const pts = [[-dz * 0.2, dx * 0.2], [dx * L - dz * 0.14, dz * L + dx * 0.14], [dx * L + dz * 0.14, dz * L - dx * 0.14], [dz * 0.2, -dx * 0.2]];
    ctx.beginPath();
    pts.forEach(([ox, oz], i) => {
      const q = project(cam, p.x + ox!, 0, p.z + oz!);
      if (i === 0) ctx.moveTo(q.u * s, q.v * s);
      else ctx.lineTo(q.u * s, q.v * s);
    });
    ctx.closePath();
    ctx.fill();
  }
  const c = project(cam, p.x, 0, p.z);
  const r = f.pixelHeight * 0.17;
  ctx.beginPath();
  ctx.ellipse(c.u * s, c.v * s, r * s, r * 0.35 * s, 0, 0, Math.PI * 2);
  ctx.fill();
}

/** A frame's people placed, depth-ordered and annotated, not yet drawn. */
export interface AnnotatedFrame extends Omit<ComposedFrame, 'canvas'> {
  figures: PlacedFigure[];
  drawables: Drawable[];
}

/** `legacy`: draw as generator 1.0.0 did (see options.ts). */
export function composeFrame(
  scene: Scene, people: PersonInstance[], d: FrameDegrade, minTargetPx: number, shadows = true, legacy = false,
): ComposedFrame {
  return renderFrame(scene, annotateFrame(scene, people, minTargetPx), d, shadows, legacy);
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
export function renderFrame(scene: Scene, a: AnnotatedFrame, d: FrameDegrade, shadows = true, legacy = false): ComposedFrame {
  const { figures, drawables, persons, targetCandidates, queryable } = a;
  const W = scene.cam.width, H = scene.cam.height;

  // Pixels: rendered at renderScale (low resolution), then upscaled and degraded.
  const out = surface('out', W, H);
  const rs = d.renderScale;
  const rw = Math.max(1, Math.round(W * rs)), rh = Math.max(1, Math.round(H * rs));
  const target = rs < 1 ? surface('small', rw, rh) : out;
  const ctx = target.ctx;
  const s = rw / W;
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
