/**
 * Coverage mask: which drawable owns each pixel after painter's-order drawing. Used to derive the
 * visible box (after occlusion, clipped to the frame), the full box and the visible share.
 * A pixel belongs to a shape when its centre is inside. Shapes are rasterised as row spans (all
 * shapes used are row-convex: each row meets them in one interval), which keeps this cheap.
 */
import { imageBounds, type Prim, type Shape, type Xform } from './prims';

export const NOBODY = 0;
/** Owner id of scene objects and luggage (occlude, never boxed). */
export const OCCLUDER = 0xffff;

export interface Coverage {
  /** Pixels covered by the figure ignoring occlusion and the frame edge. */
  fullPixels: number;
  fullBox: [number, number, number, number];
}

/**
 * Row spans of one shape, written into a reusable buffer as (row, x0, x1) triples (x1 exclusive).
 * A buffer instead of a callback: no closure per shape on the hot path (tsx wraps every closure
 * creation in a naming helper, and the mask rasterises ~300 shapes per frame).
 */
export class SpanBuffer {
  data = new Int32Array(3 * 1024);
  count = 0;
  push(row: number, x0: number, x1: number): void {
    const i = 3 * this.count;
    if (i + 3 > this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[i] = row;
    this.data[i + 1] = x0;
    this.data[i + 2] = x1;
    this.count++;
  }
}

const polyXs: number[] = [];
const polyYs: number[] = [];

function spansOfPoly(xs: number[], ys: number[], n: number, out: SpanBuffer, rowMin: number, rowMax: number): void {
  let y0 = Infinity, y1 = -Infinity;
  for (let i = 0; i < n; i++) { const y = ys[i]!; if (y < y0) y0 = y; if (y > y1) y1 = y; }
  for (let row = Math.max(rowMin, Math.ceil(y0 - 0.5)); row + 0.5 <= y1 && row <= rowMax; row++) {
    const yc = row + 0.5;
    let lo = Infinity, hi = -Infinity;
    for (let i = 0, j = n - 1; i < n; j = i++) {
      const yi = ys[i]!, yj = ys[j]!;
      if ((yi <= yc && yj >= yc) || (yj <= yc && yi >= yc)) {
        const x = yi === yj ? Math.min(xs[i]!, xs[j]!) : xs[i]! + ((yc - yi) * (xs[j]! - xs[i]!)) / (yj - yi);
        const x2 = yi === yj ? Math.max(xs[i]!, xs[j]!) : x;
        if (x < lo) lo = x;
        if (x2 > hi) hi = x2;
      }
    }
    if (hi >= lo) out.push(row, Math.ceil(lo - 0.5), Math.floor(hi - 0.5) + 1);
  }
}

/** Rasterises one shape under a transform into row spans (appended to `out`). */
export function shapeSpans(s: Shape, t: Xform, out: SpanBuffer, rowMin = -Infinity, rowMax = Infinity): void {
  const sc = Math.hypot(t.a, t.b);
  const ta = t.a, tb = t.b, te = t.e, tf = t.f;
  switch (s.k) {
    case 'poly': {
      const pts = s.pts, n = pts.length >> 1;
      for (let i = 0; i < n; i++) {
        const x = pts[2 * i]!, y = pts[2 * i + 1]!;
        polyXs[i] = te + ta * x - tb * y;
        polyYs[i] = tf + tb * x + ta * y;
      }
      spansOfPoly(polyXs, polyYs, n, out, rowMin, rowMax);
      return;
    }
    case 'ell': {
      const cx = te + ta * s.cx - tb * s.cy, cy = tf + tb * s.cx + ta * s.cy;
      const a = s.rx * sc, b = s.ry * sc;
      const cos = t.a / sc, sin = t.b / sc;
      // Rotated ellipse: A·dx² + B·dx + C ≤ 0 on each row.
      const ia = 1 / (a * a), ib = 1 / (b * b);
      const A = cos * cos * ia + sin * sin * ib;
      const Bk = 2 * sin * cos * (ia - ib);
      const Ck = sin * sin * ia + cos * cos * ib;
      const ext = Math.max(a, b);
      for (let row = Math.max(rowMin, Math.ceil(cy - ext - 0.5)); row + 0.5 <= cy + ext && row <= rowMax; row++) {
        const dy = row + 0.5 - cy;
        const B = Bk * dy, C = Ck * dy * dy - 1;
        const disc = B * B - 4 * A * C;
        if (disc < 0) continue;
        const r = Math.sqrt(disc);
        const lo = cx + (-B - r) / (2 * A), hi = cx + (-B + r) / (2 * A);
        const x0 = Math.ceil(lo - 0.5), x1 = Math.floor(hi - 0.5) + 1;
        if (x1 > x0) out.push(row, x0, x1);
      }
      return;
    }
    case 'caps': {
      const x1 = te + ta * s.x1 - tb * s.y1, y1 = tf + tb * s.x1 + ta * s.y1;
      const x2 = te + ta * s.x2 - tb * s.y2, y2 = tf + tb * s.x2 + ta * s.y2;
      const r = s.r * sc;
      const len = Math.hypot(x2 - x1, y2 - y1);
      const nx = len > 0 ? (-(y2 - y1) / len) * r : 0, ny = len > 0 ? ((x2 - x1) / len) * r : 0;
      // Corners of the capsule's body rectangle, in order (edges j→i below as in the polygon case).
      const bx0 = x1 + nx, bx1 = x2 + nx, bx2 = x2 - nx, bx3 = x1 - nx;
      const by0 = y1 + ny, by1 = y2 + ny, by2 = y2 - ny, by3 = y1 - ny;
      const top = Math.min(y1, y2) - r, bottom = Math.max(y1, y2) + r;
      for (let row = Math.max(rowMin, Math.ceil(top - 0.5)); row + 0.5 <= bottom && row <= rowMax; row++) {
        const yc = row + 0.5;
        let lo = Infinity, hi = -Infinity;
        const d1 = yc - y1, q1 = r * r - d1 * d1;
        if (q1 >= 0) { const h = Math.sqrt(q1); lo = Math.min(lo, x1 - h); hi = Math.max(hi, x1 + h); }
        const d2 = yc - y2, q2 = r * r - d2 * d2;
        if (q2 >= 0) { const h = Math.sqrt(q2); lo = Math.min(lo, x2 - h); hi = Math.max(hi, x2 + h); }
        if (len > 0) {
          for (let i = 0; i < 4; i++) {
            // Edge (i, j) with j the previous corner, as the polygon loop `for (i = 0, j = 3; …; j = i++)`.
            const xi = i === 0 ? bx0 : i === 1 ? bx1 : i === 2 ? bx2 : bx3;
            const yi = i === 0 ? by0 : i === 1 ? by1 : i === 2 ? by2 : by3;
            const xj = i === 0 ? bx3 : i === 1 ? bx0 : i === 2 ? bx1 : bx2;
            const yj = i === 0 ? by3 : i === 1 ? by0 : i === 2 ? by1 : by2;
            if ((yi <= yc && yj >= yc) || (yj <= yc && yi >= yc)) {
              const x = yi === yj ? xi : xi + ((yc - yi) * (xj - xi)) / (yj - yi);
              if (x < lo) lo = x;
              if (x > hi) hi = x;
              if (yi === yj && xj > hi) hi = xj;
              if (yi === yj && xj < lo) lo = xj;
            }
          }
        }
        if (hi < lo) continue;
        const a0 = Math.ceil(lo - 0.5), a1 = Math.floor(hi - 0.5) + 1;
        if (a1 > a0) out.push(row, a0, a1);
      }
    }
  }
}

let scratchBuffer = new Uint8Array(1 << 16);
const sharedSpans = new SpanBuffer();

export class OwnerMask {
  readonly owner: Uint16Array;
  private readonly spans = sharedSpans;
  /** Per row, the column range [rowLo, rowHi) where figures were painted (pixels a person may own). */
  private readonly rowLo: Int32Array;
  private readonly rowHi: Int32Array;
  constructor(readonly width: number, readonly height: number, reuse?: Uint16Array) {
    this.owner = reuse && reuse.length === width * height ? reuse.fill(0) : new Uint16Array(width * height);
    this.rowLo = new Int32Array(height).fill(width);
    this.rowHi = new Int32Array(height);
  }

