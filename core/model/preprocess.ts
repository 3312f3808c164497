/**
 * THE preprocessing of FastPR, shared by training, TF.js inference and the ONNX path. Pure
 * TypeScript on typed arrays (no TF.js).
 *
 * A frame (RGBA or RGB bytes, any size) → a float32 NHWC input [size, size, 3]:
 *  1. optional crop window (frame pixels, may be fractional; augmentation uses it),
 *  2. 'letterbox' (default): scale to fit, aspect preserved, centred, padded; or 'resize': stretch,
 *  3. separable triangle-filter resampling whose support widens when shrinking (antialiased
 *     bilinear, like PIL's BILINEAR), edge pixels replicated,
 *  4. optional horizontal flip,
 *  5. normalisation per channel: (v/255 − mean) / std with ImageNet mean (0.485, 0.456, 0.406) and
 *     std (0.229, 0.224, 0.225); padding is 0 after normalisation (the mean colour).
 * The returned InputTransform maps boxes between frame pixels and model-input pixels.
 */

export const NORM_MEAN = [0.485, 0.456, 0.406] as const;
export const NORM_STD = [0.229, 0.224, 0.225] as const;

export type Box = [number, number, number, number];

export interface RawFrame {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  /** 4 for RGBA (canvas), 3 for RGB. */
  channels: 3 | 4;
}

export interface PreprocessOptions {
  size: number;
  mode?: 'letterbox' | 'resize';
  /** Region of the frame to use, [left, top, right, bottom] in frame pixels; default the whole frame. */
  crop?: Box;
  flip?: boolean;
}

/** inputX = frameX·scaleX + offsetX (then mirrored when flip); same for y. */
export interface InputTransform {
  scaleX: number;
  scaleY: number;
  offsetX: number;
  offsetY: number;
  flip: boolean;
  inputWidth: number;
  inputHeight: number;
}

export interface PreprocessedInput {
  /** [size·size·3] NHWC without the batch axis. */
  data: Float32Array;
  transform: InputTransform;
}

export function frameBoxToInput(t: InputTransform, box: Box): Box {
  const l = box[0] * t.scaleX + t.offsetX;
  const r = box[2] * t.scaleX + t.offsetX;
  const top = box[1] * t.scaleY + t.offsetY;
  const bottom = box[3] * t.scaleY + t.offsetY;
  return t.flip ? [t.inputWidth - r, top, t.inputWidth - l, bottom] : [l, top, r, bottom];
}

export function inputBoxToFrame(t: InputTransform, box: Box): Box {
  const [l0, top, r0, bottom] = box;
  const [l, r] = t.flip ? [t.inputWidth - r0, t.inputWidth - l0] : [l0, r0];
  return [(l - t.offsetX) / t.scaleX, (top - t.offsetY) / t.scaleY, (r - t.offsetX) / t.scaleX, (bottom - t.offsetY) / t.scaleY];
}

interface Taps {
  start: Int32Array;
  count: Int32Array;
  index: Int32Array;
  weight: Float32Array;
  maxTaps: number;
}

/** Resampling taps for `outLen` outputs over source coordinates src = (o + 0.5)/scale + srcStart − 0.5. */
function taps(outLen: number, scale: number, srcStart: number, srcLen: number): Taps {
  const support = Math.max(1, 1 / scale);
  const maxTaps = Math.ceil(2 * support) + 2;
  const start = new Int32Array(outLen);
  const count = new Int32Array(outLen);
  const index = new Int32Array(outLen * maxTaps);
  const weight = new Float32Array(outLen * maxTaps);
  for (let o = 0; o < outLen; o++) {
    const centre = (o + 0.5) / scale + srcStart - 0.5;
    const lo = Math.ceil(centre - support);
    const hi = Math.floor(centre + support);
    let n = 0;
    let total = 0;
    for (let i = lo; i <= hi && n < maxTaps; i++) {
      const w = 1 - Math.abs(i - centre) / support;
      if (w <= 0) continue;
      index[o * maxTaps + n] = Math.min(srcLen - 1, Math.max(0, i));
      weight[o * maxTaps + n] = w;
      total += w;
      n++;
    }
    if (n === 0) {
      index[o * maxTaps] = Math.min(srcLen - 1, Math.max(0, Math.round(centre)));
      weight[o * maxTaps] = 1;
      total = 1;
      n = 1;
    }
    for (let k = 0; k < n; k++) weight[o * maxTaps + k]! /= total;
    start[o] = o * maxTaps;
    count[o] = n;
  }
  return { start, count, index, weight, maxTaps };
}

/** Where a width×height picture lands in the size×size model input: its scaled size and padding. */
export interface InputPlacement {
  width: number;
  height: number;
  padX: number;
  padY: number;
  size: number;
}

