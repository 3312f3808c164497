/**
 * The descriptor of a person box, read from the frame's own pixels (not the 224-px model input),
 * over four horizontal bands of the box (head, torso, legs, feet), each over the middle half of its
 * width (bandFeatures.ts). Versioned: a reader (reranker.json) names the version it was fitted on,
 * and old files keep reading theirs.
 *  - v1 (3 Dec 2026): per band a 4×4×4 RGB histogram + mean RGB — 268 values.
 *  - v2: v1, then per band an HSV histogram of 12 hues × 2 × 2 + 4 greys (208) — 476 values.
 *    Validation R@1 at IoU > 0.5 in a replica of the fit: 49.8 (v1) → 51.4–51.6 (core/rerank/README.md).
 *    Only distributions of a band's pixels, so a person twice as many pixels tall reads the same
 *    (gradient orientations, tried, depend on that; +1.2 points on validation, none on the fresh test sets).
 */
import type { Frame } from '../infer/frames';
import { hsvHistograms, HSV_BAND_LENGTH, rgbHistograms, RGB_BAND_LENGTH, RGB_BINS, type Band } from './bandFeatures';

export type Box = readonly [number, number, number, number] | readonly number[];

/** Rows [from, to) of the box's height, as shares of it. */
export const DESCRIPTOR_BANDS: readonly Band[] = [[0, 0.16], [0.2, 0.5], [0.55, 0.88], [0.88, 1]];
export const DESCRIPTOR_BINS = RGB_BINS;
/** Share of the box's width, centred, that a band covers (its sides hold background and arms). */
export const DESCRIPTOR_WIDTH = 0.5;

export type DescriptorVersion = 1 | 2;
export const DESCRIPTOR_VERSIONS: readonly DescriptorVersion[] = [1, 2];
/** The version new readers are fitted on. */
export const DESCRIPTOR_VERSION: DescriptorVersion = 2;

const BANDS = DESCRIPTOR_BANDS.length;
const V1_LENGTH = BANDS * RGB_BAND_LENGTH;
const V2_LENGTH = V1_LENGTH + BANDS * HSV_BAND_LENGTH;

/** Number of values in a descriptor of `version`. */
export function descriptorLength(version: DescriptorVersion): number {
  return version === 1 ? V1_LENGTH : V2_LENGTH;
}

/** Length of the current version's descriptor. */
export const DESCRIPTOR_LENGTH = descriptorLength(DESCRIPTOR_VERSION);

export function isDescriptorVersion(v: unknown): v is DescriptorVersion {
  return DESCRIPTOR_VERSIONS.includes(v as DescriptorVersion);
}

/** The descriptor of `box` ([left, top, right, bottom] in frame pixels; parts outside the frame are skipped). */
export function boxDescriptor(frame: Frame, box: Box, version: DescriptorVersion = DESCRIPTOR_VERSION): Float32Array {
  const out = new Float32Array(descriptorLength(version));
  rgbHistograms(frame, box, DESCRIPTOR_BANDS, DESCRIPTOR_WIDTH, out.subarray(0, V1_LENGTH));
  if (version === 2) hsvHistograms(frame, box, DESCRIPTOR_BANDS, DESCRIPTOR_WIDTH, out.subarray(V1_LENGTH));
  return out;
}
