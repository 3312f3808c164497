/**
 * The parts of a box descriptor (descriptor.ts), each over horizontal bands of the box — rows
 * [from, to) of its height as shares of it — and the centred `width` share of its width (a band's
 * sides hold background and arms). Every part is a distribution, square-rooted (Hellinger features:
 * a classifier then compares distributions rather than raw counts). Pixels outside the frame are
 * skipped; an empty band gives zeros.
 */
import type { Frame } from '../infer/frames';
import type { Box } from './descriptor';

export type Band = readonly [number, number];

/** Pixel rectangle [xa, xb] × [ya, yb] (inclusive) of one band, clamped to the frame. */
function bandRect(frame: Frame, box: Box, band: Band, width: number): [number, number, number, number] {
  const [x0, y0, x1, y1] = box as [number, number, number, number];
  const side = (1 - width) / 2;
  const xa = Math.max(0, Math.floor(x0 + side * (x1 - x0)));
  const xb = Math.min(frame.width - 1, Math.max(Math.floor(x0 + side * (x1 - x0)), Math.ceil(x0 + (1 - side) * (x1 - x0)) - 1));
  const ya = Math.max(0, Math.floor(y0 + band[0] * (y1 - y0)));
  const yb = Math.min(frame.height - 1, Math.max(Math.floor(y0 + band[0] * (y1 - y0)), Math.ceil(y0 + band[1] * (y1 - y0)) - 1));
  return [xa, xb, ya, yb];
}

export const RGB_BINS = 4;
/** Values per band of `rgbHistograms`: a 4×4×4 RGB histogram and the mean RGB. */
export const RGB_BAND_LENGTH = RGB_BINS ** 3 + 3;

/** Per band: 4×4×4 RGB histogram, then the mean R, G, B (as shares of 255). */
export function rgbHistograms(frame: Frame, box: Box, bands: readonly Band[], width: number, out: Float32Array): void {
  const bins = RGB_BINS;
  let at = 0;
  for (const band of bands) {
    const [xa, xb, ya, yb] = bandRect(frame, box, band, width);
    const hist = out.subarray(at, at + bins ** 3);
    const mean = [0, 0, 0];
    let n = 0;
    for (let y = ya; y <= yb; y++) {
      for (let x = xa; x <= xb; x++) {
        const o = (y * frame.width + x) * frame.channels;
        const r = frame.data[o]!, g = frame.data[o + 1]!, b = frame.data[o + 2]!;
        hist[((r * bins) >> 8) * bins * bins + ((g * bins) >> 8) * bins + ((b * bins) >> 8)]! += 1;
        mean[0]! += r; mean[1]! += g; mean[2]! += b;
        n++;
      }
    }
    const scale = 1 / Math.max(1, n);
    for (let i = 0; i < hist.length; i++) hist[i] = Math.sqrt(hist[i]! * scale);
    for (let c = 0; c < 3; c++) out[at + bins ** 3 + c] = Math.sqrt((mean[c]! * scale) / 255);
    at += RGB_BAND_LENGTH;
  }
}

export const HUES = 12;
/** Values per band of `hsvHistograms`: 12 hues × 2 saturations × 2 values, and 4 grey levels. */
export const HSV_BAND_LENGTH = HUES * 4 + 4;

/**
 * Per band: a histogram in HSV — chromatic pixels (saturation ≥ 0.25, value ≥ 0.2) by 12 hues ×
 * saturation below/above 0.6 × value below/above 0.6, the rest by 4 grey levels. Colour names
 * follow hue far more than RGB cubes do (a 4×4×4 cube puts orange and brown, or two blues, in one bin).
 */
export function hsvHistograms(frame: Frame, box: Box, bands: readonly Band[], width: number, out: Float32Array): void {
  let at = 0;
  for (const band of bands) {
    const [xa, xb, ya, yb] = bandRect(frame, box, band, width);
    const hist = out.subarray(at, at + HSV_BAND_LENGTH);
    let n = 0;
    for (let y = ya; y <= yb; y++) {
      for (let x = xa; x <= xb; x++) {
        const o = (y * frame.width + x) * frame.channels;
        const r = frame.data[o]! / 255, g = frame.data[o + 1]! / 255, b = frame.data[o + 2]! / 255;
        const max = Math.max(r, g, b), min = Math.min(r, g, b);
        const saturation = max > 0 ? (max - min) / max : 0;
        if (saturation < 0.25 || max < 0.2) {
          hist[HUES * 4 + Math.min(3, Math.floor(max * 4))]! += 1;
        } else {
          const c = max - min;
          const sector = max === r ? (g - b) / c : max === g ? 2 + (b - r) / c : 4 + (r - g) / c;
          const hue = (sector / 6 + 1) % 1;
          hist[Math.min(HUES - 1, Math.floor(hue * HUES)) * 4 + (saturation >= 0.6 ? 2 : 0) + (max >= 0.6 ? 1 : 0)]! += 1;
        }
        n++;
      }
    }
    const scale = 1 / Math.max(1, n);
    for (let i = 0; i < hist.length; i++) hist[i] = Math.sqrt(hist[i]! * scale);
    at += HSV_BAND_LENGTH;
  }
}
