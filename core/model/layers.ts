/**
 * Weights are a plain named map (name → tf.Variable) built by the helpers below; the forward pass
 * applies them with tfjs-core ops only. Names are the contract with the ONNX exporter and the weight
 * files, so they never depend on engine-generated variable names.
 *
 * Layouts: conv kernels HWIO [kh, kw, in, out]; dense kernels [in, out]; biases [out];
 * activations NHWC.
 */
import * as tf from '../tf/tf';
import type { Rng } from './rng';

export type Weights = Map<string, tf.Variable>;
export type Activation = 'linear' | 'relu' | 'sigmoid';

export type Init = 'he' | 'glorot' | 'zero' | { normal: number };

function fill(rng: Rng, size: number, std: number): Float32Array {
  const out = new Float32Array(size);
  if (std === 0) return out;
  for (let i = 0; i < size; i++) out[i] = rng.normal() * std;
  return out;
}

/** Creates the variables of a model in a fixed order from one seeded generator. */
export class WeightBuilder {
  readonly weights: Weights = new Map();
  constructor(private readonly rng: Rng) {}

  private add(name: string, shape: number[], std: number, offset = 0): void {
    if (this.weights.has(name)) throw new Error(`duplicate weight name ${name}`);
    const size = shape.reduce((a, b) => a * b, 1);
    const values = fill(this.rng, size, std);
    if (offset !== 0) values.fill(offset);
    const init = tf.tensor(values, shape, 'float32');
    this.weights.set(name, tf.variable(init, true));
    init.dispose();
  }

  private std(init: Init, fanIn: number, fanOut: number): number {
    if (init === 'zero') return 0;
    if (init === 'he') return Math.sqrt(2 / fanIn);
    if (init === 'glorot') return Math.sqrt(2 / (fanIn + fanOut));
    return init.normal;
  }

  /** `${name}.kernel` [k, k, cin, cout] and `${name}.bias` [cout]. */
  conv2d(name: string, k: number, cin: number, cout: number, init: Init = 'he', biasValue = 0): void {
    this.add(`${name}.kernel`, [k, k, cin, cout], this.std(init, k * k * cin, k * k * cout));
    this.add(`${name}.bias`, [cout], 0, biasValue);
  }

  /** `${name}.kernel` [in, out] and `${name}.bias` [out]. */
  dense(name: string, cin: number, cout: number, init: Init = 'he'): void {
    this.add(`${name}.kernel`, [cin, cout], this.std(init, cin, cout));
    this.add(`${name}.bias`, [cout], 0);
  }

  /** `${name}.table` [rows, dim]. */
  embedding(name: string, rows: number, dim: number, std: number): void {
    this.add(`${name}.table`, [rows, dim], std);
  }
}

export function getWeight(weights: Weights, name: string): tf.Variable {
  const w = weights.get(name);
  if (!w) throw new Error(`missing weight ${name}`);
  return w;
}

/** conv2d with 'same' padding + bias + activation (fused where the backend supports it). */
export function conv(weights: Weights, name: string, x: tf.Tensor4D, stride: 1 | 2, act: Activation): tf.Tensor4D {
  const kernel = getWeight(weights, `${name}.kernel`) as unknown as tf.Tensor4D;
  const bias = getWeight(weights, `${name}.bias`);
  if (act === 'sigmoid') {
    return tf.sigmoid(tf.fused.conv2d({ x, filter: kernel, strides: stride, pad: 'same', bias, activation: 'linear' })) as tf.Tensor4D;
  }
  return tf.fused.conv2d({ x, filter: kernel, strides: stride, pad: 'same', bias, activation: act });
}

/** Dense layer on the last axis of a rank-2 input. */
export function dense(weights: Weights, name: string, x: tf.Tensor2D, act: Activation): tf.Tensor2D {
  const kernel = getWeight(weights, `${name}.kernel`) as unknown as tf.Tensor2D;
  const bias = getWeight(weights, `${name}.bias`);
  const y = tf.fused.matMul({ a: x, b: kernel, bias, activation: act === 'sigmoid' ? 'linear' : act });
  return (act === 'sigmoid' ? tf.sigmoid(y) : y) as tf.Tensor2D;
}

/** Dense layer applied to the last axis of any-rank input (reshape → matMul → reshape). */
export function denseLastAxis(weights: Weights, name: string, x: tf.Tensor, act: Activation): tf.Tensor {
  const shape = x.shape;
  const cin = shape[shape.length - 1]!;
  const y = dense(weights, name, tf.reshape(x, [-1, cin]) as tf.Tensor2D, act);
  return tf.reshape(y, [...shape.slice(0, -1), y.shape[1]]);
}

export function parameterCount(weights: Weights): number {
  let n = 0;
  for (const w of weights.values()) n += w.size;
  return n;
}

export function disposeWeights(weights: Weights): void {
  for (const w of weights.values()) w.dispose();
  weights.clear();
}
