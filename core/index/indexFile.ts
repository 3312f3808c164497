/** Reading feature index files (format.ts): the whole file in memory, frames by pca basis segment. Writing: indexWriter.ts. */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { VideoError } from '../errors';
import {
  decodeHeader, HEADER_BYTES, headerFeatureBytes, RECORD_BASIS, RECORD_FRAME, RECORD_HEADER_BYTES, RECORD_HEADER_BYTES_V1, RECORD_KEY, recordBytes,
  type IndexHeader,
} from './format';
import { BLOCK_FRAMES, cacheKeyOf, coefficientCache } from './coefficientCache';
import { codesToCoefficients, decodeBasis, encodeBasis, reconstruct, unpackCodes, type PcaBasis } from './pcaCodec';
import { decodeFeatures, type ScalarDtype } from './quantize';

/** Where the bytes of an index go (bench and README figures). */
export interface IndexStorage { headerBytes: number; basisBytes: number; recordHeaderBytes: number; featureBytes: number; thumbnailBytes: number; thumbnails: number; paddingBytes: number }

/**
 * A run of frames stored with one pca basis (every index has one segment per basis; scalar storages
 * one segment with no basis). `key` identifies the basis' content (caches of heads folded with it).
 */
export interface IndexSegment { start: number; end: number; basis: PcaBasis | null; readonly key: string }

/** A whole index in memory: header, per-frame times and where each frame's features and thumbnail are. */
export class IndexFile {
  readonly frameCount: number;
  readonly timesS: Float64Array;
  private readonly featureAt: Uint32Array;
  private readonly featureLen: Uint32Array;
  private readonly isKey: Uint8Array;
  private readonly thumbAt: Uint32Array;
  private readonly thumbLen: Uint32Array;
  /** Frame whose thumbnail stands for frame i (the last kept one at or before i, else the first). */
  private readonly thumbOf: Int32Array;
  private readonly pts: Float64Array;
  readonly cells: number;
  readonly floatsPerFrame: number;
  /** 'pca' storage: the first basis (null otherwise); later ones (refits, version 3) are in `segments`. */
  readonly pcaBasis: PcaBasis | null = null;
  /** Frames by basis, in order (at least one segment, possibly empty). */
  readonly segments: readonly IndexSegment[];
  /** Segment of each frame. */
  private readonly segmentOf: Uint32Array;
  private readonly basisBytes: number = 0;
  private cache: { frame: number; codes: Int16Array } | null = null;
  private cacheKeyValue: string | undefined;

  private constructor(readonly path: string, readonly header: IndexHeader, private readonly buf: Buffer) {
    const v1 = (header.formatVersion ?? 2) === 1;
    const rh = v1 ? RECORD_HEADER_BYTES_V1 : RECORD_HEADER_BYTES;
    const fixed = headerFeatureBytes(header);
    const recs: Array<{ o: number; fl: number; tl: number; key: boolean }> = [];
    // Bases and the frame each one starts at; a basis must be followed by a key frame.
    const bases: Array<{ basis: PcaBasis; start: number }> = [];
    let basisBytes = 0;
    let p = HEADER_BYTES;
    while (p + rh <= buf.length) {
      const len = buf.readUInt32LE(p);
      const tl = buf.readUInt32LE(p + 4);
      const fl = v1 ? fixed : buf.readUInt32LE(p + 16);
      const kind = v1 ? RECORD_FRAME : buf.readUInt8(p + 20);
      if (p + len > buf.length || recordBytes(fl, tl, rh) !== len) break;
      if (kind === RECORD_BASIS) {
        if (header.dtype !== 'pca') break;
        const lastBasis = bases[bases.length - 1];
        // Version 2: one basis, before the frames. Version 3: also after frames, never two in a row.
        if (lastBasis && ((header.formatVersion ?? 2) < 3 || lastBasis.start === recs.length)) break;
        const b = decodeBasis(buf.subarray(p + rh, p + rh + fl));
        if (!b || b.M !== header.featureWidth || (lastBasis && b.d !== lastBasis.basis.d)) break;
        bases.push({ basis: b, start: recs.length });
        basisBytes += len;
      } else {
        if (kind !== RECORD_FRAME && kind !== RECORD_KEY) break;
        if (header.dtype === 'pca' ? bases.length === 0 || (bases[bases.length - 1]!.start === recs.length && kind !== RECORD_KEY) : fl !== fixed) break;
        recs.push({ o: p, fl, tl, key: kind === RECORD_KEY });
      }
      p += len;
    }
    this.pcaBasis = bases[0]?.basis ?? null;
    this.basisBytes = basisBytes;
    if (header.complete && (recs.length !== header.frameCount || p !== buf.length)) {
      throw new VideoError(`${path}: index is damaged (header says ${header.frameCount} frames, found ${recs.length} whole records)`, { file: path });
    }
    const n = recs.length;
    this.frameCount = n;
    this.timesS = new Float64Array(n);
    this.pts = new Float64Array(n);
    this.featureAt = new Uint32Array(n);
    this.featureLen = new Uint32Array(n);
    this.isKey = new Uint8Array(n);
    this.thumbAt = new Uint32Array(n);
    this.thumbLen = new Uint32Array(n);
    this.thumbOf = new Int32Array(n).fill(-1);
    recs.forEach((r, i) => {
      this.pts[i] = buf.readDoubleLE(r.o + 8);
      this.timesS[i] = this.pts[i]! / 1e6;
      this.featureAt[i] = r.o + rh;
      this.featureLen[i] = r.fl;
      this.isKey[i] = r.key ? 1 : 0;
      this.thumbAt[i] = r.o + rh + r.fl;
      this.thumbLen[i] = r.tl;
    });
    let lastThumb = -1;
    for (let i = 0; i < n; i++) {
      if (this.thumbLen[i]! > 0) lastThumb = i;
      this.thumbOf[i] = lastThumb;
    }
    const first = this.thumbOf.findIndex((t) => t >= 0);
    for (let i = 0; i < n && this.thumbOf[i]! < 0; i++) this.thumbOf[i] = first < 0 ? i : this.thumbOf[first]!;
    this.cells = header.grid * header.grid;
    this.floatsPerFrame = this.cells * header.featureWidth;
    // A basis written just before a crash has no frames yet: it is not a segment.
    const kept = bases.filter((b) => b.start < n);
    const spans = kept.length ? kept.map((b, i) => ({ basis: b.basis, start: b.start, end: kept[i + 1]?.start ?? n })) : [{ basis: null, start: 0, end: n }];
    this.segmentOf = new Uint32Array(n);
    spans.forEach((seg, i) => this.segmentOf.fill(i, seg.start, seg.end));
    this.segments = spans.map((seg) => {
      let key: string | undefined;
      return { ...seg, get key() { return (key ??= seg.basis ? createHash('sha256').update(encodeBasis(seg.basis)).digest('hex') : ''); } };
    });
  }

