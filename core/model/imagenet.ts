/**
 * Initialise the resnet50 backbone from a user-supplied ImageNet ResNet-50 (torchvision layout), a
 * LOCAL file in our weight format (`name.json` + `name.bin`) holding the torchvision state-dict
 * names and PyTorch layouts (conv OIHW). Nothing is downloaded. Batch norm is folded into each conv:
 *   scale = γ / √(running_var + 1e-5);  kernel[h,w,i,o] = W[o,i,h,w]·scale[o];  bias = β − mean·scale.
 *
 * Converting a torchvision checkpoint (Python, outside the app):
 *   sd = torchvision.models.resnet50(weights="IMAGENET1K_V1").state_dict()
 *   write header {format:'fastpr-weights', version:1, byteLength, tensors:[{name, shape, dtype:'float32', offset}]}
 *   and the float32 little-endian bytes of each sd[name] in that order (skip num_batches_tracked, fc.*).
 */
import { basename, dirname } from 'node:path';
import { ModelError } from '../errors';
import { RESNET50_LAYERS } from './backbones';
import type { ModelConfig } from './config';
import { readWeightsFiles, type NamedArray } from './weightsFile';

const BN_EPS = 1e-5;

export function foldConvBn(src: Map<string, NamedArray>, conv: string, bn: string, target: string, file: string): NamedArray[] {
  const get = (n: string) => {
    const a = src.get(n);
    if (!a) throw new ModelError(`${file}: ImageNet weights lack ${n}`, { file, field: n });
    return a;
  };
  const w = get(`${conv}.weight`);
  const [O, I, kh, kw] = w.shape as [number, number, number, number];
  if (w.shape.length !== 4) throw new ModelError(`${file}: ${conv}.weight must be OIHW, got ${w.shape.join('×')}`, { file });
  const gamma = get(`${bn}.weight`).data;
  const beta = get(`${bn}.bias`).data;
  const mean = get(`${bn}.running_mean`).data;
  const variance = get(`${bn}.running_var`).data;
  const kernel = new Float32Array(kh * kw * I * O);
  const bias = new Float32Array(O);
  for (let o = 0; o < O; o++) {
    const scale = gamma[o]! / Math.sqrt(variance[o]! + BN_EPS);
    bias[o] = beta[o]! - mean[o]! * scale;
    for (let i = 0; i < I; i++) {
      for (let y = 0; y < kh; y++) {
        for (let x = 0; x < kw; x++) kernel[((y * kw + x) * I + i) * O + o] = w.data[((o * I + i) * kh + y) * kw + x]! * scale;
      }
    }
  }
  return [
    { name: `${target}.kernel`, shape: [kh, kw, I, O], data: kernel },
    { name: `${target}.bias`, shape: [O], data: bias },
  ];
}

/** Folded backbone weights named as our model's (`backbone.*`, without `backbone.proj`). */
export function loadImagenetResnet50(file: string, config: ModelConfig): NamedArray[] {
  if (config.backbone !== 'resnet50') throw new ModelError(`${file}: ImageNet weights are for the resnet50 backbone, the config uses ${config.backbone}`, { file });
  const base = basename(file).replace(/\.(json|bin)$/, '');
  const src = new Map(readWeightsFiles(dirname(file), base).map((a) => [a.name, a]));
  const out = foldConvBn(src, 'conv1', 'bn1', 'backbone.stem', file);
  RESNET50_LAYERS.forEach((layer, li) => {
    for (let j = 0; j < layer.blocks; j++) {
      const p = `layer${li + 1}.${j}`;
      for (let k = 1; k <= 3; k++) out.push(...foldConvBn(src, `${p}.conv${k}`, `${p}.bn${k}`, `backbone.layer${li + 1}.${j}.conv${k}`, file));
      if (j === 0) out.push(...foldConvBn(src, `${p}.downsample.0`, `${p}.downsample.1`, `backbone.layer${li + 1}.${j}.down`, file));
    }
  });
  return out;
}
