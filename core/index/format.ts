/**
 * The feature index file (one per video, model and sampling rate). Little-endian, append-only
 * while building so ingest can checkpoint by length:
 *
 *   header, 512 bytes:
 *     0  "FPRINDEX"          8  u16 version (1)     10 u8 dtype (1 int8 affine per cell, 2 float16, 3 float32)
 *     11 u8 flags (bit0 complete, bit1 every frame, bit2 model input scaled by ffmpeg — see scaledInput.ts)  12 u16 grid S   14 u16 feature width M
 *     16 f64 sampling fps (0 = every frame)  24 u32 frame width  28 u32 frame height  32 u32 input size
 *     36 u32 frame count (written when complete)    40 6×f64 input transform (scaleX, scaleY, offsetX, offsetY, inputW, inputH)
 *     88 model hash (64 ASCII)   152 video SHA-256 (64 ASCII)   216 u16 thumbnail width, u16 height
 *   then one record per sampled frame:
 *     u32 record bytes, u32 thumbnail bytes, f64 presentation time in µs,
 *     features (see quantize.ts), JPEG thumbnail, zero padding to a multiple of 4.
 * The per-frame timestamps live in the records (append-friendly); the reader collects them.
 * Nothing time- or host-dependent is written, so the same inputs give byte-identical files.
 */
import type { InputTransform } from '../model/preprocess';
import { DTYPE_BY_CODE, DTYPE_CODES, featureBytes, type FeatureDtype } from './quantize';

export const INDEX_MAGIC = 'FPRINDEX';
export const INDEX_VERSION = 1;
export const HEADER_BYTES = 512;
export const RECORD_HEADER_BYTES = 16;

export interface IndexHeader {
  dtype: FeatureDtype;
  complete: boolean;
  everyFrame: boolean;
  grid: number;
  featureWidth: number;
  samplingFps: number;
  frameWidth: number;
  frameHeight: number;
  inputSize: number;
  frameCount: number;
  transform: InputTransform;
  modelHash: string;
  videoSha256: string;
  thumbWidth: number;
  thumbHeight: number;
  /**
   * How the model input was made: 'ffmpeg' (shrunk by ffmpeg, normalised in JS: scaledInput.ts) or
   * 'js' (preprocessFrame on full frames; files written before the flag existed). A resumed build
   * must use the same path (the header comparison includes it).
   */
  inputScaling?: 'ffmpeg' | 'js';
}

function ascii(buf: Buffer, off: number, len: number): string {
  const s = buf.toString('latin1', off, off + len);
  const z = s.indexOf('\0');
  return z < 0 ? s : s.slice(0, z);
}

export function encodeHeader(h: IndexHeader): Buffer {
  const b = Buffer.alloc(HEADER_BYTES);
  b.write(INDEX_MAGIC, 0, 'latin1');
  b.writeUInt16LE(INDEX_VERSION, 8);
  b.writeUInt8(DTYPE_CODES[h.dtype], 10);
  b.writeUInt8((h.complete ? 1 : 0) | (h.everyFrame ? 2 : 0) | (h.inputScaling === 'ffmpeg' ? 4 : 0), 11);
  b.writeUInt16LE(h.grid, 12);
  b.writeUInt16LE(h.featureWidth, 14);
  b.writeDoubleLE(h.samplingFps, 16);
  b.writeUInt32LE(h.frameWidth, 24);
  b.writeUInt32LE(h.frameHeight, 28);
  b.writeUInt32LE(h.inputSize, 32);
  b.writeUInt32LE(h.frameCount, 36);
  const t = h.transform;
  [t.scaleX, t.scaleY, t.offsetX, t.offsetY, t.inputWidth, t.inputHeight].forEach((v, i) => b.writeDoubleLE(v, 40 + 8 * i));
  b.write(h.modelHash.slice(0, 64), 88, 'latin1');
  b.write(h.videoSha256.slice(0, 64), 152, 'latin1');
  b.writeUInt16LE(h.thumbWidth, 216);
  b.writeUInt16LE(h.thumbHeight, 218);
  return b;
}

/** Parses a header; returns a problem description instead of throwing (the caller names the file). */
export function decodeHeader(b: Buffer): IndexHeader | string {
  if (b.length < HEADER_BYTES) return `too short for an index header (${b.length} bytes)`;
  if (b.toString('latin1', 0, 8) !== INDEX_MAGIC) return 'not a FastPR index (bad magic)';
  const version = b.readUInt16LE(8);
  if (version !== INDEX_VERSION) return `index format version ${version} is not supported (this build reads ${INDEX_VERSION})`;
  const dtype = DTYPE_BY_CODE[b.readUInt8(10)];
  if (!dtype) return `unknown feature storage type ${b.readUInt8(10)}`;
  const flags = b.readUInt8(11);
  const d = (i: number) => b.readDoubleLE(40 + 8 * i);
  return {
    dtype, complete: (flags & 1) !== 0, everyFrame: (flags & 2) !== 0, grid: b.readUInt16LE(12), featureWidth: b.readUInt16LE(14),
    samplingFps: b.readDoubleLE(16), frameWidth: b.readUInt32LE(24), frameHeight: b.readUInt32LE(28), inputSize: b.readUInt32LE(32),
    frameCount: b.readUInt32LE(36),
    transform: { scaleX: d(0), scaleY: d(1), offsetX: d(2), offsetY: d(3), inputWidth: d(4), inputHeight: d(5), flip: false },
    modelHash: ascii(b, 88, 64), videoSha256: ascii(b, 152, 64), thumbWidth: b.readUInt16LE(216), thumbHeight: b.readUInt16LE(218),
    inputScaling: (flags & 4) !== 0 ? 'ffmpeg' : 'js',
  };
}

export function headerFeatureBytes(h: Pick<IndexHeader, 'dtype' | 'grid' | 'featureWidth'>): number {
  return featureBytes(h.dtype, h.grid * h.grid, h.featureWidth);
}

/** Total bytes of a record with this thumbnail size. */
export function recordBytes(featureLen: number, thumbLen: number): number {
  const raw = RECORD_HEADER_BYTES + featureLen + thumbLen;
  return (raw + 3) & ~3;
}
