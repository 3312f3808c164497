/**
 * The feature index file (one per video, model and sampling rate). Little-endian, append-only
 * while building so ingest can checkpoint by length:
 *
 *   header, 512 bytes:
 *     0  "FPRINDEX"          8  u16 version (2, or 3 once a pca basis was refitted; 1 is still read)     10 u8 dtype (1 int8 affine per cell, 2 float16, 3 float32, 4 pca — pcaCodec.ts)
 *     11 u8 flags (bit0 complete, bit1 every frame, bit2 model input scaled by ffmpeg — see scaledInput.ts,
 *                 bit3 non-reference frames not decoded: each bin's first decoded frame — buildIndex.ts)  12 u16 grid S   14 u16 feature width M
 *     16 f64 sampling fps (0 = every frame)  24 u32 frame width  28 u32 frame height  32 u32 input size
 *     36 u32 frame count (written when complete)    40 6×f64 input transform (scaleX, scaleY, offsetX, offsetY, inputW, inputH)
 *     88 model hash (64 ASCII)   152 video SHA-256 (64 ASCII)   216 u16 thumbnail width, u16 height
 *     version 2: 220 u16 pca components d   222 u16 pca key-frame interval   224 f64 pca step (relative)
 *                232 f64 thumbnail interval in s (0: every frame)   240 u16 pca fit frames
 *                244 f64 pca hold in steps (0: off; files before it have 0 there)
 *                256 encoder file SHA-256 (64 ASCII; files before it: zeros = not recorded, the float encoder)
 *                320 u8 encoder precision (0 float, 1 int8: `fastpr quantize-encoder`)
 *   then records. Version 2 (24-byte record header):
 *     u32 record bytes, u32 thumbnail bytes, f64 presentation time in µs, u32 feature bytes,
 *     u8 kind (0 frame, 1 key frame, 2 pca basis — before the first frame, no time, no thumbnail), 3 zero bytes,
 *     (version 3: a pca basis record may also follow frames — the scene changed and the writer refitted
 *     the basis; the frames after it use it, the first of them a key frame),
 *     features (quantize.ts, or pca codes: pcaCodec.ts), JPEG thumbnail (may be empty: only one
 *     thumbnail per thumbnail interval is kept), zero padding to a multiple of 4.
 *   Version 1 (16-byte record header): u32 record bytes, u32 thumbnail bytes, f64 time in µs,
 *     fixed-size features, JPEG thumbnail, padding.
 * The per-frame timestamps live in the records (append-friendly); the reader collects them.
 * Nothing time- or host-dependent is written, so the same inputs give byte-identical files.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import type { InputTransform } from '../model/preprocess';
import { DTYPE_BY_CODE, DTYPE_CODES, featureBytes, type FeatureDtype } from './quantize';

export const INDEX_MAGIC = 'FPRINDEX';
/** The newest version this build reads and writes. */
export const INDEX_VERSION = 3;
/**
 * What a writer starts with: version 2 until a pca basis is refitted mid-file (version 3), so an index
 * without a refit stays readable by builds from before refitting.
 */
export const INDEX_VERSION_SINGLE_BASIS = 2;
export const HEADER_BYTES = 512;
/** Version 1 record header (read only). */
export const RECORD_HEADER_BYTES_V1 = 16;
export const RECORD_HEADER_BYTES = 24;
export const RECORD_FRAME = 0;
export const RECORD_KEY = 1;
export const RECORD_BASIS = 2;

/**
 * Parameters of the 'pca' storage (pcaCodec.ts). `hold` (in quantisation steps; 0 or absent: off)
 * keeps a cell's previous codes while none of its coefficients moved further than that.
 */
export interface PcaParams { dims: number; stepRel: number; keyInterval: number; fitFrames: number; hold?: number }

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
  /**
   * The decoder skipped frames no other frame refers to, so each sampled frame is the first
   * *decoded* frame of its 1/fps bin, not always the bin's first frame (buildIndex.ts
   * skipsNonReferenceFrames; files before 2 Dec 2026: false).
   */
  referenceFramesOnly?: boolean;
  /** 'pca' storage only. */
  pca?: PcaParams;
  /** Keep one thumbnail per this many seconds of footage (0 or absent: every frame). */
  thumbIntervalS?: number;
  /**
   * The encoder graph the features came from (core/infer/onnxRetriever.ts EncoderIdentity): its
   * file's SHA-256 ('' in files from before it was recorded, which the float encoder wrote) and precision.
   */
  encoderSha256?: string;
  encoderPrecision?: 'float' | 'int8';
  /** Read only: the version the file was written with (writers always write INDEX_VERSION). */
  formatVersion?: number;
}

function ascii(buf: Buffer, off: number, len: number): string {
  const s = buf.toString('latin1', off, off + len);
  const z = s.indexOf('\0');
  return z < 0 ? s : s.slice(0, z);
}

