/**
 * Generator ≥ 1.2.0 draws people, luggage, scene objects and shadows with this small anti-aliased
 * scanline rasteriser straight into an RGBA buffer instead of through canvas paths: each canvas
 * call costs about a microsecond through the native binding and a frame made ~1,500 of them (a
 * third of a frame's CPU time), while the shapes are small and all row-convex (capsules, ellipses,
 * convex polygons — the coverage mask in mask.ts relies on the same property).
 *
 * Anti-aliasing: SUB sub-scanlines per pixel row, each meeting the shape in one interval whose
 * horizontal coverage of every pixel is exact; a pixel's coverage is the mean over sub-scanlines.
 * Inside a shape's vertical extent the sub-scanline intervals are interpolated between the row's
 * boundary lines (one shape evaluation per row instead of SUB).
 * Garment patterns are evaluated analytically in the garment's local frame (box-filtered over the
 * pixel footprint), phased to the garment's bounds like the 1.1.0 tiles.
 */
import { parseColour } from './cssColour';
import { localBounds, type Pattern, type Prim, type Shape, type Xform } from './prims';

const SUB = 4;
const INV_SUB = 1 / SUB;

// The shape being filled, in image space (module state: no allocation per shape).
let kind = 0; // 0 polygon, 1 ellipse, 2 capsule
let polyN = 0;
let polyX = new Float64Array(64);
let polyY = new Float64Array(64);
let eCx = 0, eCy = 0, eA = 0, eBk = 0, eCk = 0;
let cX1 = 0, cY1 = 0, cX2 = 0, cY2 = 0, cR = 0, cLen = 0;
const sideY0 = new Float64Array(2), sideY1 = new Float64Array(2), sideSlope = new Float64Array(2);
const sideX = new Float64Array(2), sideYa = new Float64Array(2), sideXb = new Float64Array(2), sideFlat = new Uint8Array(2);
let yTop = 0, yBottom = 0;
// The interval found by span(), [lo, hi]: a typed array, as module-level `let` doubles would be
// re-boxed (a heap allocation) on every write.
const SPAN = new Float64Array(2);

function setShape(s: Shape, t: Xform): void {
  const ta = t.a, tb = t.b, te = t.e, tf = t.f;
  switch (s.k) {
    case 'poly': {
      const pts = s.pts, n = pts.length >> 1;
      if (n > polyX.length) { polyX = new Float64Array(2 * n); polyY = new Float64Array(2 * n); }
      let y0 = Infinity, y1 = -Infinity;
      for (let i = 0; i < n; i++) {
        const x = pts[2 * i]!, y = pts[2 * i + 1]!;
        const v = tf + tb * x + ta * y;
        polyX[i] = te + ta * x - tb * y;
        polyY[i] = v;
        if (v < y0) y0 = v;
        if (v > y1) y1 = v;
      }
      kind = 0; polyN = n; yTop = y0; yBottom = y1;
      return;
    }
    case 'ell': {
      const sc = Math.hypot(ta, tb);
      eCx = te + ta * s.cx - tb * s.cy;
      eCy = tf + tb * s.cx + ta * s.cy;
      const a = s.rx * sc, b = s.ry * sc;
      const cos = ta / sc, sin = tb / sc;
      const ia = 1 / (a * a), ib = 1 / (b * b);
      eA = cos * cos * ia + sin * sin * ib;
      eBk = 2 * sin * cos * (ia - ib);
      eCk = sin * sin * ia + cos * cos * ib;
      // Exact vertical extent of the rotated ellipse.
      const ext = Math.sqrt(a * a * sin * sin + b * b * cos * cos);
      kind = 1; yTop = eCy - ext; yBottom = eCy + ext;
      return;
    }
    case 'caps': {
      const sc = Math.hypot(ta, tb);
      cX1 = te + ta * s.x1 - tb * s.y1; cY1 = tf + tb * s.x1 + ta * s.y1;
      cX2 = te + ta * s.x2 - tb * s.y2; cY2 = tf + tb * s.x2 + ta * s.y2;
      cR = s.r * sc;
      cLen = Math.hypot(cX2 - cX1, cY2 - cY1);
      // The body's two long sides (its short sides are diameters of the end discs, inside them).
      if (cLen > 0) {
        const nx = (-(cY2 - cY1) / cLen) * cR, ny = ((cX2 - cX1) / cLen) * cR;
        for (let k = 0; k < 2; k++) {
          const sg = k === 0 ? 1 : -1;
          const ax = cX1 + sg * nx, ay = cY1 + sg * ny, bx2 = cX2 + sg * nx, by2 = cY2 + sg * ny;
          sideY0[k] = Math.min(ay, by2); sideY1[k] = Math.max(ay, by2);
          sideSlope[k] = by2 !== ay ? (bx2 - ax) / (by2 - ay) : 0;
          sideX[k] = ax; sideYa[k] = ay;
          sideFlat[k] = by2 === ay ? 1 : 0;
          sideXb[k] = bx2;
        }
      }
      kind = 2; yTop = Math.min(cY1, cY2) - cR; yBottom = Math.max(cY1, cY2) + cR;
    }
  }
}

