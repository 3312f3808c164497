/** The small JPEG kept per indexed frame (gallery, timeline scrubbing) — made from the decoded RGB in memory. */
import { createSurface, encodeCanvas } from '../image/canvas';

export const THUMB_WIDTH = 128;
export const THUMB_QUALITY = 70;

export function thumbSize(width: number, height: number, maxWidth = THUMB_WIDTH): { width: number; height: number } {
  const w = Math.min(maxWidth, width);
  return { width: w, height: Math.max(1, Math.round((height * w) / width)) };
}

/** Area-average downscale of RGB bytes to RGBA (deterministic integer arithmetic). */
export function downscaleRgb(src: Uint8Array, sw: number, sh: number, dw: number, dh: number): Uint8ClampedArray {
  const out = new Uint8ClampedArray(dw * dh * 4);
  for (let y = 0; y < dh; y++) {
    const y0 = Math.floor((y * sh) / dh);
    const y1 = Math.max(y0 + 1, Math.floor(((y + 1) * sh) / dh));
    for (let x = 0; x < dw; x++) {
      const x0 = Math.floor((x * sw) / dw);
      const x1 = Math.max(x0 + 1, Math.floor(((x + 1) * sw) / dw));
      let r = 0;
      let g = 0;
      let b = 0;
      for (let yy = y0; yy < y1; yy++) {
        let p = (yy * sw + x0) * 3;
        for (let xx = x0; xx < x1; xx++, p += 3) { r += src[p]!; g += src[p + 1]!; b += src[p + 2]!; }
      }
      const n = (y1 - y0) * (x1 - x0);
      const q = (y * dw + x) * 4;
      out[q] = Math.round(r / n);
      out[q + 1] = Math.round(g / n);
      out[q + 2] = Math.round(b / n);
      out[q + 3] = 255;
    }
  }
  return out;
}

/** JPEG of RGB bytes already at thumbnail size (ffmpeg shrank them during ingest). */
export function jpegFromRgb(rgb: Uint8Array, width: number, height: number): Buffer {
  const { canvas, ctx } = createSurface(width, height);
  const img = ctx.createImageData(width, height);
  const d = img.data;
  for (let s = 0, q = 0; s < width * height * 3; s += 3, q += 4) { d[q] = rgb[s]!; d[q + 1] = rgb[s + 1]!; d[q + 2] = rgb[s + 2]!; d[q + 3] = 255; }
  ctx.putImageData(img, 0, 0);
  return encodeCanvas(canvas, 'jpeg', THUMB_QUALITY);
}

export function thumbnailJpeg(rgb: Uint8Array, width: number, height: number, maxWidth = THUMB_WIDTH): Buffer {
  const t = thumbSize(width, height, maxWidth);
  const { canvas, ctx } = createSurface(t.width, t.height);
  const img = ctx.createImageData(t.width, t.height);
  img.data.set(downscaleRgb(rgb, width, height, t.width, t.height));
  ctx.putImageData(img, 0, 0);
  return encodeCanvas(canvas, 'jpeg', THUMB_QUALITY);
}
