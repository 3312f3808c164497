/**
 * Named weight maps for the baseline's two small CNNs (tfjs-core ops only, no tfjs-layers), with
 * seeded initialisation and a directory format: `<name>.weights.json` (names, shapes, offsets) +
 * `<name>.weights.bin` (float32 little-endian).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelError } from '../errors';
import * as tf from '../tf/tf';

export type Params = Map<string, tf.Variable>;

/** mulberry32: deterministic uniform numbers in [0, 1) from a seed. */
export function seededUniform(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Box–Muller normals over mulberry32: deterministic initialisation from a seed. */
export function seededNormal(seed: number): () => number {
  const uniform = seededUniform(seed);
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

export class ParamBuilder {
  readonly params: Params = new Map();
  private readonly normal: () => number;
  constructor(seed: number) {
    this.normal = seededNormal(seed);
  }

  private add(name: string, shape: number[], std: number): void {
    if (this.params.has(name)) throw new Error(`duplicate weight name ${name}`);
    const size = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    if (std > 0) for (let i = 0; i < size; i++) data[i] = this.normal() * std;
    this.params.set(name, tf.variable(tf.tensor(data, shape, 'float32'), true));
  }

  /** He-initialised conv: `${name}.kernel` [k, k, cin, cout] (HWIO), `${name}.bias` [cout]. */
  conv(name: string, k: number, cin: number, cout: number, gain = 2): void {
    this.add(`${name}.kernel`, [k, k, cin, cout], Math.sqrt(gain / (k * k * cin)));
    this.add(`${name}.bias`, [cout], 0);
  }

  dense(name: string, cin: number, cout: number, gain = 2): void {
    this.add(`${name}.kernel`, [cin, cout], Math.sqrt(gain / cin));
    this.add(`${name}.bias`, [cout], 0);
  }
}

export function param(params: Params, name: string): tf.Variable {
  const p = params.get(name);
  if (!p) throw new ModelError(`missing weight ${name}`);
  return p;
}

/** 'same'-padded conv + bias (+ ReLU). */
export function conv(params: Params, name: string, x: tf.Tensor4D, stride: number, relu = true): tf.Tensor4D {
  const y = tf.add(tf.conv2d(x, param(params, `${name}.kernel`) as tf.Tensor4D, stride, 'same'), param(params, `${name}.bias`)) as tf.Tensor4D;
  return relu ? tf.relu(y) : y;
}

export function dense(params: Params, name: string, x: tf.Tensor2D, relu = true): tf.Tensor2D {
  const y = tf.add(tf.matMul(x, param(params, `${name}.kernel`) as tf.Tensor2D), param(params, `${name}.bias`)) as tf.Tensor2D;
  return relu ? tf.relu(y) : y;
}

interface WeightsManifest {
  format: 'fastpr-baseline-weights';
  version: 1;
  weights: Array<{ name: string; shape: number[]; offset: number; length: number }>;
}

export function saveParams(params: Params, dir: string, name: string): void {
  const entries: WeightsManifest['weights'] = [];
  const chunks: Float32Array[] = [];
  let offset = 0;
  for (const [key, v] of params) {
    const data = v.dataSync() as Float32Array;
    entries.push({ name: key, shape: v.shape, offset, length: data.length });
    chunks.push(data);
    offset += data.length;
  }
  const all = new Float32Array(offset);
  let at = 0;
  for (const c of chunks) { all.set(c, at); at += c.length; }
  writeFileSync(join(dir, `${name}.weights.bin`), Buffer.from(all.buffer, all.byteOffset, all.byteLength));
  const manifest: WeightsManifest = { format: 'fastpr-baseline-weights', version: 1, weights: entries };
  writeFileSync(join(dir, `${name}.weights.json`), JSON.stringify(manifest, null, 1) + '\n');
}

/** Loads weights into an already built map (names and shapes must agree). */
export function loadParams(params: Params, dir: string, name: string): void {
  const jsonFile = join(dir, `${name}.weights.json`);
  const binFile = join(dir, `${name}.weights.bin`);
  let manifest: WeightsManifest;
  let bin: Buffer;
  try {
    manifest = JSON.parse(readFileSync(jsonFile, 'utf8')) as WeightsManifest;
    bin = readFileSync(binFile);
  } catch (e) {
    throw new ModelError(`${jsonFile}: cannot read weights (${(e as Error).message})`, { file: jsonFile });
  }
  const floats = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
  const byName = new Map(manifest.weights.map((w) => [w.name, w]));
  for (const [key, v] of params) {
    const w = byName.get(key);
    if (!w) throw new ModelError(`${jsonFile}: weight ${key} is missing`, { file: jsonFile });
    if (w.shape.join('x') !== v.shape.join('x')) {
      throw new ModelError(`${jsonFile}: weight ${key} has shape ${w.shape.join('x')}, the config needs ${v.shape.join('x')}`, { file: jsonFile });
    }
    if (w.offset + w.length > floats.length) throw new ModelError(`${binFile}: truncated (weight ${key})`, { file: binFile });
    v.assign(tf.tensor(floats.subarray(w.offset, w.offset + w.length), w.shape, 'float32'));
  }
}

export function disposeParams(params: Params): void {
  for (const v of params.values()) v.dispose();
  params.clear();
}
