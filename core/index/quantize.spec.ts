/** Feature storage: half-precision conversion, int8 with per-cell scale, index header round trip. */
import { describe, expect, it } from 'vitest';
import { decodeHeader, encodeHeader, type IndexHeader } from './format';
import { decodeFeatures, encodeFeatures, featureBytes, toHalf, type ScalarDtype } from './quantize';

function randomFeatures(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) { s = (s * 1103515245 + 12345) >>> 0; out[i] = ((s >>> 8) / 2 ** 24 - 0.3) * 6; }
  return out;
}

function roundTrip(dtype: ScalarDtype, src: Float32Array, cells: number, width: number): Float32Array {
  const buf = Buffer.alloc(featureBytes(dtype, cells, width) + 3);
  encodeFeatures(dtype, src, cells, width, buf, 3); // an unaligned offset on purpose
  const dst = new Float32Array(cells * width);
  decodeFeatures(dtype, buf, 3, cells, width, dst, 0);
  return dst;
}

describe('feature storage', () => {
  it('float16 matches IEEE half rounding on known values', () => {
    expect([1, -2, 0.5, 65504, 1e-8, 70000, 0].map(toHalf)).toEqual([0x3c00, 0xc000, 0x3800, 0x7bff, 0, 0x7c00, 0]);
    expect(toHalf(1 + 2 ** -11)).toBe(0x3c00); // tie → even
    expect(toHalf(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(toHalf(2 ** -20)).toBe(0x0010); // subnormal
  });

  it('round-trips within the format’s error bound; float32 is exact', () => {
    const cells = 49;
    const width = 64;
    const src = randomFeatures(cells * width, 5);
    src.fill(0, 0, width); // an all-zero cell
    expect(roundTrip('float32', src, cells, width)).toEqual(src);
    const h = roundTrip('float16', src, cells, width);
    for (let i = 0; i < src.length; i++) expect(Math.abs(h[i]! - src[i]!)).toBeLessThanOrEqual(Math.abs(src[i]!) * 2 ** -11 + 1e-7);
    const q = roundTrip('int8', src, cells, width);
    for (let c = 0; c < cells; c++) {
      let lo = Infinity;
      let hi = -Infinity;
      for (let k = 0; k < width; k++) { lo = Math.min(lo, src[c * width + k]!); hi = Math.max(hi, src[c * width + k]!); }
      for (let k = 0; k < width; k++) expect(Math.abs(q[c * width + k]! - src[c * width + k]!)).toBeLessThanOrEqual((hi - lo) / 510 + 1e-5);
    }
    expect(Array.from(q.subarray(0, width))).toEqual(new Array(width).fill(0));
    expect(featureBytes('int8', cells, width)).toBe(cells * (width + 8));
  });

  it('the index header survives a round trip and rejects foreign files', () => {
    const h: IndexHeader = {
      dtype: 'int8', complete: true, everyFrame: false, grid: 7, featureWidth: 256, samplingFps: 5, frameWidth: 704, frameHeight: 576,
      inputSize: 224, frameCount: 123, transform: { scaleX: 0.3, scaleY: 0.3, offsetX: 0, offsetY: 25.5, inputWidth: 224, inputHeight: 224, flip: false },
      modelHash: 'a'.repeat(64), videoSha256: 'b'.repeat(64), thumbWidth: 128, thumbHeight: 105, inputScaling: 'ffmpeg',
      encoderSha256: 'c'.repeat(64), encoderPrecision: 'int8', referenceFramesOnly: true,
    };
    const read = { ...h, thumbIntervalS: 0, formatVersion: 2 };
    expect(decodeHeader(encodeHeader(h))).toEqual(read);
    const pca: IndexHeader = { ...h, dtype: 'pca', pca: { dims: 64, stepRel: 0.0005, keyInterval: 50, fitFrames: 32, hold: 1.5 }, thumbIntervalS: 1 };
    expect(decodeHeader(encodeHeader(pca))).toEqual({ ...pca, formatVersion: 2 });
    // Files written before the hold field read hold 0 (off): the bytes there were zero.
    expect(decodeHeader(encodeHeader({ ...pca, pca: { ...pca.pca!, hold: undefined } }))).toEqual({ ...pca, pca: { ...pca.pca!, hold: 0 }, formatVersion: 2 });
    // Files written before the input-scaling flag read as the JS path.
    expect(decodeHeader(encodeHeader({ ...h, inputScaling: undefined }))).toEqual({ ...read, inputScaling: 'js' });
    // Files written before non-reference frames were skipped read false (every frame decoded).
    expect(decodeHeader(encodeHeader({ ...h, referenceFramesOnly: undefined }))).toEqual({ ...read, referenceFramesOnly: false });
    // Files written before the encoder was recorded read '' and float (what wrote them).
    expect(decodeHeader(encodeHeader({ ...h, encoderSha256: undefined, encoderPrecision: undefined }))).toEqual({ ...read, encoderSha256: '', encoderPrecision: 'float' });
    // Version 3 (a pca basis refitted mid-file) reads like 2 and is written when asked for; 4 is refused.
    expect(decodeHeader(encodeHeader({ ...pca, formatVersion: 3 }))).toEqual({ ...pca, formatVersion: 3 });
    expect(() => encodeHeader({ ...h, formatVersion: 1 })).toThrow(/cannot write index format version 1/);
    const future = encodeHeader(h);
    future.writeUInt16LE(4, 8);
    expect(decodeHeader(future)).toMatch(/version 4 is not supported \(this build reads 1 to 3\).*ingest the video again/);
    expect(decodeHeader(Buffer.alloc(512))).toMatch(/bad magic/);
    expect(decodeHeader(Buffer.alloc(10))).toMatch(/too short/);
  });
});
