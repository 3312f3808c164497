/**
 * A box's pixels as the crop network reads them: resampled to a fixed height × width (RGB, scaled to
 * −1..1, [h, w, 3] row-major). Bilinear where the box is smaller than the crop; where it is larger
 * (a 704×576 video frame's people are twice the training frames'), each crop pixel averages
 * ⌈box/crop⌉² bilinear taps spread over its footprint, so a bigger person reads as a blurred copy of
 * the same crop, not an aliased one. Positions outside the frame repeat its edge.
 */
import type { Frame } from '../infer/frames';
import type { Box } from './descriptor';

export type CropSize = readonly [height: number, width: number];

/**
 * Writes the crop of `box` into `out` at `offset` (h·w·3 values): −1..1 floats into a Float32Array
 * (what the network reads), 0..255 rounded into a Uint8ClampedArray (training keeps its crops as bytes).
 */
export function writeCrop(frame: Frame, box: Box, size: CropSize, out: Float32Array | Uint8ClampedArray, offset = 0): void {
  const bytes = out instanceof Uint8ClampedArray;
  const [h, w] = size;
  const { width: W, height: H, channels: C, data } = frame;
  const x0 = box[0]!, y0 = box[1]!;
  const cellW = (box[2]! - x0) / w, cellH = (box[3]! - y0) / h;
  const tapsX = Math.max(1, Math.ceil(cellW)), tapsY = Math.max(1, Math.ceil(cellH));
  const taps = tapsX * tapsY;
  const scale = bytes ? 1 / taps : 1 / (127.5 * taps), shift = bytes ? 0 : -1;
  const clampX = (x: number) => Math.min(W - 1, Math.max(0, x));
  const clampY = (y: number) => Math.min(H - 1, Math.max(0, y));
  for (let j = 0; j < h; j++) {
    for (let i = 0; i < w; i++) {
      let r = 0, g = 0, b = 0;
      for (let ty = 0; ty < tapsY; ty++) {
        // Pixel centres: a tap at source position s samples between pixels ⌊s⌋ and ⌊s⌋ + 1.
        const sy = clampY(y0 + (j + (ty + 0.5) / tapsY) * cellH - 0.5);
        const ya = Math.floor(sy), yb = Math.min(H - 1, ya + 1), fy = sy - ya;
        for (let tx = 0; tx < tapsX; tx++) {
          const sx = clampX(x0 + (i + (tx + 0.5) / tapsX) * cellW - 0.5);
          const xa = Math.floor(sx), xb = Math.min(W - 1, xa + 1), fx = sx - xa;
          const p00 = (ya * W + xa) * C, p01 = (ya * W + xb) * C, p10 = (yb * W + xa) * C, p11 = (yb * W + xb) * C;
          const w00 = (1 - fy) * (1 - fx), w01 = (1 - fy) * fx, w10 = fy * (1 - fx), w11 = fy * fx;
          r += w00 * data[p00]! + w01 * data[p01]! + w10 * data[p10]! + w11 * data[p11]!;
          g += w00 * data[p00 + 1]! + w01 * data[p01 + 1]! + w10 * data[p10 + 1]! + w11 * data[p11 + 1]!;
          b += w00 * data[p00 + 2]! + w01 * data[p01 + 2]! + w10 * data[p10 + 2]! + w11 * data[p11 + 2]!;
        }
      }
      const o = offset + (j * w + i) * 3;
      out[o] = r * scale + shift;
      out[o + 1] = g * scale + shift;
      out[o + 2] = b * scale + shift;
    }
  }
}

/** Crops of several boxes of one frame, stacked [n, h, w, 3]. */
export function cropBatch(frame: Frame, boxes: readonly Box[], size: CropSize): Float32Array {
  const per = size[0] * size[1] * 3;
  const out = new Float32Array(boxes.length * per);
  boxes.forEach((box, k) => writeCrop(frame, box, size, out, k * per));
  return out;
}