export function inputPlacement(width: number, height: number, size: number, mode: 'letterbox' | 'resize' = 'letterbox'): InputPlacement {
  let nw = size;
  let nh = size;
  if (mode === 'letterbox') {
    const s = Math.min(size / width, size / height);
    nw = Math.max(1, Math.min(size, Math.round(width * s)));
    nh = Math.max(1, Math.min(size, Math.round(height * s)));
  }
  return { width: nw, height: nh, padX: Math.floor((size - nw) / 2), padY: Math.floor((size - nh) / 2), size };
}

export function preprocessFrame(frame: RawFrame, options: PreprocessOptions): PreprocessedInput {
  const { size } = options;
  const mode = options.mode ?? 'letterbox';
  const crop = options.crop ?? [0, 0, frame.width, frame.height];
  const cw = crop[2] - crop[0];
  const ch = crop[3] - crop[1];
  if (!(cw > 0 && ch > 0)) throw new Error(`empty crop ${crop.join(',')}`);
  const { width: nw, height: nh, padX, padY } = inputPlacement(cw, ch, size, mode);
  const scaleX = nw / cw;
  const scaleY = nh / ch;
  const tx = taps(nw, scaleX, crop[0], frame.width);
  const ty = taps(nh, scaleY, crop[1], frame.height);

  // Horizontal pass over only the source rows the vertical pass needs: rows × nw × 3.
  let rowLo = frame.height - 1;
  let rowHi = 0;
  for (let o = 0; o < nh; o++) {
    for (let k = 0; k < ty.count[o]!; k++) {
      const r = ty.index[ty.start[o]! + k]!;
      if (r < rowLo) rowLo = r;
      if (r > rowHi) rowHi = r;
    }
  }
  const rows = rowHi - rowLo + 1;
  const tmp = new Float32Array(rows * nw * 3);
  const src = frame.data;
  const C = frame.channels;
  for (let r = 0; r < rows; r++) {
    const rowBase = (r + rowLo) * frame.width * C;
    for (let o = 0; o < nw; o++) {
      let a = 0;
      let b = 0;
      let c = 0;
      const s0 = tx.start[o]!;
      for (let k = 0; k < tx.count[o]!; k++) {
        const p = rowBase + tx.index[s0 + k]! * C;
        const w = tx.weight[s0 + k]!;
        a += src[p]! * w;
        b += src[p + 1]! * w;
        c += src[p + 2]! * w;
      }
      const q = (r * nw + o) * 3;
      tmp[q] = a;
      tmp[q + 1] = b;
      tmp[q + 2] = c;
    }
  }
  const out = new Float32Array(size * size * 3); // zeros = mean colour after normalisation
  const k0 = 1 / (255 * NORM_STD[0]);
  const k1 = 1 / (255 * NORM_STD[1]);
  const k2 = 1 / (255 * NORM_STD[2]);
  const m0 = NORM_MEAN[0] / NORM_STD[0];
  const m1 = NORM_MEAN[1] / NORM_STD[1];
  const m2 = NORM_MEAN[2] / NORM_STD[2];
  const flip = options.flip === true;
  for (let oy = 0; oy < nh; oy++) {
    const s0 = ty.start[oy]!;
    for (let ox = 0; ox < nw; ox++) {
      let a = 0;
      let b = 0;
      let c = 0;
      for (let k = 0; k < ty.count[oy]!; k++) {
        const q = ((ty.index[s0 + k]! - rowLo) * nw + ox) * 3;
        const w = ty.weight[s0 + k]!;
        a += tmp[q]! * w;
        b += tmp[q + 1]! * w;
        c += tmp[q + 2]! * w;
      }
      const x = padX + ox;
      const col = flip ? size - 1 - x : x;
      const d = ((padY + oy) * size + col) * 3;
      out[d] = a * k0 - m0;
      out[d + 1] = b * k1 - m1;
      out[d + 2] = c * k2 - m2;
    }
  }
  return {
    data: out,
    transform: {
      scaleX,
      scaleY,
      offsetX: padX - crop[0] * scaleX,
      offsetY: padY - crop[1] * scaleY,
      flip,
      inputWidth: size,
      inputHeight: size,
    },
  };
}

/** Back from normalised float to 0..255 RGB bytes (for previews and the reconstruction image). */
export function denormalise(data: Float32Array): Uint8ClampedArray {
  const out = new Uint8ClampedArray(data.length);
  for (let i = 0; i < data.length; i++) {
    const c = i % 3;
    out[i] = Math.round((data[i]! * NORM_STD[c]! + NORM_MEAN[c]!) * 255);
  }
  return out;
}