  /**
   * Paints the prims as `id` (luggage and objects as OCCLUDER) over what is there. Returns the
   * occlusion-free coverage of the non-luggage prims, counted also outside the frame.
   */
  paint(prims: readonly Prim[], t: Xform, id: number): Coverage {
    const W = this.width, H = this.height, owner = this.owner;
    const spans = this.spans;
    if (id === OCCLUDER) {
      for (const p of prims) {
        if (p.decor) continue;
        spans.count = 0;
        shapeSpans(p.shape, t, spans, 0, H - 1);
        const d = spans.data;
        for (let k = 0; k < 3 * spans.count; k += 3) {
          const row = d[k]!, a = Math.max(0, d[k + 1]!), b = Math.min(W, d[k + 2]!);
          if (b > a) owner.fill(OCCLUDER, row * W + a, row * W + b);
        }
      }
      return { fullPixels: 0, fullBox: [0, 0, 0, 0] };
    }
    // Body pixels are also marked on a scratch bitmap over the figure's bounds, so overlapping
    // parts and off-frame parts are counted once for the full box and visible share.
    let gx0 = Infinity, gy0 = Infinity, gx1 = -Infinity, gy1 = -Infinity;
    for (const p of prims) {
      if (p.decor || p.luggage) continue;
      const b = imageBounds(p.shape, t);
      if (b[0] < gx0) gx0 = b[0];
      if (b[1] < gy0) gy0 = b[1];
      if (b[2] > gx1) gx1 = b[2];
      if (b[3] > gy1) gy1 = b[3];
    }
    if (!Number.isFinite(gx0)) return { fullPixels: 0, fullBox: [0, 0, 0, 0] };
    const ox = Math.floor(gx0) - 1, oy = Math.floor(gy0) - 1;
    const gw = Math.ceil(gx1) - ox + 2, gh = Math.ceil(gy1) - oy + 2;
    if (scratchBuffer.length < gw * gh) scratchBuffer = new Uint8Array(gw * gh * 2);
    const scratch = scratchBuffer;
    scratch.fill(0, 0, gw * gh);
    for (const p of prims) {
      if (p.decor) continue;
      const who = p.luggage ? OCCLUDER : id;
      spans.count = 0;
      shapeSpans(p.shape, t, spans);
      const d = spans.data;
      for (let k = 0; k < 3 * spans.count; k += 3) {
        const row = d[k]!, x0 = d[k + 1]!, x1 = d[k + 2]!;
        if (row >= 0 && row < H) {
          const a = Math.max(0, x0), b = Math.min(W, x1);
          if (b > a) owner.fill(who, row * W + a, row * W + b);
        }
        if (who === OCCLUDER) continue;
        const r = row - oy;
        if (r < 0 || r >= gh) continue;
        const a = Math.max(0, x0 - ox), b = Math.min(gw, x1 - ox);
        if (b > a) scratch.fill(1, r * gw + a, r * gw + b);
      }
    }
    let full = 0;
    let bx0 = Infinity, by0 = Infinity, bx1 = -Infinity, by1 = -Infinity;
    for (let r = 0; r < gh; r++) {
      const base = r * gw;
      let first = -1, last = -1;
      for (let c = 0; c < gw; c++) {
        if (scratch[base + c]) {
          full++;
          if (first < 0) first = c;
          last = c;
        }
      }
      if (first < 0) continue;
      if (first + ox < bx0) bx0 = first + ox;
      if (last + ox + 1 > bx1) bx1 = last + ox + 1;
      if (r + oy < by0) by0 = r + oy;
      by1 = r + oy + 1;
    }
    // Rows of the frame this figure may own pixels in, for the visible-pixel scan.
    this.extendRows(Math.max(0, oy), Math.min(H, oy + gh), Math.max(0, ox), Math.min(W, ox + gw));
    return full ? { fullPixels: full, fullBox: [bx0, by0, bx1, by1] } : { fullPixels: 0, fullBox: [0, 0, 0, 0] };
  }

