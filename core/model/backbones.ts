/**
 * Visual encoder R: image [B, H, W, 3] → I_en [B, S, S, M].
 *
 * Both backbones are listed first as conv specs (name, kernel, stride, channels, resolution), used to
 * build the weights and to count multiply-accumulates; the forward functions apply the same names.
 * No normalisation layers: residual branches end in a zero-initialised conv (SkipInit/Fixup style),
 * and ImageNet batch-norm statistics are folded into conv weights when imported (see README).
 */
import * as tf from '../tf/tf';
import { compactOutputStride, stageStride, type ModelConfig } from './config';
import { conv, type Activation, type Weights, type WeightBuilder } from './layers';

export interface ConvSpec {
  name: string;
  k: number;
  stride: 1 | 2;
  cin: number;
  cout: number;
  /** Input resolution (square). */
  inSize: number;
  act: Activation;
  /** Zero-initialised (last conv of a residual branch). */
  zeroInit?: boolean;
}

const outSize = (inSize: number, stride: number) => Math.ceil(inSize / stride);

export function compactSpecs(config: ModelConfig): ConvSpec[] {
  const specs: ConvSpec[] = [];
  let size = config.inputSize;
  let c = config.compact.stemWidth;
  specs.push({ name: 'backbone.stem', k: 3, stride: 2, cin: 3, cout: c, inSize: size, act: 'relu' });
  size = outSize(size, 2);
  config.compact.stages.forEach((stage, i) => {
    const stride = stageStride(stage);
    specs.push({ name: `backbone.stage${i + 1}.down`, k: 3, stride, cin: c, cout: stage.width, inSize: size, act: 'relu' });
    size = outSize(size, stride);
    c = stage.width;
    for (let b = 0; b < stage.blocks; b++) {
      specs.push({ name: `backbone.stage${i + 1}.block${b + 1}.conv1`, k: 3, stride: 1, cin: c, cout: c, inSize: size, act: 'relu' });
      specs.push({ name: `backbone.stage${i + 1}.block${b + 1}.conv2`, k: 3, stride: 1, cin: c, cout: c, inSize: size, act: 'linear', zeroInit: true });
    }
  });
  const skip = config.compact.fineSkip;
  if (skip) {
    const from = config.compact.stages[skip.fromStage - 1]!; // range checked by the config schema
    const fineSize = config.inputSize / compactOutputStride(config.compact.stages, skip.fromStage);
    specs.push({ name: 'backbone.skip', k: 1, stride: 1, cin: from.width, cout: skip.width, inSize: fineSize, act: 'relu' });
    c += skip.width;
  }
  specs.push({ name: 'backbone.proj', k: 1, stride: 1, cin: c, cout: config.featureWidth, inSize: size, act: 'linear' });
  const pixel = config.compact.pixelSkip;
  if (pixel) specs.push({ name: 'backbone.pixel', k: 1, stride: 1, cin: pixelSkipChannels(config), cout: config.featureWidth, inSize: size, act: 'linear', zeroInit: true });
  if (pixel?.colourWidth) {
    const cells = pixelCellSide(config) ** 2;
    specs.push({ name: 'backbone.colour', k: 1, stride: 1, cin: 3, cout: pixel.colourWidth, inSize: config.inputSize / pixel.block, act: 'relu' });
    specs.push({ name: 'backbone.colourProj', k: 1, stride: 1, cin: cells * pixel.colourWidth, cout: config.featureWidth, inSize: size, act: 'linear', zeroInit: true });
  }
  return specs;
}

/** Pooled pixels along a cell's side in the pixel skip (cell px / block). */
const pixelCellSide = (config: ModelConfig) => config.inputSize / config.grid / (config.compact.pixelSkip?.block ?? 1);

/** Channels per cell of the pixel skip: side² pooled pixels × RGB. */
function pixelSkipChannels(config: ModelConfig): number {
  return pixelCellSide(config) ** 2 * 3;
}

/** The image average-pooled over the pixel skip's block×block windows. */
function pooledPixels(config: ModelConfig, image: tf.Tensor4D): tf.Tensor4D {
  const block = config.compact.pixelSkip!.block;
  return block > 1 ? tf.avgPool(image, block, block, 'valid') : image;
}

/**
 * Per-pixel values [B, S·r, S·r, C] (pooled pixels, or their colour codes) → [B, S, S, r²·C]: each
 * cell's r×r values stacked in its channels (space-to-depth by reshape + transpose).
 */
function toCells(config: ModelConfig, pooled: tf.Tensor4D): tf.Tensor4D {
  const S = config.grid;
  const r = pixelCellSide(config);
  const [B, , , C] = pooled.shape;
  const cells = tf.transpose(tf.reshape(pooled, [B, S, r, S, r, C]), [0, 1, 3, 2, 4, 5]);
  return tf.reshape(cells, [B, S, S, r * r * C]) as tf.Tensor4D;
}

export const RESNET50_LAYERS = [
  { blocks: 3, width: 64, stride: 1 },
  { blocks: 4, width: 128, stride: 2 },
  { blocks: 6, width: 256, stride: 2 },
  { blocks: 3, width: 512, stride: 2 },
] as const;

