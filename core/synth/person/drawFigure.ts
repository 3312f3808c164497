/** Renders primitives (a figure, luggage or a scene object) onto a canvas, patterns included. */
import type { Context2D } from '../../image/canvas';
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

function drawPattern(ctx: Context2D, s: Shape, p: Pattern, pxPerUnit: number): void {
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

/** Draws prims under a similarity transform; `skipDecor` leaves out sub-pixel details of tiny figures. */
export function drawPrims(ctx: Context2D, prims: readonly Prim[], t: Xform, skipDecor = false): void {
  const scale = Math.hypot(t.a, t.b);
  ctx.setTransform(t.a, t.b, -t.b, t.a, t.e, t.f);
  let fill = '';
  for (const p of prims) {
    if ((p.decor || p.fine) && skipDecor) continue;
    if (p.fill !== fill) ctx.fillStyle = fill = p.fill;
    tracePath(ctx, p.shape);
    ctx.fill();
    if (p.pattern) {
      ctx.save();
      ctx.clip();
      drawPattern(ctx, p.shape, p.pattern, scale);
      ctx.restore();
      fill = '';
    }
  }
  ctx.setTransform(1, 0, 0, 1, 0, 0);
}
