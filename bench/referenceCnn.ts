/**
 * The reference CNN of bench:kernels: a small ResNet-style classifier of ~0.18 GMAC at 224×224
 * (7×7/2 stem, 3×3 max-pool, four stages of a stride-2 3×3 conv with a 1×1 stride-2 shortcut and a
 * residual block of two 3×3 convs, global average pool, dense, softmax cross-entropy). Its MAC
 * count is computed from the same layer list the forward pass uses.
 */
import * as tf from '../core/tf/tf';

interface Conv { name: string; k: number; stride: 1 | 2; cin: number; cout: number; relu: boolean }

const STEM = 16;
const WIDTHS = [24, 48, 96, 192];

export function referenceLayers(): Conv[] {
  const layers: Conv[] = [{ name: 'stem', k: 7, stride: 2, cin: 3, cout: STEM, relu: true }];
  let c = STEM;
  WIDTHS.forEach((w, i) => {
    const s = i === 0 ? 1 : 2;
    layers.push({ name: `s${i}.down`, k: 3, stride: s, cin: c, cout: w, relu: true });
    if (s === 2 || c !== w) layers.push({ name: `s${i}.short`, k: 1, stride: s, cin: c, cout: w, relu: false });
    layers.push({ name: `s${i}.a`, k: 3, stride: 1, cin: w, cout: w, relu: true });
    layers.push({ name: `s${i}.b`, k: 3, stride: 1, cin: w, cout: w, relu: false });
    c = w;
  });
  return layers;
}

/** Multiply-accumulates of one forward pass of one image of side `size`. */
export function referenceMacs(size: number): number {
  let macs = 0;
  const out = (h: number, s: number) => Math.ceil(h / s);
  let h = out(size, 2); // stem output
  macs += h * h * 49 * 3 * STEM;
  h = out(h, 2); // max-pool
  let stageIn = h;
  for (const l of referenceLayers().slice(1)) {
    // down and short read the stage input; a and b run at the stage's output resolution.
    if (l.name.endsWith('.down')) stageIn = h;
    const src = l.name.endsWith('.down') || l.name.endsWith('.short') ? stageIn : h;
    const o = out(src, l.stride);
    macs += o * o * l.k * l.k * l.cin * l.cout;
    if (l.name.endsWith('.down')) h = o;
  }
  return macs + WIDTHS[WIDTHS.length - 1]! * 10;
}

export type Params = Map<string, tf.Variable>;

export function referenceParams(seed = 1): Params {
  const p: Params = new Map();
  for (const l of referenceLayers()) {
    const std = l.name.endsWith('.b') ? 0.01 : Math.sqrt(2 / (l.k * l.k * l.cin));
    p.set(`${l.name}.w`, tf.variable(tf.randomNormal([l.k, l.k, l.cin, l.cout], 0, std, 'float32', seed++)));
    p.set(`${l.name}.b`, tf.variable(tf.zeros([l.cout])));
  }
  const last = WIDTHS[WIDTHS.length - 1]!;
  p.set('fc.w', tf.variable(tf.randomNormal([last, 10], 0, Math.sqrt(1 / last), 'float32', seed)));
  p.set('fc.b', tf.variable(tf.zeros([10])));
  return p;
}

function conv(p: Params, name: string, x: tf.Tensor4D, stride: 1 | 2, relu: boolean): tf.Tensor4D {
  return tf.fused.conv2d({
    x, filter: p.get(`${name}.w`) as unknown as tf.Tensor4D, bias: p.get(`${name}.b`), strides: stride, pad: 'same',
    activation: relu ? 'relu' : 'linear',
  });
}

export function referenceLoss(p: Params, images: tf.Tensor4D, labels: tf.Tensor1D): tf.Scalar {
  let x = conv(p, 'stem', images, 2, true);
  x = tf.maxPool(x, 3, 2, 'same');
  WIDTHS.forEach((w, i) => {
    const s = i === 0 ? 1 : 2;
    const short = p.has(`s${i}.short.w`) ? conv(p, `s${i}.short`, x, s, false) : x;
    const d = tf.relu(tf.add(conv(p, `s${i}.down`, x, s, true), short)) as tf.Tensor4D;
    const h = conv(p, `s${i}.b`, conv(p, `s${i}.a`, d, 1, true), 1, false);
    x = tf.relu(tf.add(d, h)) as tf.Tensor4D;
  });
  const pooled = tf.mean(x, [1, 2]) as tf.Tensor2D;
  const logits = tf.add(tf.matMul(pooled, p.get('fc.w') as unknown as tf.Tensor2D), p.get('fc.b')!) as tf.Tensor2D;
  return tf.losses.softmaxCrossEntropy(tf.oneHot(labels, 10), logits) as tf.Scalar;
}

/** One SGD step; returns the loss. */
export function referenceStep(p: Params, opt: tf.Optimizer, images: tf.Tensor4D, labels: tf.Tensor1D): number {
  const loss = opt.minimize(() => referenceLoss(p, images, labels), true, [...p.values()]);
  const v = loss!.dataSync()[0]!;
  loss!.dispose();
  return v;
}
