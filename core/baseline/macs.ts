/** Multiply–accumulate counts of the baseline's two networks (convs and dense layers; biases and ReLUs ignored). */
import type { ClassifierConfig, ConvSpec, DetectorConfig } from './config';
import { ATTRIBUTES } from '../attributes/schema';

/** MACs of a 'same'-padded conv stack starting from an h×w×c input; returns the output shape too. */
export function convStackMacs(layers: ConvSpec[], h: number, w: number, c: number): { macs: number; h: number; w: number; c: number } {
  let macs = 0;
  for (const l of layers) {
    h = Math.ceil(h / l.stride);
    w = Math.ceil(w / l.stride);
    macs += h * w * l.out * l.k * l.k * c;
    c = l.out;
  }
  return { macs, h, w, c };
}

/** Detector head: one 1×1 conv to 5 outputs (objectness, x, y, √w, √h). */
export function detectorMacs(cfg: DetectorConfig): number {
  const s = convStackMacs(cfg.layers, cfg.inputSize, cfg.inputSize, 3);
  return s.macs + s.h * s.w * s.c * 5;
}

export function classifierMacs(cfg: ClassifierConfig): number {
  const s = convStackMacs(cfg.layers, cfg.cropSize[0], cfg.cropSize[1], 3);
  const outputs = ATTRIBUTES.reduce((n, a) => n + a.values.length, 0);
  return s.macs + s.h * s.w * s.c * cfg.hidden + cfg.hidden * outputs;
}

/** Per frame: detector once + one classifier pass per detected person. */
export function baselineMacsPerFrame(detector: DetectorConfig, classifier: ClassifierConfig, detections: number): number {
  return detectorMacs(detector) + detections * classifierMacs(classifier);
}
