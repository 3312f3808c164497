/** Renders primitives (a figure, luggage or a scene object) onto a canvas, patterns included. */
import { createSurface, type Context2D } from '../../image/canvas';
import { localBounds, type Pattern, type Prim, type Shape, type Xform } from '../prims';

export function tracePath(ctx: Context2D, s: Shape): void {
  ctx.beginPath();
  switch (s.k) {
    case 'caps': {
      const dx = s.x2 - s.x1, dy = s.y2 - s.y1;
      const len = Math.hypot(dx, dy);
      if (len < 1e-9) {
        ctx.arc(s.x1, s.y1, s.r, 0, Math.PI * 2);
        break;
      }
      const ang = Math.atan2(dy, dx);
      ctx.arc(s.x2, s.y2, s.r, ang - Math.PI / 2, ang + Math.PI / 2);
      ctx.arc(s.x1, s.y1, s.r, ang + Math.PI / 2, ang + (3 * Math.PI) / 2);
      ctx.closePath();
      break;
    }
    case 'ell':
      ctx.ellipse(s.cx, s.cy, s.rx, s.ry, 0, 0, Math.PI * 2);
      break;
    case 'poly': {
      const p = s.pts;
      ctx.moveTo(p[0]!, p[1]!);
      for (let i = 2; i < p.length; i += 2) ctx.lineTo(p[i]!, p[i + 1]!);
      ctx.closePath();
      break;
    }
  }
}

/** Generator 1.0.0: pattern elements drawn one by one under a clip to the garment's shape. */
function drawPatternClipped(ctx: Context2D, s: Shape, p: Pattern, pxPerUnit: number): void {
  const [x0, y0, x1, y1] = localBounds(s);
  const minSpacing = 2.4 / pxPerUnit;
  const sp = Math.max(p.spacing, minSpacing);
  ctx.fillStyle = p.colour;
  ctx.strokeStyle = p.colour;
  switch (p.code) {
    case 1: { // check: crossing bands
      const w = sp * 0.34;
      for (let x = x0 + sp * 0.3; x < x1; x += sp) ctx.fillRect(x, y0, w, y1 - y0);
      for (let y = y0 + sp * 0.3; y < y1; y += sp) ctx.fillRect(x0, y, x1 - x0, w);
      break;
    }
    case 2: { // diagonal stripes
      ctx.lineWidth = sp * 0.45;
      ctx.beginPath();
      const h = y1 - y0;
      for (let x = x0 - h; x < x1 + h; x += sp) {
        ctx.moveTo(x, y0);
        ctx.lineTo(x + h, y1);
      }
      ctx.stroke();
      break;
    }
    case 3:
      for (let x = x0 + sp * 0.25; x < x1; x += sp) ctx.fillRect(x, y0, sp * 0.48, y1 - y0);
      break;
    case 4:
      for (let y = y0 + sp * 0.25; y < y1; y += sp) ctx.fillRect(x0, y, x1 - x0, sp * 0.48);
      break;
    case 5: { // spots on a staggered grid
      const r = Math.max(sp * 0.24, 0.9 / pxPerUnit);
      ctx.beginPath();
      let row = 0;
      for (let y = y0 + sp * 0.4; y < y1; y += sp * 0.9, row++) {
        for (let x = x0 + (row % 2 ? sp * 0.5 : 0) + sp * 0.2; x < x1; x += sp) {
          ctx.moveTo(x + r, y);
          ctx.arc(x, y, r, 0, Math.PI * 2);
        }
      }
      ctx.fill();
      break;
    }
    case 6: { // picture: a logo blob (disc with a bar) on the upper middle of the garment
      const cx = (x0 + x1) / 2, cy = y0 + (y1 - y0) * 0.4;
      const r = Math.max(Math.min(x1 - x0, y1 - y0) * 0.27, 1.4 / pxPerUnit);
      ctx.beginPath();
      ctx.arc(cx, cy, r, 0, Math.PI * 2);
      ctx.fill();
      ctx.fillRect(cx - r * 1.3, cy + r * 1.1, r * 2.6, r * 0.55);
      break;
    }
  }
}

/**
 * Repeating patterns (codes 1–5) as a tile shader: one more fill of the garment's path instead of a
 * clip and a dozen small fills (a patterned garment cost ~80 µs that way, a quarter of a figure's
 * drawing). The tile holds whole periods, is rendered at about the device scale (so it is sampled
 * ~1:1) and is phased to the garment's local bounds exactly as the clipped elements were.
 */
interface Tile { pattern: CanvasPattern; w: number; h: number; pw: number; ph: number }

const tiles = new Map<string, Tile>();

