/**
 * Weight files: `<base>.json` (header: names, shapes, dtypes, byte offsets) + `<base>.bin` (the
 * float32 little-endian data, concatenated in header order). Local files only. Any problem is a
 * ModelError naming the file.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import * as tf from '../tf/tf';
import { ModelError } from '../errors';
import { writeFileAtomic } from './atomicFile';
import type { Weights } from './layers';

export const WEIGHTS_FORMAT = 'fastpr-weights';

const headerSchema = z.object({
  format: z.literal(WEIGHTS_FORMAT),
  version: z.literal(1),
  byteLength: z.number().int().min(0),
  tensors: z.array(
    z.object({
      name: z.string().min(1),
      shape: z.array(z.number().int().min(0)),
      dtype: z.literal('float32'),
      /** Byte offset in the .bin file. */
      offset: z.number().int().min(0),
    }),
  ),
});
export type WeightsHeader = z.infer<typeof headerSchema>;

export interface NamedArray {
  name: string;
  shape: number[];
  data: Float32Array;
}

const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Serialises arrays into header + one contiguous buffer. */
export function packArrays(arrays: NamedArray[]): { header: WeightsHeader; bin: Uint8Array } {
  let offset = 0;
  const tensors = arrays.map((a) => {
    if (a.data.length !== sizeOf(a.shape)) throw new Error(`${a.name}: data length ${a.data.length} ≠ shape ${a.shape.join('×')}`);
    const t = { name: a.name, shape: a.shape, dtype: 'float32' as const, offset };
    offset += a.data.byteLength;
    return t;
  });
  const bin = new Uint8Array(offset);
  const view = new DataView(bin.buffer);
  arrays.forEach((a, i) => {
    const base = tensors[i]!.offset;
    for (let j = 0; j < a.data.length; j++) view.setFloat32(base + 4 * j, a.data[j]!, true);
  });
  return { header: { format: WEIGHTS_FORMAT, version: 1, byteLength: offset, tensors }, bin };
}

/** Parses header + buffer back into arrays; `source` names the file in errors. */
export function unpackArrays(headerJson: unknown, bin: Uint8Array, source: string): NamedArray[] {
  const parsed = headerSchema.safeParse(headerJson);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new ModelError(`${source}: not a FastPR weights header (${i ? i.path.join('.') + ': ' + i.message : 'invalid'})`, { file: source });
  }
  const h = parsed.data;
  if (bin.byteLength !== h.byteLength) {
    throw new ModelError(`${source}: data is ${bin.byteLength} bytes, header says ${h.byteLength}`, { file: source });
  }
  const view = new DataView(bin.buffer, bin.byteOffset, bin.byteLength);
  return h.tensors.map((t) => {
    const n = sizeOf(t.shape);
    if (t.offset + 4 * n > bin.byteLength) throw new ModelError(`${source}: tensor ${t.name} runs past the end of the data`, { file: source, field: t.name });
    const data = new Float32Array(n);
    for (let j = 0; j < n; j++) data[j] = view.getFloat32(t.offset + 4 * j, true);
    return { name: t.name, shape: t.shape, data };
  });
}

export function writeWeightsFiles(dir: string, base: string, arrays: NamedArray[]): { header: WeightsHeader; bin: Uint8Array } {
  const packed = packArrays(arrays);
  writeFileAtomic(join(dir, `${base}.bin`), packed.bin);
  writeFileAtomic(join(dir, `${base}.json`), JSON.stringify(packed.header, null, 1) + '\n');
  return packed;
}

export function readWeightsFiles(dir: string, base: string): NamedArray[] {
  const headerFile = join(dir, `${base}.json`);
  const binFile = join(dir, `${base}.bin`);
  let headerText: string;
  let bin: Uint8Array;
  try {
    headerText = readFileSync(headerFile, 'utf8');
  } catch {
    throw new ModelError(`${headerFile}: weights header not found`, { file: headerFile });
  }
  try {
    bin = readFileSync(binFile);
  } catch {
    throw new ModelError(`${binFile}: weights data not found`, { file: binFile });
  }
  let json: unknown;
  try {
    json = JSON.parse(headerText);
  } catch (e) {
    throw new ModelError(`${headerFile}: not valid JSON (${(e as Error).message})`, { file: headerFile });
  }
  return unpackArrays(json, bin, headerFile);
}

/** Current values of every weight, in map order. */
export function weightsToArrays(weights: Weights): NamedArray[] {
  return [...weights.entries()].map(([name, v]) => ({ name, shape: [...v.shape], data: v.dataSync() as Float32Array }));
}

/** Assigns arrays to a model's weights; names and shapes must match exactly. */
export function assignArrays(weights: Weights, arrays: NamedArray[], source: string): void {
  const byName = new Map(arrays.map((a) => [a.name, a]));
  for (const [name, v] of weights) {
    const a = byName.get(name);
    if (!a) throw new ModelError(`${source}: weight ${name} is missing`, { file: source, field: name });
    if (a.shape.join('×') !== v.shape.join('×')) {
      throw new ModelError(`${source}: weight ${name} has shape ${a.shape.join('×')}, the model needs ${v.shape.join('×')}`, { file: source, field: name });
    }
  }
  const extra = arrays.filter((a) => !weights.has(a.name)).map((a) => a.name);
  if (extra.length > 0) throw new ModelError(`${source}: unexpected weights ${extra.slice(0, 3).join(', ')}${extra.length > 3 ? '…' : ''} (config mismatch?)`, { file: source });
  for (const [name, v] of weights) {
    const a = byName.get(name)!;
    tf.tidy(() => v.assign(tf.tensor(a.data, a.shape, 'float32')));
  }
}