/**
 * The shape's interval on a horizontal line (SPAN): y = row (j < 0) or sub-scanline j of pixel row
 * `row`. Integer arguments: a double passed to a call that is not inlined is boxed (allocated).
 */
function span(row: number, j: number): boolean {
  const yc = j < 0 ? row : row + (j + 0.5) * INV_SUB;
  let lo = Infinity, hi = -Infinity;
  if (kind === 1) {
    const dy = yc - eCy;
    const B = eBk * dy, C = eCk * dy * dy - 1;
    const disc = B * B - 4 * eA * C;
    if (disc < 0) return false;
    const r = Math.sqrt(disc);
    SPAN[0] = eCx + (-B - r) / (2 * eA);
    SPAN[1] = eCx + (-B + r) / (2 * eA);
    return true;
  }
  if (kind === 0) {
    const n = polyN;
    for (let i = 0, j = n - 1; i < n; j = i++) {
      const yi = polyY[i]!, yj = polyY[j]!;
      if ((yi <= yc && yj >= yc) || (yj <= yc && yi >= yc)) {
        const xi = polyX[i]!, xj = polyX[j]!;
        if (yi === yj) {
          if (xi < lo) lo = xi;
          if (xj < lo) lo = xj;
          if (xi > hi) hi = xi;
          if (xj > hi) hi = xj;
        } else {
          const x = xi + ((yc - yi) * (xj - xi)) / (yj - yi);
          if (x < lo) lo = x;
          if (x > hi) hi = x;
        }
      }
    }
  } else {
    const r2 = cR * cR;
    const d1 = yc - cY1, q1 = r2 - d1 * d1;
    if (q1 >= 0) { const h = Math.sqrt(q1); lo = cX1 - h; hi = cX1 + h; }
    const d2 = yc - cY2, q2 = r2 - d2 * d2;
    if (q2 >= 0) { const h = Math.sqrt(q2); if (cX2 - h < lo) lo = cX2 - h; if (cX2 + h > hi) hi = cX2 + h; }
    if (cLen > 0) {
      for (let k = 0; k < 2; k++) {
        if (yc < sideY0[k]! || yc > sideY1[k]!) continue;
        if (sideFlat[k]) {
          const xa = sideX[k]!, xb = sideXb[k]!;
          if (xa < lo) lo = xa;
          if (xb < lo) lo = xb;
          if (xa > hi) hi = xa;
          if (xb > hi) hi = xb;
          continue;
        }
        const x = sideX[k]! + (yc - sideYa[k]!) * sideSlope[k]!;
        if (x < lo) lo = x;
        if (x > hi) hi = x;
      }
    }
  }
  if (!(hi > lo)) return false;
  SPAN[0] = lo; SPAN[1] = hi;
  return true;
}

// Pattern of the shape being filled (0 = none), in the garment's local frame.
let patCode = 0;
let pR = 0, pG = 0, pB = 0, pA = 0;
let inv00 = 0, inv01 = 0, invE = 0, invF = 0; // local = inverse similarity of the image point
let pOx = 0, pOy = 0, pSp = 1, pFw = 0.1, pSpotR = 0.24, pPx = 1;
let logoCx = 0, logoCy = 0, logoR = 0;

