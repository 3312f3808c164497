/** Writing (append + checkpoint + finish) and reading feature index files (format.ts). */
import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { VideoError } from '../errors';
import {
  decodeHeader, encodeHeader, HEADER_BYTES, readHeaderAt, headerFeatureBytes, INDEX_VERSION, INDEX_VERSION_SINGLE_BASIS, RECORD_BASIS, RECORD_FRAME,
  RECORD_HEADER_BYTES, RECORD_HEADER_BYTES_V1, RECORD_KEY, recordBytes, type IndexHeader,
} from './format';
import { createHash } from 'node:crypto';
import { codesToCoefficients, decodeBasis, encodeBasis, fitBasis, packCodes, PCA_DEFAULTS, projectCodes, reconstruct, unpackCodes, type PcaBasis, type ProjectionFit } from './pcaCodec';
import { decodeFeatures, encodeFeatures, type ScalarDtype } from './quantize';
import { BasisFitMonitor, fitRatio, POOR_FIT_RATIO, type BasisFit, type BasisFitState } from './basisFit';

/** Where a building index can resume: the file length and frames written, all durable. */
export interface IndexCheckpoint {
  bytes: number; frames: number; lastPtsUs: number | null;
  /** 'pca': the basis-fit counts so far (basisFit.ts), so a resumed writer counts on from them. */
  basisFit?: BasisFitState;
}

/** A frame's JPEG thumbnail, or a function that encodes it on demand. */
export type ThumbnailSource = Uint8Array | (() => Uint8Array);

/** One thumbnail per second of footage unless the header says otherwise (the gallery shows the nearest). */
export const THUMB_INTERVAL_S = 1;

/** The header a writer uses: pca parameters and the thumbnail interval filled in with the defaults. */
export function withWriterDefaults(h: IndexHeader): IndexHeader {
  return {
    ...h,
    // An explicit pca setting without `hold` means none (as in files written before it existed).
    pca: h.dtype === 'pca' ? { hold: 0, ...(h.pca ?? PCA_DEFAULTS) } : undefined,
    thumbIntervalS: h.thumbIntervalS ?? THUMB_INTERVAL_S,
  };
}

function recordHeader(len: number, thumbLen: number, ptsUs: number, featureLen: number, kind: number): Buffer {
  const b = Buffer.alloc(RECORD_HEADER_BYTES);
  b.writeUInt32LE(len, 0);
  b.writeUInt32LE(thumbLen, 4);
  b.writeDoubleLE(ptsUs, 8);
  b.writeUInt32LE(featureLen, 16);
  b.writeUInt8(kind, 20);
  return b;
}

/** Writer options that do not change the file's header. */
export interface IndexWriterOptions {
  /**
   * 'pca': refit the basis when a frame fits the current one poorly (default true). false writes what
   * builds before refitting wrote (one basis per file: version 2) — for tests of that case.
   */
  refitBasis?: boolean;
}

export class IndexFileWriter {
  private readonly featureLen: number;
  private readonly cells: number;
  /**
   * 'pca': frames held until a basis is fitted on them — the first basis, or a refit after a poorly
   * fitted frame — flushed at fitFrames frames or the next checkpoint.
   */
  private pending: Array<{ ptsUs: number; features: Float32Array; thumbnail: ThumbnailSource }> = [];
  /** 'pca': frames are being held for a refit (every later frame waits too, so the order holds). */
  private refitting = false;
  /** 'pca': how well the bases fit this run's frames (basisFit.ts). */
  private readonly fitMonitor: BasisFitMonitor;
  private readonly refitBasis: boolean;
  private constructor(
    readonly path: string, private readonly fd: number, private header: IndexHeader, private bytes: number, private frames: number,
    private lastPtsUs: number | null, private basis: PcaBasis | null, private prevCodes: Int16Array | null, private lastThumbUs: number | null,
    /** 'pca': frames written with the current basis (a refit waits until it has served fitFrames). */
    private framesOnBasis: number,
    fitCountsBefore: BasisFitState | undefined,
    opts: IndexWriterOptions,
  ) {
    this.featureLen = headerFeatureBytes(header);
    this.cells = header.grid * header.grid;
    this.fitMonitor = new BasisFitMonitor(fitCountsBefore);
    this.refitBasis = opts.refitBasis ?? true;
  }

  /** Starts a new file (truncating any previous content). */
  static create(path: string, header: IndexHeader, opts: IndexWriterOptions = {}): IndexFileWriter {
    header = { ...withWriterDefaults(header), formatVersion: INDEX_VERSION_SINGLE_BASIS };
    const fd = openSync(path, 'w');
    writeSync(fd, encodeHeader({ ...header, complete: false, frameCount: 0 }), 0, HEADER_BYTES, 0);
    fsyncSync(fd);
    return new IndexFileWriter(path, fd, header, HEADER_BYTES, 0, null, null, null, null, 0, undefined, opts);
  }

