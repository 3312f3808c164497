/**
 * Coverage mask: which drawable owns each pixel after painter's-order drawing. Used to derive the
 * visible box (after occlusion, clipped to the frame), the full box and the visible share.
 * Pixel centres are tested, so a box spans the pixels whose centre the shape covers.
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

let scratchBuffer = new Uint8Array(1 << 16);

export class OwnerMask {
  readonly owner: Uint16Array;
  constructor(readonly width: number, readonly height: number, reuse?: Uint16Array) {
    this.owner = reuse && reuse.length === width * height ? reuse.fill(0) : new Uint16Array(width * height);
  }

  /**
   * Paints the prims as `id` (luggage and objects as OCCLUDER) over what is there. Returns the
   * occlusion-free coverage of the non-luggage prims, counted also outside the frame.
   */
  paint(prims: readonly Prim[], t: Xform, id: number): Coverage {
    const s2 = t.a * t.a + t.b * t.b;
    const bounds = prims.map((p) => imageBounds(p.shape, t));
    // A scratch bitmap over the figure's bounds counts overlapping parts once, off-frame included.
    let gx0 = Infinity, gy0 = Infinity, gx1 = -Infinity, gy1 = -Infinity;
    prims.forEach((p, i) => {
      if (p.decor || p.luggage) return;
      const b = bounds[i]!;
      gx0 = Math.min(gx0, Math.floor(b[0])); gy0 = Math.min(gy0, Math.floor(b[1]));
      gx1 = Math.max(gx1, Math.ceil(b[2])); gy1 = Math.max(gy1, Math.ceil(b[3]));
    });
    const gw = Number.isFinite(gx0) ? gx1 - gx0 + 1 : 0;
    const gh = Number.isFinite(gy0) ? gy1 - gy0 + 1 : 0;
    if (id !== OCCLUDER && scratchBuffer.length < gw * gh) scratchBuffer = new Uint8Array(gw * gh * 2);
    const scratch = scratchBuffer;
    if (id !== OCCLUDER) scratch.fill(0, 0, gw * gh);
    let full = 0;
    let bx0 = Infinity, by0 = Infinity, bx1 = -Infinity, by1 = -Infinity;
    const W = this.width, Hh = this.height, owner = this.owner;
    // Inverse transform (image → local) as x = ia·ix + ib·iy, y = −ib·ix + ia·iy.
    const ia = t.a / s2, ib = t.b / s2;
    prims.forEach((p, i) => {
      if (p.decor) return;
      const who = p.luggage || id === OCCLUDER ? OCCLUDER : id;
      const [u0, v0, u1, v1] = bounds[i]!;
      const px0 = Math.max(Math.floor(u0), who === OCCLUDER ? 0 : -1e9), px1 = Math.min(Math.ceil(u1), who === OCCLUDER ? W - 1 : 1e9);
      const py0 = Math.max(Math.floor(v0), who === OCCLUDER ? 0 : -1e9), py1 = Math.min(Math.ceil(v1), who === OCCLUDER ? Hh - 1 : 1e9);
      const test = insideTest(p.shape);
      for (let py = py0; py <= py1; py++) {
        const iy = py + 0.5 - t.f;
        const rowOn = py >= 0 && py < Hh;
        for (let px = px0; px <= px1; px++) {
          const ix = px + 0.5 - t.e;
          if (!test(ia * ix + ib * iy, -ib * ix + ia * iy)) continue;
          if (rowOn && px >= 0 && px < W) owner[py * W + px] = who;
          if (who === OCCLUDER) continue;
          const k = (py - gy0) * gw + (px - gx0);
          if (scratch[k]) continue;
          scratch[k] = 1;
          full++;
          if (px < bx0) bx0 = px;
          if (px > bx1) bx1 = px;
          if (py < by0) by0 = py;
          if (py > by1) by1 = py;
        }
      }
    });
    return { fullPixels: full, fullBox: full ? [bx0, by0, bx1 + 1, by1 + 1] : [0, 0, 0, 0] };
  }

  /** Visible pixel count and tight visible box per owner id (index = id). */
  visible(maxId: number): Array<{ pixels: number; box: [number, number, number, number] } | undefined> {
    const out: Array<{ pixels: number; box: [number, number, number, number] } | undefined> = new Array(maxId + 1);
    const { owner, width, height } = this;
    for (let y = 0; y < height; y++) {
      const row = y * width;
      for (let x = 0; x < width; x++) {
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

/** A point-in-shape test specialised for one shape (hot loop: no switch per pixel). */
function insideTest(s: Shape): (x: number, y: number) => boolean {
  switch (s.k) {
    case 'caps': {
      const { x1, y1, r } = s;
      const dx = s.x2 - x1, dy = s.y2 - y1;
      const len2 = dx * dx + dy * dy;
      const inv = len2 > 0 ? 1 / len2 : 0;
      const r2 = r * r;
      return (x, y) => {
        let u = ((x - x1) * dx + (y - y1) * dy) * inv;
        u = u < 0 ? 0 : u > 1 ? 1 : u;
        const px = x1 + u * dx - x, py = y1 + u * dy - y;
        return px * px + py * py <= r2;
      };
    }
    case 'ell': {
      const { cx, cy } = s;
      const irx = 1 / s.rx, iry = 1 / s.ry;
      return (x, y) => {
        const nx = (x - cx) * irx, ny = (y - cy) * iry;
        return nx * nx + ny * ny <= 1;
      };
    }
    case 'poly': {
      const p = s.pts;
      const n = p.length;
      return (x, y) => {
        let c = false;
        for (let i = 0, j = n - 2; i < n; j = i, i += 2) {
          const yi = p[i + 1]!, yj = p[j + 1]!;
          if (yi > y !== yj > y) {
            const xi = p[i]!, xj = p[j]!;
            if (x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) c = !c;
          }
        }
        return c;
      };
    }
  }
}