function patternTile(ctx: Context2D, p: Pattern, sp: number, pxPerUnit: number): Tile | undefined {
  const period = sp * pxPerUnit; // pixels per pattern period
  const k = Math.max(1, Math.ceil(12 / period)); // periods per tile side: tiles of ≥ 12 px
  const w = k * sp, h = p.code === 5 ? 2 * k * sp * 0.9 : k * sp; // spots: an even number of rows
  const pw = Math.max(1, Math.round(w * pxPerUnit)), ph = Math.max(1, Math.round(h * pxPerUnit));
  // Spot radius in periods (the 0.9 px floor makes it depend on the scale).
  const spotR = p.code === 5 ? Math.max(0.24, 0.9 / period) : 0;
  const key = `${p.code}|${p.colour}|${pw}x${ph}|${k}|${spotR.toFixed(3)}`;
  let tile = tiles.get(key);
  if (tile) return tile;
  const t = createSurface(pw, ph);
  const c = t.ctx;
  c.scale(pw / (w / sp), ph / (h / sp)); // tile drawn in periods
  c.fillStyle = p.colour;
  c.strokeStyle = p.colour;
  const K = w / sp, KH = h / sp;
  c.beginPath();
  switch (p.code) {
    case 1:
      for (let i = 0; i < K; i++) c.rect(i + 0.3, 0, 0.34, KH);
      for (let j = 0; j < KH; j++) c.rect(0, j + 0.3, K, 0.34);
      c.fill();
      break;
    case 2:
      // Lines x − y ≡ 0 (mod 1 period), drawn past the tile edges so the tile wraps seamlessly.
      c.lineWidth = 0.45;
      for (let m = -2 * K; m <= 2 * K; m++) {
        c.moveTo(m - 1, -1);
        c.lineTo(m + KH + 1, KH + 1);
      }
      c.stroke();
      break;
    case 3:
      for (let i = 0; i < K; i++) c.rect(i + 0.25, 0, 0.48, KH);
      c.fill();
      break;
    case 4:
      for (let j = 0; j < KH; j++) c.rect(0, j + 0.25, K, 0.48);
      c.fill();
      break;
    case 5:
      for (let row = -1; row * 0.9 < KH + 1; row++) {
        const y = 0.4 + row * 0.9;
        for (let x = (row % 2 ? 0.5 : 0) + 0.2 - 1; x < K + 1; x += 1) {
          c.moveTo(x + spotR, y);
          c.arc(x, y, spotR, 0, Math.PI * 2);
        }
      }
      c.fill();
      break;
    default:
      return undefined;
  }
  const pattern = ctx.createPattern(t.canvas, 'repeat');
  if (!pattern) return undefined;
  if (tiles.size > 4000) tiles.clear();
  tile = { pattern, w, h, pw, ph };
  tiles.set(key, tile);
  return tile;
}

/** Fills the current path (the garment) with its repeating pattern; false when it needs the clipped way. */
function fillPatternTile(ctx: Context2D, s: Shape, p: Pattern, pxPerUnit: number): boolean {
  if (p.code < 1 || p.code > 5) return false;
  const [x0, y0, , y1] = localBounds(s);
  const sp = Math.max(p.spacing, 2.4 / pxPerUnit);
  const tile = patternTile(ctx, p, sp, pxPerUnit);
  if (!tile) return false;
  // Tile origin in local units: diagonal stripes start h to the left (lines from (x, y0) to (x + h, y1)).
  const ox = p.code === 2 ? x0 - (y1 - y0) : x0;
  tile.pattern.setTransform({ a: tile.w / tile.pw, b: 0, c: 0, d: tile.h / tile.ph, e: ox, f: y0 });
  ctx.fillStyle = tile.pattern;
  ctx.fill();
  return true;
}

/**
 * Draws prims under a similarity transform; `skipDecor` leaves out sub-pixel details of tiny figures.
 * `clippedPatterns` draws patterns the generator-1.0.0 way (kept so 1.0.0 datasets stay reproducible).
 */
export function drawPrims(ctx: Context2D, prims: readonly Prim[], t: Xform, skipDecor = false, clippedPatterns = false): void {
  const scale = Math.hypot(t.a, t.b);
  ctx.setTransform(t.a, t.b, -t.b, t.a, t.e, t.f);
  let fill = '';
  for (const p of prims) {
    if ((p.decor || p.fine) && skipDecor) continue;
    if (p.fill !== fill) ctx.fillStyle = fill = p.fill;
    tracePath(ctx, p.shape);
    ctx.fill();
    if (p.pattern) {
      fill = '';
      if (!clippedPatterns && fillPatternTile(ctx, p.shape, p.pattern, scale)) continue;
      ctx.save();
      ctx.clip();
      drawPatternClipped(ctx, p.shape, p.pattern, scale);
      ctx.restore();
    }
  }
  ctx.setTransform(1, 0, 0, 1, 0, 0);
}