  /**
   * Reopens a file at a durable checkpoint: checks the header is the one expected (same model, video,
   * rate, storage, format version), cuts off anything written after the checkpoint and recovers the
   * coder state (pca basis, the last frame's codes, the last thumbnail's time) from the records.
   */
  static resume(path: string, header: IndexHeader, cp: IndexCheckpoint, opts: IndexWriterOptions = {}): IndexFileWriter {
    header = withWriterDefaults(header);
    const fd = openSync(path, 'r+');
    try {
      const size = fstatSync(fd).size;
      if (size < cp.bytes) throw new VideoError(`${path}: index file is shorter (${size} bytes) than its checkpoint (${cp.bytes} bytes)`, { file: path });
      const h = readHeaderAt(fd);
      if (typeof h === 'string') throw new VideoError(`${path}: ${h}`, { file: path });
      if (h.formatVersion !== INDEX_VERSION_SINGLE_BASIS && h.formatVersion !== INDEX_VERSION) {
        throw new VideoError(`${path}: a partial index in format version ${h.formatVersion} cannot be resumed by this build: delete it and ingest the video again`, { file: path });
      }
      // The version goes on as written (3 once a basis was refitted).
      header = { ...header, formatVersion: h.formatVersion };
      const expected = encodeHeader({ ...header, complete: false, frameCount: 0 });
      if (!expected.equals(encodeHeader({ ...h, complete: false, frameCount: 0 }))) {
        throw new VideoError(`${path}: index header does not match this ingest (other model, video, rate or storage)`, { file: path });
      }
      ftruncateSync(fd, cp.bytes);
      fsyncSync(fd);
      const prefix = Buffer.alloc(cp.bytes);
      readSync(fd, prefix, 0, cp.bytes, 0);
      const idx = IndexFile.fromBuffer(path, { ...h, complete: false }, prefix);
      if (idx.frameCount !== cp.frames) throw new VideoError(`${path}: checkpoint says ${cp.frames} frames, the file has ${idx.frameCount}`, { file: path });
      const last = idx.frameCount - 1;
      let lastThumbUs: number | null = null;
      for (let i = last; i >= 0 && lastThumbUs === null; i--) if (idx.hasOwnThumbnail(i)) lastThumbUs = idx.ptsUs(i);
      const segment = idx.segments[idx.segments.length - 1];
      const basis = segment?.basis ?? null;
      return new IndexFileWriter(
        path, fd, header, cp.bytes, cp.frames, cp.lastPtsUs, basis, last >= 0 && basis ? idx.codes(last).slice() : null, lastThumbUs,
        segment ? segment.end - segment.start : 0, BasisFitMonitor.parseState(cp.basisFit), opts,
      );
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  /** Frames appended so far (written or waiting for the pca basis). */
  get frameCount(): number { return this.frames + this.pending.length; }

  /**
   * Appends one frame: its time, features [S²·M] float32 and JPEG thumbnail — or a function making
   * it, called only when the thumbnail interval keeps this frame's (JPEG encoding of the frames it
   * drops would be wasted).
   */
  append(ptsUs: number, features: Float32Array, thumbnail: ThumbnailSource): void {
    if (this.header.dtype === 'pca' && (!this.basis || this.refitting)) {
      this.hold(ptsUs, features, thumbnail);
      return;
    }
    this.write(ptsUs, features, thumbnail);
  }

  private get fitFrames(): number { return Math.max(1, this.header.pca!.fitFrames); }

  private hold(ptsUs: number, features: Float32Array, thumbnail: ThumbnailSource): void {
    this.pending.push({ ptsUs, features: features.slice(0, this.cells * this.header.featureWidth), thumbnail });
    if (this.pending.length >= this.fitFrames) this.flushPending();
  }

  /**
   * Fits a pca basis on the held frames, writes it, then the frames (the first as a key frame: codes
   * never refer across bases). A refit makes the file version 3; the header says so at once, so a
   * build that cannot read it refuses the file instead of calling it damaged.
   */
  private flushPending(): void {
    if (this.pending.length === 0) return;
    const refit = this.basis !== null;
    const M = this.header.featureWidth;
    const per = this.cells * M;
    const all = new Float32Array(this.pending.length * per);
    this.pending.forEach((p, i) => all.set(p.features, i * per));
    const p = this.header.pca!;
    this.basis = fitBasis(all, this.pending.length * this.cells, M, p.dims, p.stepRel);
    const block = encodeBasis(this.basis);
    const len = recordBytes(block.length, 0);
    const rec = Buffer.alloc(len);
    recordHeader(len, 0, -1, block.length, RECORD_BASIS).copy(rec, 0);
    block.copy(rec, RECORD_HEADER_BYTES);
    if (refit && this.header.formatVersion !== INDEX_VERSION) {
      this.header = { ...this.header, formatVersion: INDEX_VERSION };
      writeSync(this.fd, encodeHeader({ ...this.header, complete: false, frameCount: 0 }), 0, HEADER_BYTES, 0);
    }
    writeSync(this.fd, rec, 0, len, this.bytes);
    this.bytes += len;
    const held = this.pending;
    this.pending = [];
    this.refitting = false;
    this.prevCodes = null;
    this.framesOnBasis = 0;
    for (const f of held) this.write(f.ptsUs, f.features, f.thumbnail);
  }

  private write(ptsUs: number, features: Float32Array, thumbnail: ThumbnailSource): void {
    const h = this.header;
    const interval = h.thumbIntervalS ?? 0;
    const keepThumb = interval <= 0 || this.lastThumbUs === null || ptsUs - this.lastThumbUs >= interval * 1e6 - 1;
    const thumb = !keepThumb ? new Uint8Array(0) : typeof thumbnail === 'function' ? thumbnail() : thumbnail;
    let feat: Buffer;
    let kind = RECORD_FRAME;
    if (h.dtype === 'pca') {
      const fit: ProjectionFit = { energy: 0, residual: 0 };
      const codes = projectCodes(this.basis!, features, this.cells, new Int16Array(this.cells * this.basis!.d), this.prevCodes, h.pca!.hold ?? 0, fit);
      // A frame the basis fits poorly (a scene change) starts a refit, once the basis has served
      // fitFrames frames (a passing odd frame can then cost at most one basis per fitFrames frames).
      if (this.refitBasis && this.framesOnBasis >= this.fitFrames && fitRatio(fit, this.basis!.fitResidual) > POOR_FIT_RATIO) {
        this.refitting = true;
        this.hold(ptsUs, features, thumbnail);
        return;
      }
      this.fitMonitor.note(ptsUs, fit, this.basis!.fitResidual);
      this.framesOnBasis++;
      const key = this.frames % Math.max(1, h.pca!.keyInterval) === 0 || !this.prevCodes;
      kind = key ? RECORD_KEY : RECORD_FRAME;
      feat = packCodes(codes, key ? null : this.prevCodes, this.basis!.d);
      this.prevCodes = codes;
    } else {
      feat = Buffer.alloc(this.featureLen);
      encodeFeatures(h.dtype, features, this.cells, h.featureWidth, feat, 0);
    }
    const len = recordBytes(feat.length, thumb.length);
    const rec = Buffer.alloc(len);
    recordHeader(len, thumb.length, ptsUs, feat.length, kind).copy(rec, 0);
    feat.copy(rec, RECORD_HEADER_BYTES);
    rec.set(thumb, RECORD_HEADER_BYTES + feat.length);
    writeSync(this.fd, rec, 0, len, this.bytes);
    this.bytes += len;
    this.frames++;
    this.lastPtsUs = ptsUs;
    if (keepThumb) this.lastThumbUs = ptsUs;
  }

  /** How well the pca basis fits the frames written, counted on across resumes (basisFit.ts). */
  basisFit(): BasisFit {
    return this.fitMonitor.result();
  }

  /** Makes everything appended so far durable and returns the resume point. */
  checkpoint(): IndexCheckpoint {
    this.flushPending();
    fsyncSync(this.fd);
    const counts = this.header.dtype === 'pca' ? this.fitMonitor.state() : undefined;
    return { bytes: this.bytes, frames: this.frames, lastPtsUs: this.lastPtsUs, ...(counts ? { basisFit: counts } : {}) };
  }

  /** Marks the file complete (header frame count + flag) and closes it. */
  finish(): IndexCheckpoint {
    const cp = this.checkpoint();
    writeSync(this.fd, encodeHeader({ ...this.header, complete: true, frameCount: this.frames }), 0, HEADER_BYTES, 0);
    fsyncSync(this.fd);
    closeSync(this.fd);
    return cp;
  }

  close(): void {
    try { closeSync(this.fd); } catch { /* already closed */ }
  }
}

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

  /** 'pca': frames [start, start+count) as coefficients [count·S²·d] (code·step) into dst. */
  coefficients(start: number, count: number, dst: Float32Array): Float32Array {
    const per = this.coefficientsPerFrame;
    for (let i = 0; i < count; i++) codesToCoefficients(this.basisOf(start + i)!, this.codes(start + i), dst, i * per);
    return dst.subarray(0, count * per);
  }

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
