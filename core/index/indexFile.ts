/** Writing (append + checkpoint + finish) and reading feature index files (format.ts). */
import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { VideoError } from '../errors';
import { decodeHeader, encodeHeader, HEADER_BYTES, headerFeatureBytes, RECORD_HEADER_BYTES, recordBytes, type IndexHeader } from './format';
import { decodeFeatures, encodeFeatures } from './quantize';

/** Where a building index can resume: the file length and frames written, all durable. */
export interface IndexCheckpoint { bytes: number; frames: number; lastPtsUs: number | null }

export class IndexFileWriter {
  private readonly featureLen: number;
  private constructor(readonly path: string, private readonly fd: number, readonly header: IndexHeader, private bytes: number, private frames: number, private lastPtsUs: number | null) {
    this.featureLen = headerFeatureBytes(header);
  }

  /** Starts a new file (truncating any previous content). */
  static create(path: string, header: IndexHeader): IndexFileWriter {
    const fd = openSync(path, 'w');
    writeSync(fd, encodeHeader({ ...header, complete: false, frameCount: 0 }), 0, HEADER_BYTES, 0);
    fsyncSync(fd);
    return new IndexFileWriter(path, fd, header, HEADER_BYTES, 0, null);
  }

  /**
   * Reopens a file at a durable checkpoint: checks the header is the one expected (same model, video,
   * rate, storage) and cuts off anything written after the checkpoint.
   */
  static resume(path: string, header: IndexHeader, cp: IndexCheckpoint): IndexFileWriter {
    const fd = openSync(path, 'r+');
    try {
      const size = fstatSync(fd).size;
      if (size < cp.bytes) throw new VideoError(`${path}: index file is shorter (${size} bytes) than its checkpoint (${cp.bytes} bytes)`, { file: path });
      const head = Buffer.alloc(HEADER_BYTES);
      readSync(fd, head, 0, HEADER_BYTES, 0);
      const h = decodeHeader(head);
      if (typeof h === 'string') throw new VideoError(`${path}: ${h}`, { file: path });
      const expected = encodeHeader({ ...header, complete: false, frameCount: 0 });
      if (!expected.equals(encodeHeader({ ...h, complete: false, frameCount: 0 }))) {
        throw new VideoError(`${path}: index header does not match this ingest (other model, video, rate or storage)`, { file: path });
      }
      ftruncateSync(fd, cp.bytes);
      fsyncSync(fd);
      return new IndexFileWriter(path, fd, header, cp.bytes, cp.frames, cp.lastPtsUs);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  get frameCount(): number { return this.frames; }

  /** Appends one frame: its time, features [S²·M] float32 and JPEG thumbnail. */
  append(ptsUs: number, features: Float32Array, thumbnail: Uint8Array): void {
    const len = recordBytes(this.featureLen, thumbnail.length);
    const rec = Buffer.alloc(len);
    rec.writeUInt32LE(len, 0);
    rec.writeUInt32LE(thumbnail.length, 4);
    rec.writeDoubleLE(ptsUs, 8);
    encodeFeatures(this.header.dtype, features, this.header.grid * this.header.grid, this.header.featureWidth, rec, RECORD_HEADER_BYTES);
    rec.set(thumbnail, RECORD_HEADER_BYTES + this.featureLen);
    writeSync(this.fd, rec, 0, len, this.bytes);
    this.bytes += len;
    this.frames++;
    this.lastPtsUs = ptsUs;
  }

  /** Makes everything appended so far durable and returns the resume point. */
  checkpoint(): IndexCheckpoint {
    fsyncSync(this.fd);
    return { bytes: this.bytes, frames: this.frames, lastPtsUs: this.lastPtsUs };
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

/** A whole index in memory: header, per-frame times and where each frame's features and thumbnail are. */
export class IndexFile {
  readonly frameCount: number;
  readonly timesS: Float64Array;
  private readonly featureAt: Uint32Array;
  private readonly thumbAt: Uint32Array;
  private readonly thumbLen: Uint32Array;
  readonly cells: number;
  readonly floatsPerFrame: number;

  private constructor(readonly path: string, readonly header: IndexHeader, private readonly buf: Buffer) {
    const offsets: number[] = [];
    let p = HEADER_BYTES;
    const featureLen = headerFeatureBytes(header);
    while (p + RECORD_HEADER_BYTES <= buf.length) {
      const len = buf.readUInt32LE(p);
      const tl = buf.readUInt32LE(p + 4);
      if (len < RECORD_HEADER_BYTES + featureLen || p + len > buf.length || recordBytes(featureLen, tl) !== len) break;
      offsets.push(p);
      p += len;
    }
    if (header.complete && (offsets.length !== header.frameCount || p !== buf.length)) {
      throw new VideoError(`${path}: index is damaged (header says ${header.frameCount} frames, found ${offsets.length} whole records)`, { file: path });
    }
    this.frameCount = offsets.length;
    this.timesS = new Float64Array(offsets.length);
    this.featureAt = new Uint32Array(offsets.length);
    this.thumbAt = new Uint32Array(offsets.length);
    this.thumbLen = new Uint32Array(offsets.length);
    offsets.forEach((o, i) => {
      this.timesS[i] = buf.readDoubleLE(o + 8) / 1e6;
      this.featureAt[i] = o + RECORD_HEADER_BYTES;
      this.thumbAt[i] = o + RECORD_HEADER_BYTES + featureLen;
      this.thumbLen[i] = buf.readUInt32LE(o + 4);
    });
    this.cells = header.grid * header.grid;
    this.floatsPerFrame = this.cells * header.featureWidth;
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

  /** Frames [start, start+count) as float32 [count·S²·M] into dst (reused across batches). */
  features(start: number, count: number, dst: Float32Array): Float32Array {
    const per = this.floatsPerFrame;
    for (let i = 0; i < count; i++) decodeFeatures(this.header.dtype, this.buf, this.featureAt[start + i]!, this.cells, this.header.featureWidth, dst, i * per);
    return dst.subarray(0, count * per);
  }

  thumbnail(i: number): Buffer {
    return this.buf.subarray(this.thumbAt[i]!, this.thumbAt[i]! + this.thumbLen[i]!);
  }

  get byteLength(): number { return this.buf.length; }
}
