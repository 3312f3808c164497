/**
 * Compact storage of encoder features I_en (per cell a vector of M floats).
 * - 'int8': 8-bit affine per cell vector: float32 minimum and step, then M codes
 *   v ≈ min + code·step with step = (max − min)/255 (M + 8 bytes per cell, about a quarter of
 *   float32). Affine rather than symmetric: a cell's range need not be centred on 0.
 * - 'float16': IEEE half precision, 2·M bytes per cell.
 * - 'float32': lossless, for measurement.
 * - 'pca' (index format 2): see pcaCodec.ts — not per frame, handled by indexFile.ts.
 * Encoding is a pure function of the input floats, so re-ingesting gives identical bytes.
 */
import { float16BitsToFloat32, float32ToFloat16Bits } from '../numeric/float16';

/** 'pca': per-video basis + temporally coded integer codes, variable size per frame (pcaCodec.ts). */
export type FeatureDtype = 'int8' | 'float16' | 'float32' | 'pca';
export type ScalarDtype = Exclude<FeatureDtype, 'pca'>;

export const DTYPE_CODES: Record<FeatureDtype, number> = { int8: 1, float16: 2, float32: 3, pca: 4 };
export const DTYPE_BY_CODE: Record<number, FeatureDtype> = { 1: 'int8', 2: 'float16', 3: 'float32', 4: 'pca' };

/** Bytes one frame's features take (cells = S², width = M). */
export function featureBytes(dtype: FeatureDtype, cells: number, width: number): number {
  if (dtype === 'pca') throw new Error('pca features have no fixed size');
  if (dtype === 'int8') return cells * (8 + width);
  return cells * width * (dtype === 'float16' ? 2 : 4);
}

/** float32 → IEEE 754 half bits, round to nearest even (one implementation: core/numeric). */
export const toHalf = float32ToFloat16Bits;

/** Half bits → float32, tabulated once so decoding an index is a table lookup per value. */
const HALF_TABLE = Float32Array.from({ length: 65536 }, (_, h) => float16BitsToFloat32(h));

/** Writes one frame's features [cells·width] into `out` (featureBytes long) at `offset`. */
export function encodeFeatures(dtype: ScalarDtype, src: Float32Array, cells: number, width: number, out: Buffer, offset: number): void {
  if (dtype === 'float32') {
    for (let i = 0; i < cells * width; i++) out.writeFloatLE(src[i]!, offset + 4 * i);
    return;
  }
  if (dtype === 'float16') {
    for (let i = 0; i < cells * width; i++) out.writeUInt16LE(toHalf(src[i]!), offset + 2 * i);
    return;
  }
  const q = offset + cells * 8;
  for (let c = 0; c < cells; c++) {
    const base = c * width;
    let lo = Infinity;
    let hi = -Infinity;
    for (let k = 0; k < width; k++) { const v = src[base + k]!; if (v < lo) lo = v; if (v > hi) hi = v; }
    const min = Math.fround(lo);
    const step = hi > lo ? Math.fround((hi - min) / 255) : 0;
    out.writeFloatLE(min, offset + 8 * c);
    out.writeFloatLE(step, offset + 8 * c + 4);
    const inv = step > 0 ? 1 / step : 0;
    for (let k = 0; k < width; k++) out[q + base + k] = Math.max(0, Math.min(255, Math.round((src[base + k]! - min) * inv)));
  }
}

/** Expands one frame's stored features back to float32 into `dst` at `dstOffset` (floats). */
export function decodeFeatures(dtype: ScalarDtype, buf: Buffer, offset: number, cells: number, width: number, dst: Float32Array, dstOffset: number): void {
  const n = cells * width;
  if (dtype === 'float32') {
    if ((buf.byteOffset + offset) % 4 === 0) dst.set(new Float32Array(buf.buffer, buf.byteOffset + offset, n), dstOffset);
    else for (let i = 0; i < n; i++) dst[dstOffset + i] = buf.readFloatLE(offset + 4 * i);
    return;
  }
  if (dtype === 'float16') {
    for (let i = 0; i < n; i++) dst[dstOffset + i] = HALF_TABLE[buf[offset + 2 * i]! | (buf[offset + 2 * i + 1]! << 8)]!;
    return;
  }
  const q = offset + cells * 8;
  for (let c = 0; c < cells; c++) {
    const min = buf.readFloatLE(offset + 8 * c);
    const step = buf.readFloatLE(offset + 8 * c + 4);
    const base = c * width;
    for (let k = 0; k < width; k++) dst[dstOffset + base + k] = min + buf[q + base + k]! * step;
  }
}
