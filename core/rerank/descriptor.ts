/**
 * The colour descriptor of a person box, read from the frame's own pixels (not the 224-px model
 * input): for each of four horizontal bands of the box (head, torso, legs, feet), over the middle half
 * of its width, a 4×4×4 RGB histogram and the mean RGB, square-rooted (Hellinger features, so a
 * linear classifier compares distributions rather than raw counts). 4 × (64 + 3) = 268 values.
 */
import type { Frame } from '../infer/frames';

export type Box = readonly [number, number, number, number] | readonly number[];

/** Rows [from, to) of the box's height, as shares of it. */
export const DESCRIPTOR_BANDS: readonly (readonly [number, number])[] = [[0, 0.16], [0.2, 0.5], [0.55, 0.88], [0.88, 1]];
export const DESCRIPTOR_BINS = 4;
/** Share of the box's width, centred, that a band covers (its sides hold background and arms). */
export const DESCRIPTOR_WIDTH = 0.5;
export const DESCRIPTOR_VERSION = 1;
export const DESCRIPTOR_LENGTH = DESCRIPTOR_BANDS.length * (DESCRIPTOR_BINS ** 3 + 3);

/** The descriptor of `box` ([left, top, right, bottom] in frame pixels; parts outside the frame are skipped). */
export function boxColourDescriptor(frame: Frame, box: Box): Float32Array {
  const [x0, y0, x1, y1] = box as [number, number, number, number];
  const out = new Float32Array(DESCRIPTOR_LENGTH);
  const bins = DESCRIPTOR_BINS;
  const side = (1 - DESCRIPTOR_WIDTH) / 2;
  const xa = Math.max(0, Math.floor(x0 + side * (x1 - x0)));
  const xb = Math.min(frame.width - 1, Math.max(Math.floor(x0 + side * (x1 - x0)), Math.ceil(x0 + (1 - side) * (x1 - x0)) - 1));
  let at = 0;
  for (const [from, to] of DESCRIPTOR_BANDS) {
    const hist = out.subarray(at, at + bins ** 3);
    const mean = [0, 0, 0];
    let n = 0;
    const ya = Math.max(0, Math.floor(y0 + from * (y1 - y0)));
    const yb = Math.min(frame.height - 1, Math.max(Math.floor(y0 + from * (y1 - y0)), Math.ceil(y0 + to * (y1 - y0)) - 1));
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
    at += bins ** 3 + 3;
  }
  return out;
}