  static open(path: string): IndexFile {
    let buf: Buffer;
    try {
      buf = readFileSync(path);
    } catch (err) {
      throw new VideoError(`${path}: cannot read index (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { file: path });
    }
    const h = decodeHeader(buf);
    if (typeof h === 'string') throw new VideoError(`${path}: ${h}`, { file: path });
    return new IndexFile(path, h, buf);
  }

  /** An index already in memory (e.g. the durable prefix of one being resumed). */
  static fromBuffer(path: string, header: IndexHeader, buf: Buffer): IndexFile {
    return new IndexFile(path, header, buf);
  }

  /** The pca basis frame i was stored with. */
  basisOf(i: number): PcaBasis | null { return this.segments[this.segmentOf[i]!]!.basis; }

  /** Coefficient floats per frame for 'pca' storage (S²·d), else 0. */
  get coefficientsPerFrame(): number { return this.pcaBasis ? this.cells * this.pcaBasis.d : 0; }

  /** The integer codes of frame i ('pca'); decoded from the last key frame (or the previous frame, cached). */
  codes(i: number): Int16Array {
    const b = this.basisOf(i);
    if (!b) throw new Error(`${this.path}: codes() needs pca storage`);
    if (this.cache?.frame === i) return this.cache.codes;
    let start = i;
    let cur: Int16Array;
    if (this.cache && this.cache.frame < i && !this.isKey.subarray(this.cache.frame + 1, i + 1).includes(1)) {
      start = this.cache.frame + 1;
      cur = this.cache.codes;
    } else {
      while (start > 0 && !this.isKey[start]) start--;
      cur = new Int16Array(this.cells * b.d);
    }
    for (let f = start; f <= i; f++) {
      try {
        unpackCodes(this.buf.subarray(this.featureAt[f]!, this.featureAt[f]! + this.featureLen[f]!), this.isKey[f] ? null : cur, cur, b.d);
      } catch (err) {
        this.cache = null;
        throw new VideoError(`${this.path}: frame ${f} features are damaged (${(err as Error).message})`, { file: this.path });
      }
    }
    this.cache = { frame: i, codes: cur };
    return cur;
  }

  /** Frames [start, start+count) as float32 [count·S²·M] into dst (reused across batches). */
  features(start: number, count: number, dst: Float32Array): Float32Array {
    const per = this.floatsPerFrame;
    const h = this.header;
    if (h.dtype === 'pca') {
      for (let i = 0; i < count; i++) reconstruct(this.basisOf(start + i)!, this.codes(start + i), this.cells, dst, i * per);
    } else {
      for (let i = 0; i < count; i++) decodeFeatures(h.dtype as ScalarDtype, this.buf, this.featureAt[start + i]!, this.cells, h.featureWidth, dst, i * per);
    }
    return dst.subarray(0, count * per);
  }

  /**
   * 'pca': frames [start, start+count) as coefficients [count·S²·d] (code·step) into dst, through the
   * process-wide cache of decoded blocks (coefficientCache.ts) when it has room for this index.
   */
  coefficients(start: number, count: number, dst: Float32Array): Float32Array {
    const per = this.coefficientsPerFrame;
    for (let i = 0; i < count;) {
      const f = start + i;
      const block = Math.floor(f / BLOCK_FRAMES);
      const b0 = block * BLOCK_FRAMES;
      const b1 = Math.min(this.frameCount, b0 + BLOCK_FRAMES);
      const take = Math.min(count - i, b1 - f);
      const data = this.cachedBlock(block);
      if (data) dst.set(data.subarray((f - b0) * per, (f - b0 + take) * per), i * per);
      else for (let j = 0; j < take; j++) codesToCoefficients(this.basisOf(f + j)!, this.codes(f + j), dst, (i + j) * per);
      i += take;
    }
    return dst.subarray(0, count * per);
  }

  /**
   * 'pca': frames [start, start+count) as coefficients without a copy — a view into the cached
   * block — when they lie in one block of BLOCK_FRAMES and the cache holds (or has room for) it;
   * null otherwise (use `coefficients`). Copying 37 KiB per frame out of the cache was ~7 µs of a
   * repeated search's ~54 µs per frame. The view stays valid after the block leaves the cache.
   */
  coefficientsView(start: number, count: number): Float32Array | null {
    const block = Math.floor(start / BLOCK_FRAMES);
    if (count <= 0 || Math.floor((start + count - 1) / BLOCK_FRAMES) !== block || start + count > this.frameCount) return null;
    const data = this.cachedBlock(block);
    const per = this.coefficientsPerFrame;
    const at = (start - block * BLOCK_FRAMES) * per;
    return data ? data.subarray(at, at + count * per) : null;
  }

  /** A block's decoded coefficients from the cache, decoded and cached now if it has room; else null. */
  private cachedBlock(block: number): Float32Array | null {
    const cache = coefficientCache;
    const per = this.coefficientsPerFrame;
    let data = cache.get(this.cacheKey, block);
    const b0 = block * BLOCK_FRAMES;
    const b1 = Math.min(this.frameCount, b0 + BLOCK_FRAMES);
    if (!data && cache.canKeep(this.cacheKey, (b1 - b0) * per * 4)) {
      data = new Float32Array((b1 - b0) * per);
      for (let j = b0; j < b1; j++) codesToCoefficients(this.basisOf(j)!, this.codes(j), data, (j - b0) * per);
      cache.put(this.cacheKey, block, data);
    }
    return data ?? null;
  }

  /** This file's key in the coefficient cache (its path, length and a fingerprint of its ends). */
  get cacheKey(): string { return (this.cacheKeyValue ??= cacheKeyOf(this.path, this.buf)); }

  /** The thumbnail shown for frame i: its own, or the last one kept before it (one per thumbnail interval). */
  thumbnail(i: number): Buffer {
    const j = this.thumbOf[i]!;
    return this.buf.subarray(this.thumbAt[j]!, this.thumbAt[j]! + this.thumbLen[j]!);
  }

  /** The frame whose thumbnail `thumbnail(i)` returns (i itself when it kept its own). */
  thumbnailFrame(i: number): number { return this.thumbOf[i]!; }

  hasOwnThumbnail(i: number): boolean { return this.thumbLen[i]! > 0; }

  ptsUs(i: number): number { return this.pts[i]!; }

  storage(): IndexStorage {
    let featureBytes = 0;
    let thumbnailBytes = 0;
    let thumbnails = 0;
    for (let i = 0; i < this.frameCount; i++) {
      featureBytes += this.featureLen[i]!;
      thumbnailBytes += this.thumbLen[i]!;
      if (this.thumbLen[i]! > 0) thumbnails++;
    }
    const recordHeaderBytes = this.frameCount * ((this.header.formatVersion ?? 2) === 1 ? RECORD_HEADER_BYTES_V1 : RECORD_HEADER_BYTES);
    const paddingBytes = this.buf.length - HEADER_BYTES - this.basisBytes - recordHeaderBytes - featureBytes - thumbnailBytes;
    return { headerBytes: HEADER_BYTES, basisBytes: this.basisBytes, recordHeaderBytes, featureBytes, thumbnailBytes, thumbnails, paddingBytes };
  }

  get byteLength(): number { return this.buf.length; }
}