export function resnet50Specs(config: ModelConfig): ConvSpec[] {
  const specs: ConvSpec[] = [];
  let size = config.inputSize;
  specs.push({ name: 'backbone.stem', k: 7, stride: 2, cin: 3, cout: 64, inSize: size, act: 'relu' });
  size = outSize(outSize(size, 2), 2); // stem conv, then 3×3 max-pool stride 2
  let c = 64;
  RESNET50_LAYERS.forEach((layer, li) => {
    for (let b = 0; b < layer.blocks; b++) {
      const stride = b === 0 ? layer.stride : 1;
      const w = layer.width;
      const p = `backbone.layer${li + 1}.${b}`;
      specs.push({ name: `${p}.conv1`, k: 1, stride: 1, cin: c, cout: w, inSize: size, act: 'relu' });
      specs.push({ name: `${p}.conv2`, k: 3, stride, cin: w, cout: w, inSize: size, act: 'relu' });
      const out = outSize(size, stride);
      specs.push({ name: `${p}.conv3`, k: 1, stride: 1, cin: w, cout: 4 * w, inSize: out, act: 'linear', zeroInit: true });
      if (b === 0) specs.push({ name: `${p}.down`, k: 1, stride: stride as 1 | 2, cin: c, cout: 4 * w, inSize: size, act: 'linear' });
      size = out;
      c = 4 * w;
    }
  });
  specs.push({ name: 'backbone.proj', k: 1, stride: 1, cin: c, cout: config.featureWidth, inSize: size, act: 'linear' });
  return specs;
}

export function backboneSpecs(config: ModelConfig): ConvSpec[] {
  return config.backbone === 'resnet50' ? resnet50Specs(config) : compactSpecs(config);
}

export function convMacs(s: ConvSpec): number {
  const o = outSize(s.inSize, s.stride);
  return o * o * s.k * s.k * s.cin * s.cout;
}

export function buildBackbone(b: WeightBuilder, config: ModelConfig): void {
  for (const s of backboneSpecs(config)) b.conv2d(s.name, s.k, s.cin, s.cout, s.zeroInit ? 'zero' : s.act === 'relu' ? 'he' : 'glorot');
}

/** The compact encoder's output and the output of each stage (stage i at index i − 1). */
function compactFeatures(w: Weights, config: ModelConfig, image: tf.Tensor4D): { encoded: tf.Tensor4D; stages: tf.Tensor4D[] } {
  const skip = config.compact.fineSkip;
  const stages: tf.Tensor4D[] = [];
  let x = conv(w, 'backbone.stem', image, 2, 'relu');
  config.compact.stages.forEach((stage, i) => {
    x = conv(w, `backbone.stage${i + 1}.down`, x, stageStride(stage), 'relu');
    for (let b = 0; b < stage.blocks; b++) {
      const p = `backbone.stage${i + 1}.block${b + 1}`;
      const h = conv(w, `${p}.conv1`, x, 1, 'relu');
      x = tf.relu(tf.add(x, conv(w, `${p}.conv2`, h, 1, 'linear'))) as tf.Tensor4D;
    }
    stages.push(x);
  });
  if (skip) {
    const fine = stages[skip.fromStage - 1]!;
    const window = fine.shape[1] / x.shape[1];
    const reduced = conv(w, 'backbone.skip', fine, 1, 'relu');
    const pooled = skip.pool === 'max' ? tf.maxPool(reduced, window, window, 'valid') : tf.avgPool(reduced, window, window, 'valid');
    x = tf.concat([x, pooled], 3) as tf.Tensor4D;
  }
  let encoded = conv(w, 'backbone.proj', x, 1, 'linear');
  const pixel = config.compact.pixelSkip;
  if (pixel) {
    const pooled = pooledPixels(config, image);
    encoded = tf.add(encoded, conv(w, 'backbone.pixel', toCells(config, pooled), 1, 'linear')) as tf.Tensor4D;
    if (pixel.colourWidth) {
      const colourCodes = conv(w, 'backbone.colour', pooled, 1, 'relu');
      encoded = tf.add(encoded, conv(w, 'backbone.colourProj', toCells(config, colourCodes), 1, 'linear')) as tf.Tensor4D;
    }
  }
  return { encoded, stages };
}

function resnet50Forward(w: Weights, image: tf.Tensor4D): tf.Tensor4D {
  let x = conv(w, 'backbone.stem', image, 2, 'relu');
  x = tf.maxPool(x, 3, 2, 'same');
  RESNET50_LAYERS.forEach((layer, li) => {
    for (let b = 0; b < layer.blocks; b++) {
      const stride = (b === 0 ? layer.stride : 1) as 1 | 2;
      const p = `backbone.layer${li + 1}.${b}`;
      const shortcut = b === 0 ? conv(w, `${p}.down`, x, stride, 'linear') : x;
      let h = conv(w, `${p}.conv1`, x, 1, 'relu');
      h = conv(w, `${p}.conv2`, h, stride, 'relu');
      h = conv(w, `${p}.conv3`, h, 1, 'linear');
      x = tf.relu(tf.add(shortcut, h)) as tf.Tensor4D;
    }
  });
  return conv(w, 'backbone.proj', x, 1, 'linear');
}

/** R(I): normalised NHWC image → I_en [B, S, S, M]. */
export function backboneForward(w: Weights, config: ModelConfig, image: tf.Tensor4D): tf.Tensor4D {
  return backboneFeatures(w, config, image).encoded;
}

/** I_en plus, for the compact backbone with the person-attribute proxy on, that proxy's finer feature map. */
export function backboneFeatures(w: Weights, config: ModelConfig, image: tf.Tensor4D): { encoded: tf.Tensor4D; fine?: tf.Tensor4D } {
  if (config.backbone === 'resnet50') return { encoded: resnet50Forward(w, image) };
  const { encoded, stages } = compactFeatures(w, config, image);
  return config.proxies.personAttributes ? { encoded, fine: stages[config.personAttributes.fromStage - 1] } : { encoded };
}
