/**
 * Drawing primitives shared by the renderer (canvas) and the coverage mask (JS rasteriser), so the
 * annotated boxes follow exactly the shapes that are drawn.
 *
 * Shapes live in a local frame mapped to the image by a similarity transform
 * (ix = e + a·x − b·y, iy = f + b·x + a·y), i.e. canvas setTransform(a, b, −b, a, e, f).
 */

export interface Xform { a: number; b: number; e: number; f: number }

export const IDENTITY: Xform = { a: 1, b: 0, e: 0, f: 0 };

export type Shape =
  | { k: 'caps'; x1: number; y1: number; x2: number; y2: number; r: number }
  | { k: 'ell'; cx: number; cy: number; rx: number; ry: number }
  | { k: 'poly'; pts: number[] };

export interface Pattern {
  /** PATTERNS code 1..6. */
  code: number;
  colour: string;
  /** Stripe/check spacing in local units. */
  spacing: number;
}

export interface Prim {
  shape: Shape;
  fill: string;
  pattern?: Pattern;
  /** Luggage is drawn and occludes others but does not extend its owner's box. */
  luggage?: boolean;
  /** No mask coverage (thin straps, shadows, trims): drawn only. */
  decor?: boolean;
  /** Small detail inside the figure's outline: in the mask, but not drawn on tiny figures. */
  fine?: boolean;
}

export function apply(t: Xform, x: number, y: number): [number, number] {
  return [t.e + t.a * x - t.b * y, t.f + t.b * x + t.a * y];
}

/** Local bounding box of a shape: [minX, minY, maxX, maxY]. */
export function localBounds(s: Shape): [number, number, number, number] {
  switch (s.k) {
    case 'caps':
      return [Math.min(s.x1, s.x2) - s.r, Math.min(s.y1, s.y2) - s.r, Math.max(s.x1, s.x2) + s.r, Math.max(s.y1, s.y2) + s.r];
    case 'ell':
      return [s.cx - s.rx, s.cy - s.ry, s.cx + s.rx, s.cy + s.ry];
    case 'poly': {
      let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      for (let i = 0; i < s.pts.length; i += 2) {
        const x = s.pts[i]!, y = s.pts[i + 1]!;
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
      return [x0, y0, x1, y1];
    }
  }
}

/** Image-space bounding box of a shape under a transform (the box of its local box's four corners). */
export function imageBounds(s: Shape, t: Xform): [number, number, number, number] {
  const [x0, y0, x1, y1] = localBounds(s);
  // Corners in the order (x0, y0), (x1, y0), (x0, y1), (x1, y1), as apply() maps them.
  const u00 = t.e + t.a * x0 - t.b * y0, v00 = t.f + t.b * x0 + t.a * y0;
  const u10 = t.e + t.a * x1 - t.b * y0, v10 = t.f + t.b * x1 + t.a * y0;
  const u01 = t.e + t.a * x0 - t.b * y1, v01 = t.f + t.b * x0 + t.a * y1;
  const u11 = t.e + t.a * x1 - t.b * y1, v11 = t.f + t.b * x1 + t.a * y1;
  return [Math.min(u00, u10, u01, u11), Math.min(v00, v10, v01, v11), Math.max(u00, u10, u01, u11), Math.max(v00, v10, v01, v11)];
}

/** Whether local point (x, y) is inside the shape. */
export function inside(s: Shape, x: number, y: number): boolean {
  switch (s.k) {
    case 'caps': {
      const dx = s.x2 - s.x1, dy = s.y2 - s.y1;
      const len2 = dx * dx + dy * dy;
      let t = len2 > 0 ? ((x - s.x1) * dx + (y - s.y1) * dy) / len2 : 0;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const px = s.x1 + t * dx - x, py = s.y1 + t * dy - y;
      return px * px + py * py <= s.r * s.r;
    }
    case 'ell': {
      const nx = (x - s.cx) / s.rx, ny = (y - s.cy) / s.ry;
      return nx * nx + ny * ny <= 1;
    }
    case 'poly': {
      const p = s.pts;
      let c = false;
      for (let i = 0, j = p.length - 2; i < p.length; j = i, i += 2) {
        const xi = p[i]!, yi = p[i + 1]!, xj = p[j]!, yj = p[j + 1]!;
        if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) c = !c;
      }
      return c;
    }
  }
}
