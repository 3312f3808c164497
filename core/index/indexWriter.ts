/** Writing feature index files: append, checkpoint (durable, resumable to the same bytes), finish (format.ts). */
import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { VideoError } from '../errors';
import {
  encodeHeader, HEADER_BYTES, readHeaderAt, headerFeatureBytes, INDEX_VERSION, INDEX_VERSION_SINGLE_BASIS, RECORD_BASIS, RECORD_FRAME,
  RECORD_HEADER_BYTES, RECORD_KEY, recordBytes, type IndexHeader,
} from './format';
import { encodeBasis, fitBasis, packCodes, PCA_DEFAULTS, projectCodes, type PcaBasis, type ProjectionFit } from './pcaCodec';
import { encodeFeatures } from './quantize';
import { BasisFitMonitor, fitRatio, POOR_FIT_RATIO, type BasisFit, type BasisFitState } from './basisFit';
import { IndexFile } from './indexFile';
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
      // The version goes on as written (3 once a basis was refitted), and so do the file's codec
      // settings (pca components, step, hold, key interval; thumbnail interval): a build started
      // before the defaults changed finishes with the settings its first frames were written with.
      header = { ...header, formatVersion: h.formatVersion, ...(h.dtype === header.dtype ? { pca: h.pca, thumbIntervalS: h.thumbIntervalS } : {}) };
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
