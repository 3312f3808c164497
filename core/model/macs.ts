/**
 * Multiply-accumulate counts per image, from the same conv specs the weights are built from.
 * Element-wise ops, softmax and pooling are not counted (they are < 1 % here).
 */
import type { ModelConfig } from './config';
import { backboneSpecs, convMacs } from './backbones';
import { OFFSET_CLASSES } from './regions';

export interface MacCount {
  /** Visual encoder R. */
  backbone: number;
  /** Attention logits, Ĩ, the 1×1 fusion conv C, the pooled readout. */
  alignment: number;
  /** FC, FI, FB (or the merged head). */
  localisation: number;
  /** Everything the inference graph runs: backbone + alignment + localisation. */
  inference: number;
  /** Proxy heads run only in training (F, D, FM with its second FC pass). */
  trainingProxies: number;
  /** inference + trainingProxies: one image's forward pass in a training step. */
  training: number;
}

export function countMacs(config: ModelConfig): MacCount {
  const S = config.grid;
  const M = config.featureWidth;
  const H = config.hiddenWidth;
  const T = config.slots;
  const cells = S * S;
  const backbone = backboneSpecs(config).reduce((s, c) => s + convMacs(c), 0);
  const alignment = T * cells * M /* logits */ + T * cells * M /* Ĩ */ + cells * T * M * M /* C */ + T * cells * M /* pooled */;
  const common = cells * ((M + (config.matchScores ? 2 : 0)) * H + H * H);
  const heads = config.heads === 'dual' ? cells * (H * H + H + H * H + H * 4) : cells * (H * H + H * 5);
  const localisation = common + heads;
  let trainingProxies = 0;
  if (config.proxies.label) trainingProxies += T * (M * config.labelHiddenWidth + config.labelHiddenWidth * config.vocabularySize);
  if (config.proxies.offset) trainingProxies += cells * cells * M /* permutation matMul */ + common + cells * H * OFFSET_CLASSES;
  if (config.proxies.reconstruction) {
    const [rh, rw] = config.reconstructionSize;
    const D = config.decoderWidth;
    trainingProxies += cells * M /* read cell */ + M * (rh / 8) * (rw / 8) * D;
    trainingProxies += (rh / 4) * (rw / 4) * 9 * D * (D / 2) + (rh / 2) * (rw / 2) * 9 * (D / 2) * (D / 4) + rh * rw * 9 * (D / 4) * 3;
  }
  const inference = backbone + alignment + localisation;
  return { backbone, alignment, localisation, inference, trainingProxies, training: inference + trainingProxies };
}
