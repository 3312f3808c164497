/**
 * Per-sample augmentation, drawn from a seeded generator: horizontal flip, scale/crop jitter whose
 * crop always contains the whole target, and brightness/contrast applied equally to R, G and B so
 * colour attributes stay truthful (no hue or saturation change).
 */
import type { Box } from '../model/boxes';
import { NORM_MEAN, NORM_STD } from '../model/preprocess';
import type { Rng } from '../model/rng';
import type { AugmentConfig } from './config';

export interface AugmentParams {
  flip: boolean;
  crop: Box;
  brightness: number;
  contrast: number;
}

export const NO_AUGMENT = (width: number, height: number): AugmentParams => ({
  flip: false,
  crop: [0, 0, width, height],
  brightness: 0,
  contrast: 1,
});

export function drawAugment(rng: Rng, c: AugmentConfig, width: number, height: number, target?: Box): AugmentParams {
  const flip = rng.next() < c.flip;
  let scale = rng.uniform(c.minScale, 1);
  let cw = width * scale;
  let ch = height * scale;
  if (target) {
    // Grow the crop until the target fits inside it.
    const need = Math.max((target[2] - target[0]) / width, (target[3] - target[1]) / height);
    scale = Math.min(1, Math.max(scale, need));
    cw = width * scale;
    ch = height * scale;
  }
  let x0 = rng.uniform(0, width - cw);
  let y0 = rng.uniform(0, height - ch);
  if (target) {
    x0 = Math.min(Math.max(x0, target[2] - cw), target[0]);
    y0 = Math.min(Math.max(y0, target[3] - ch), target[1]);
    x0 = Math.min(Math.max(0, x0), width - cw);
    y0 = Math.min(Math.max(0, y0), height - ch);
  }
  return {
    flip,
    crop: [x0, y0, x0 + cw, y0 + ch],
    brightness: rng.uniform(-c.brightness, c.brightness),
    contrast: rng.uniform(1 - c.contrast, 1 + c.contrast),
  };
}

/**
 * Brightness/contrast on a normalised input in place: pixel p (0..1) → (p − 0.5)·contrast + 0.5 +
 * brightness, identical for the three channels. Padding pixels (exactly 0) are left alone.
 */
export function applyColourJitter(data: Float32Array, p: AugmentParams): void {
  if (p.brightness === 0 && p.contrast === 1) return;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v === 0) continue;
    const c = i % 3;
    const px = v * NORM_STD[c]! + NORM_MEAN[c]!;
    const q = Math.min(1, Math.max(0, (px - 0.5) * p.contrast + 0.5 + p.brightness));
    data[i] = (q - NORM_MEAN[c]!) / NORM_STD[c]!;
  }
}