/** Box-filtered share of [t − fw/2, t + fw/2] whose fractional part lies in [a, a + w). */
function band(t: number, a: number, w: number, fw: number): number {
  const t0 = t - fw / 2, t1 = t + fw / 2;
  const f0 = Math.floor(t0), f1 = Math.floor(t1);
  let r0 = t0 - f0 - a, r1 = t1 - f1 - a;
  r0 = r0 < 0 ? 0 : r0 > w ? w : r0;
  r1 = r1 < 0 ? 0 : r1 > w ? w : r1;
  return ((f1 - f0) * w + r1 - r0) / fw;
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

/** Share of the pattern colour at the centre of pixel (x, row) (integers: see span). */
function patternAt(x: number, row: number): number {
  const dx = x + 0.5 - invE, dy = row + 0.5 - invF;
  const lx = inv00 * dx + inv01 * dy, ly = -inv01 * dx + inv00 * dy;
  if (patCode === 6) {
    const disc = clamp01((logoR - Math.hypot(lx - logoCx, ly - logoCy)) * pPx + 0.5);
    const h = 0.5 / pPx;
    const bxs = clamp01((Math.min(lx + h, logoCx + 1.3 * logoR) - Math.max(lx - h, logoCx - 1.3 * logoR)) * pPx);
    const bys = clamp01((Math.min(ly + h, logoCy + 1.65 * logoR) - Math.max(ly - h, logoCy + 1.1 * logoR)) * pPx);
    return Math.max(disc, bxs * bys);
  }
  const u = (lx - pOx) / pSp, v = (ly - pOy) / pSp, fw = pFw;
  switch (patCode) {
    case 1: { // check: crossing bands
      const a = band(u, 0.3, 0.34, fw), b = band(v, 0.3, 0.34, fw);
      return a + b - a * b;
    }
    case 2: // diagonal stripes: lines u − v ∈ ℤ, 0.45 periods wide
      return band(u - v + 0.318, 0, 0.636, fw * Math.SQRT2);
    case 3:
      return band(u, 0.25, 0.48, fw);
    case 4:
      return band(v, 0.25, 0.48, fw);
    case 5: { // spots on a staggered grid (odd rows shifted half a period)
      const r0 = Math.floor((v - 0.4) / 0.9);
      let best = 0;
      for (let row = r0; row <= r0 + 1; row++) {
        const cx = (row & 1 ? 0.5 : 0) + 0.2;
        const du = u - cx - Math.round(u - cx), dv = v - 0.4 - row * 0.9;
        const c = clamp01((pSpotR - Math.sqrt(du * du + dv * dv)) / fw + 0.5);
        if (c > best) best = c;
      }
      return best;
    }
  }
  return 0;
}

function setPattern(p: Pattern | undefined, s: Shape, t: Xform): void {
  patCode = 0;
  if (!p || p.code < 1 || p.code > 6) return;
  const s2 = t.a * t.a + t.b * t.b;
  const px = Math.sqrt(s2);
  inv00 = t.a / s2; inv01 = t.b / s2; invE = t.e; invF = t.f;
  pPx = px;
  const [x0, y0, x1, y1] = localBounds(s);
  if (p.code === 6) {
    logoCx = (x0 + x1) / 2;
    logoCy = y0 + (y1 - y0) * 0.4;
    logoR = Math.max(Math.min(x1 - x0, y1 - y0) * 0.27, 1.4 / px);
  } else {
    pSp = Math.max(p.spacing, 2.4 / px);
    const period = pSp * px;
    pFw = 1 / period;
    pSpotR = Math.max(0.24, 0.9 / period);
    pOx = p.code === 2 ? x0 - (y1 - y0) : x0;
    pOy = y0;
  }
  [pR, pG, pB, pA] = parseColour(p.colour);
  patCode = p.code;
}

/** An RGBA pixel buffer (straight alpha, opaque) that shapes are composited onto. */
export class PixelRaster {
  private readonly u32: Uint32Array;
  private readonly los = new Float64Array(SUB);
  private readonly his = new Float64Array(SUB);
  /** `stride`: pixels per row of `data` (a frame may be drawn into the top-left of a larger buffer). */
  constructor(readonly data: Uint8ClampedArray, readonly width: number, readonly height: number, readonly stride = width) {
    this.u32 = new Uint32Array(data.buffer, data.byteOffset, data.length >> 2);
  }

  /**
   * Fills a shape (local frame mapped by `t`) with colour (r, g, b) at opacity `alpha`, then its pattern.
   * Per pixel row: the pixels every sub-scanline covers fully are one run (a plain 32-bit fill when
   * opaque and unpatterned); only the few pixels at the two ends get their coverage summed.
   */
  fill(s: Shape, t: Xform, r: number, g: number, b: number, alpha: number, pattern?: Pattern): void {
    setShape(s, t);
    setPattern(pattern, s, t);
    const W = this.width, los = this.los, his = this.his, u32 = this.u32, data = this.data;
    const packed = ((255 << 24) | (Math.round(b) << 16) | (Math.round(g) << 8) | Math.round(r)) >>> 0;
    const solid = alpha === 1 && patCode === 0 && r === Math.round(r) && g === Math.round(g) && b === Math.round(b);
    const row0 = Math.max(0, Math.floor(yTop)), row1 = Math.min(this.height - 1, Math.ceil(yBottom) - 1);
    // The shape's interval on the row's top boundary line (shared with the row above).
    let topHit = span(row0, -1), topLo = SPAN[0]!, topHi = SPAN[1]!;
    for (let row = row0; row <= row1; row++) {
      let n = 0;
      let xMin = W, xMax = -1, inLo = 0, inHi = W;
      const botHit = span(row + 1, -1), botLo = SPAN[0]!, botHi = SPAN[1]!;
      // A convex shape met by both boundary lines meets every line between: its sub-scanline
      // intervals are interpolated (exact for straight edges, a sub-pixel chord on curves and at
      // vertices). Rows where the shape begins or ends evaluate each sub-scanline exactly.
      const lerp = topHit && botHit;
      for (let j = 0; j < SUB; j++) {
        const f = (j + 0.5) * INV_SUB;
        let lo: number, hi: number;
        if (lerp) {
          lo = topLo + (botLo - topLo) * f;
          hi = topHi + (botHi - topHi) * f;
        } else if (span(row, j)) {
          lo = SPAN[0]!; hi = SPAN[1]!;
        } else {
          continue;
        }
        if (lo < 0) lo = 0;
        if (hi > W) hi = W;
        if (!(hi > lo)) continue;
        los[n] = lo; his[n] = hi; n++;
        const il = Math.floor(lo), ih = Math.ceil(hi) - 1;
        if (il < xMin) xMin = il;
        if (ih > xMax) xMax = ih;
        const cl = Math.ceil(lo), fh = Math.floor(hi);
        if (cl > inLo) inLo = cl;
        if (fh < inHi) inHi = fh;
      }
      topHit = botHit; topLo = botLo; topHi = botHi;
      if (n === 0) continue;
      // Fully covered run [inLo, inHi) exists only when all sub-scanlines hit the shape.
      if (n < SUB || inHi <= inLo) { inLo = xMax + 1; inHi = xMax + 1; }
      const base = row * this.stride;
      for (let x = xMin; x <= xMax; x++) {
        if (x === inLo) {
          if (solid && inHi - inLo > 24) u32.fill(packed, base + inLo, base + inHi);
          else if (solid) for (let xi = base + inLo, end = base + inHi; xi < end; xi++) u32[xi] = packed;
          else {
            for (let xi = inLo; xi < inHi; xi++) {
              const i = 4 * (base + xi);
              data[i] = data[i]! + (r - data[i]!) * alpha;
              data[i + 1] = data[i + 1]! + (g - data[i + 1]!) * alpha;
              data[i + 2] = data[i + 2]! + (b - data[i + 2]!) * alpha;
              if (patCode) {
                const pa = pA * patternAt(xi, row);
                if (pa > 1e-4) {
                  data[i] = data[i]! + (pR - data[i]!) * pa;
                  data[i + 1] = data[i + 1]! + (pG - data[i + 1]!) * pa;
                  data[i + 2] = data[i + 2]! + (pB - data[i + 2]!) * pa;
                }
              }
            }
          }
          x = inHi - 1;
          continue;
        }
        let c = 0;
        for (let k = 0; k < n; k++) {
          const lo = los[k]! > x ? los[k]! : x, hi = his[k]! < x + 1 ? his[k]! : x + 1;
          if (hi > lo) c += hi - lo;
        }
        c *= INV_SUB;
        if (c <= 1e-4) continue;
        const i = 4 * (base + x), a = c * alpha;
        if (a >= 0.9999) {
          data[i] = r;
          data[i + 1] = g;
          data[i + 2] = b;
        } else {
          data[i] = data[i]! + (r - data[i]!) * a;
          data[i + 1] = data[i + 1]! + (g - data[i + 1]!) * a;
          data[i + 2] = data[i + 2]! + (b - data[i + 2]!) * a;
        }
        if (patCode) {
          const pa = c * pA * patternAt(x, row);
          if (pa > 1e-4) {
            data[i] = data[i]! + (pR - data[i]!) * pa;
            data[i + 1] = data[i + 1]! + (pG - data[i + 1]!) * pa;
            data[i + 2] = data[i + 2]! + (pB - data[i + 2]!) * pa;
          }
        }
      }
    }
  }

  /** Draws prims (in order) under `t`; `skipDecor` leaves out the details of tiny figures, as drawPrims does. */
  prims(prims: readonly Prim[], t: Xform, skipDecor = false): void {
    for (const p of prims) {
      if ((p.decor || p.fine) && skipDecor) continue;
      const [r, g, b, a] = parseColour(p.fill);
      this.fill(p.shape, t, r, g, b, a, p.pattern);
    }
  }

  /** Fills the whole buffer with `src` (sw × sh RGBA) resampled bilinearly (pixel centres aligned). */
  resampleFrom(src: Uint8ClampedArray | Uint8Array, sw: number, sh: number): void {
    const W = this.width, H = this.height, data = this.data, pad = 4 * (this.stride - W);
    if (sw === W && sh === H && pad === 0) {
      data.set(src);
      return;
    }
    const sx = sw / W, sy = sh / H;
    const x0s = new Int32Array(W), x1s = new Int32Array(W), fxs = new Float32Array(W);
    for (let x = 0; x < W; x++) {
      const fx = Math.min(sw - 1, Math.max(0, (x + 0.5) * sx - 0.5));
      const x0 = Math.floor(fx);
      x0s[x] = 4 * x0; x1s[x] = 4 * Math.min(sw - 1, x0 + 1); fxs[x] = fx - x0;
    }
    let o = 0;
    for (let y = 0; y < H; y++) {
      const fy = Math.min(sh - 1, Math.max(0, (y + 0.5) * sy - 0.5));
      const y0 = Math.floor(fy), wy = fy - y0;
      const r0 = 4 * sw * y0, r1 = 4 * sw * Math.min(sh - 1, y0 + 1);
      for (let x = 0; x < W; x++, o += 4) {
        const a0 = r0 + x0s[x]!, b0 = r0 + x1s[x]!, a1 = r1 + x0s[x]!, b1 = r1 + x1s[x]!, wx = fxs[x]!;
        // Weights of the four neighbours (bilinear).
        const w11 = wx * wy, w01 = wy - w11, w10 = wx - w11, w00 = 1 - wx - w01;
        data[o] = src[a0]! * w00 + src[b0]! * w10 + src[a1]! * w01 + src[b1]! * w11;
        data[o + 1] = src[a0 + 1]! * w00 + src[b0 + 1]! * w10 + src[a1 + 1]! * w01 + src[b1 + 1]! * w11;
        data[o + 2] = src[a0 + 2]! * w00 + src[b0 + 2]! * w10 + src[a1 + 2]! * w01 + src[b1 + 2]! * w11;
        data[o + 3] = 255;
      }
      o += pad;
    }
  }
}