export function encodeHeader(h: IndexHeader): Buffer {
  const b = Buffer.alloc(HEADER_BYTES);
  b.write(INDEX_MAGIC, 0, 'latin1');
  const version = h.formatVersion ?? INDEX_VERSION_SINGLE_BASIS;
  if (version !== INDEX_VERSION_SINGLE_BASIS && version !== INDEX_VERSION) throw new Error(`cannot write index format version ${version}`);
  b.writeUInt16LE(version, 8);
  b.writeUInt8(DTYPE_CODES[h.dtype], 10);
  b.writeUInt8((h.complete ? 1 : 0) | (h.everyFrame ? 2 : 0) | (h.inputScaling === 'ffmpeg' ? 4 : 0) | (h.referenceFramesOnly ? 8 : 0), 11);
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
  if (h.pca) {
    b.writeUInt16LE(h.pca.dims, 220);
    b.writeUInt16LE(h.pca.keyInterval, 222);
    b.writeDoubleLE(h.pca.stepRel, 224);
    b.writeUInt16LE(h.pca.fitFrames, 240);
    b.writeDoubleLE(h.pca.hold ?? 0, 244);
  }
  b.writeDoubleLE(h.thumbIntervalS ?? 0, 232);
  if (h.encoderSha256) b.write(h.encoderSha256.slice(0, 64), 256, 'latin1');
  b.writeUInt8(h.encoderPrecision === 'int8' ? 1 : 0, 320);
  return b;
}

/** Parses a header; returns a problem description instead of throwing (the caller names the file). */
export function decodeHeader(b: Buffer): IndexHeader | string {
  if (b.length < HEADER_BYTES) return `too short for an index header (${b.length} bytes)`;
  if (b.toString('latin1', 0, 8) !== INDEX_MAGIC) return 'not a FastPR index (bad magic)';
  const version = b.readUInt16LE(8);
  if (version < 1 || version > INDEX_VERSION) return `index format version ${version} is not supported (this build reads 1 to ${INDEX_VERSION}): ingest the video again`;
  const dtype = DTYPE_BY_CODE[b.readUInt8(10)];
  if (!dtype || (version === 1 && dtype === 'pca')) return `unknown feature storage type ${b.readUInt8(10)}`;
  const flags = b.readUInt8(11);
  const d = (i: number) => b.readDoubleLE(40 + 8 * i);
  return {
    dtype, complete: (flags & 1) !== 0, everyFrame: (flags & 2) !== 0, grid: b.readUInt16LE(12), featureWidth: b.readUInt16LE(14),
    samplingFps: b.readDoubleLE(16), frameWidth: b.readUInt32LE(24), frameHeight: b.readUInt32LE(28), inputSize: b.readUInt32LE(32),
    frameCount: b.readUInt32LE(36),
    transform: { scaleX: d(0), scaleY: d(1), offsetX: d(2), offsetY: d(3), inputWidth: d(4), inputHeight: d(5), flip: false },
    modelHash: ascii(b, 88, 64), videoSha256: ascii(b, 152, 64), thumbWidth: b.readUInt16LE(216), thumbHeight: b.readUInt16LE(218),
    inputScaling: (flags & 4) !== 0 ? 'ffmpeg' : 'js', referenceFramesOnly: (flags & 8) !== 0,
    ...(dtype === 'pca' ? { pca: { dims: b.readUInt16LE(220), keyInterval: b.readUInt16LE(222), stepRel: b.readDoubleLE(224), fitFrames: b.readUInt16LE(240), hold: b.readDoubleLE(244) } } : {}),
    thumbIntervalS: version >= 2 ? b.readDoubleLE(232) : 0,
    encoderSha256: ascii(b, 256, 64), encoderPrecision: b.readUInt8(320) === 1 ? 'int8' : 'float',
    formatVersion: version,
  };
}

/** Fixed bytes per frame of the scalar storages (the pca codes vary per frame: 0 here). */
export function headerFeatureBytes(h: Pick<IndexHeader, 'dtype' | 'grid' | 'featureWidth'>): number {
  return h.dtype === 'pca' ? 0 : featureBytes(h.dtype, h.grid * h.grid, h.featureWidth);
}

/** Total bytes of a record with these feature and thumbnail sizes (version 2 unless told). */
export function recordBytes(featureLen: number, thumbLen: number, recordHeader = RECORD_HEADER_BYTES): number {
  const raw = recordHeader + featureLen + thumbLen;
  return (raw + 3) & ~3;
}

/** The header of an open index file, or why it is not one. */
export function readHeaderAt(fd: number): IndexHeader | string {
  const head = Buffer.alloc(HEADER_BYTES);
  return decodeHeader(head.subarray(0, readSync(fd, head, 0, HEADER_BYTES, 0)));
}

/** The header of the index file at `path`, or null when it cannot be read as one. */
export function readIndexHeader(path: string): IndexHeader | null {
  try {
    const fd = openSync(path, 'r');
    try {
      const h = readHeaderAt(fd);
      return typeof h === 'string' ? null : h;
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
}