  /** Widens the per-row column range the visible scan has to look at. */
  private extendRows(r0: number, r1: number, c0: number, c1: number): void {
    const lo = this.rowLo, hi = this.rowHi;
    for (let r = r0; r < r1; r++) {
      if (c0 < lo[r]!) lo[r] = c0;
      if (c1 > hi[r]!) hi[r] = c1;
    }
  }

  /** Visible pixel count and tight visible box per owner id (index = id). */
  visible(maxId: number): Array<{ pixels: number; box: [number, number, number, number] } | undefined> {
    const out: Array<{ pixels: number; box: [number, number, number, number] } | undefined> = new Array(maxId + 1);
    const { owner, width, height } = this;
    const { rowLo, rowHi } = this;
    // Only where figures were painted: elsewhere every pixel is NOBODY or OCCLUDER.
    for (let y = 0; y < height; y++) {
      const row = y * width;
      for (let x = rowLo[y]!, xEnd = rowHi[y]!; x < xEnd; x++) {
        const id = owner[row + x]!;
        if (id === NOBODY || id === OCCLUDER || id > maxId) continue;
        let v = out[id];
        if (!v) out[id] = v = { pixels: 0, box: [x, y, x + 1, y + 1] };
        v.pixels++;
        if (x < v.box[0]) v.box[0] = x;
        if (x + 1 > v.box[2]) v.box[2] = x + 1;
        if (y + 1 > v.box[3]) v.box[3] = y + 1;
      }
    }
    return out;
  }
}
