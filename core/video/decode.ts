/**
 * Decoding a video to raw RGB frames streamed through a pipe (no temporary image files), at a
 * sampling rate or every frame, each with its exact presentation time.
 *
 * How the times stay exact: ffmpeg passes the decoded frames' own timestamps through
 * (`-vsync 0`: no duplication/dropping to a constant rate, unlike the `fps` filter, which snaps
 * frames to a grid). Sampling is a `select` expression: a frame is kept when it is the first one
 * in its 1/fps time bin (bins are absolute video time), so the kept frames are real frames with
 * their real times. `settb` puts timestamps in microseconds and `showinfo` reports each kept
 * frame's pts and size on stderr; stdout carries the pixels in the same order.
 *
 * `fromS` keeps only frames at or after that time without changing which frames are picked (the
 * first kept frame is the first of its bin, as in a full run): resuming an ingest relies on it.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { CancelledError, VideoError } from '../errors';
import { requireBinary } from './ffmpegBinary';
import { checkVideoFile, ffmpegReason } from './ffmpegRun';

export interface DecodeOptions {
  /** Frames per second to keep (default 5); 'all' keeps every decoded frame. */
  fps?: number | 'all';
  /** Keep only frames with time ≥ fromS (seconds). */
  fromS?: number;
  /**
   * Resume after a frame kept by an earlier run at this time (seconds): with a sampling rate, skip
   * to the next 1/fps bin; with 'all', keep frames strictly later.
   */
  afterS?: number;
  /** Stop after this many frames. */
  maxFrames?: number;
  signal?: AbortSignal;
}

export interface DecodedFrame {
  /** 0-based position among the kept frames of this run. */
  n: number;
  /** Presentation time in seconds (= ptsUs / 1e6). */
  timeS: number;
  /** Presentation time in microseconds, an integer. */
  ptsUs: number;
  width: number;
  height: number;
  /** width·height·3 RGB bytes; owned by the receiver. */
  data: Buffer;
}

export interface DecodeSummary { frames: number; warnings: string[] }

export const DEFAULT_SAMPLING_FPS = 5;

/** The -vf chain for a sampling rate and lower time bound. */
export function selectFilter(fps: number | 'all', fromS = 0, afterS?: number): string {
  const parts: string[] = [];
  if (fromS > 0) parts.push(`gte(t\\,${fromS.toFixed(6)})`);
  if (fps !== 'all') {
    if (!(fps > 0) || !Number.isFinite(fps)) throw new VideoError(`sampling rate must be > 0 frames/s or 'all', got ${fps}`);
    // Bin index with a tiny epsilon so a frame exactly on a bin edge (0.2 s at 5/s) lands in the later bin.
    const bin = (v: string) => `floor(${v}*${fps}+1e-6)`;
    if (afterS !== undefined) parts.push(`gte(${bin('t')}\\,${samplingBin(afterS, fps) + 1})`);
    parts.push(`(isnan(prev_selected_t)+gt(${bin('t')}\\,${bin('prev_selected_t')}))`);
  } else if (afterS !== undefined) {
    parts.push(`gt(t\\,${(afterS + 5e-7).toFixed(7)})`);
  }
  const select = parts.length ? `select='${parts.join('*')}',` : '';
  return `${select}settb=1/1000000,showinfo`;
}

/** The 1/fps time bin a time falls in (the same expression the select filter evaluates). */
export function samplingBin(timeS: number, fps: number): number {
  return Math.floor(timeS * fps + 1e-6);
}

const INFO = /showinfo.*\bn:\s*(\d+)\s+pts:\s*(-?\d+).*?\bs:(\d+)x(\d+)/;
const WARN = /error|invalid|corrupt|truncat|partial file|missing|concealing|non-existing/i;

interface Info { ptsUs: number; width: number; height: number }

/** A running decode: pull frames with next(); stop() kills ffmpeg. */
export class FrameStream {
  private readonly infos: Info[] = [];
  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  private emitted = 0;
  private stderrTail = '';
  private lineRest = '';
  private readonly warnings: string[] = [];
  private exit: { code: number | null } | undefined;
  private wake: (() => void) | undefined;
  private paused = false;
  private cancelled = false;

  private constructor(readonly file: string, private readonly proc: ChildProcessWithoutNullStreams, private readonly maxFrames: number, private readonly signal?: AbortSignal) {
    proc.stdout.on('data', (d: Buffer) => {
      this.chunks.push(d);
      this.buffered += d.length;
      if (this.buffered > 64 << 20 && !this.paused) { this.paused = true; proc.stdout.pause(); }
      this.poke();
    });
    proc.stderr.on('data', (d: Buffer) => this.onStderr(d.toString()));
    proc.on('error', (e) => { this.warnings.push(`ffmpeg could not start: ${e.message}`); this.exit = { code: -1 }; this.poke(); });
    proc.on('close', (code) => { this.onStderr('\n'); this.exit = { code }; this.poke(); });
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  private readonly onAbort = () => { this.cancelled = true; this.stop(); this.poke(); };

  static start(file: string, opts: DecodeOptions = {}): FrameStream {
    checkVideoFile(file);
    const fps = opts.fps ?? DEFAULT_SAMPLING_FPS;
    const args = [
      '-hide_banner', '-nostdin', '-nostats', '-loglevel', 'info', '-i', file,
      '-map', '0:v:0', '-an', '-sn', '-dn', '-vf', selectFilter(fps, opts.fromS ?? 0, opts.afterS), '-vsync', '0',
      '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1',
    ];
    const proc = spawn(requireBinary('ffmpeg').path, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    proc.stdin.end();
    return new FrameStream(file, proc, opts.maxFrames ?? Infinity, opts.signal);
  }

  private poke(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private onStderr(text: string): void {
    const all = this.lineRest + text;
    const lines = all.split(/\r?\n/);
    this.lineRest = lines.pop() ?? '';
    for (const line of lines) {
      const m = INFO.exec(line);
      if (m) {
        this.infos.push({ ptsUs: Number(m[2]), width: Number(m[3]), height: Number(m[4]) });
        continue;
      }
      if (line.trim()) this.stderrTail = (this.stderrTail + line + '\n').slice(-8000);
      if (WARN.test(line) && this.warnings.length < 20) this.warnings.push(line.trim().slice(0, 200));
    }
    if (lines.length) this.poke();
  }

  /** Cuts `n` bytes off the front of the buffered chunks into one Buffer. */
  private take(n: number): Buffer {
    const first = this.chunks[0]!;
    let out: Buffer;
    if (first.length >= n) {
      out = Buffer.from(first.subarray(0, n)); // copy: the frame outlives the chunk
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let off = 0;
      while (off < n) {
        const c = this.chunks[0]!;
        const k = Math.min(c.length, n - off);
        c.copy(out, off, 0, k);
        off += k;
        if (k === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(k);
      }
    }
    this.buffered -= n;
    if (this.paused && this.buffered < 16 << 20) { this.paused = false; this.proc.stdout.resume(); }
    return out;
  }

  /** The next frame, or null at the end. Throws VideoError when nothing could be decoded. */
  async next(): Promise<DecodedFrame | null> {
    for (;;) {
      if (this.cancelled) throw new CancelledError(`decoding ${this.file} was cancelled`, { file: this.file });
      if (this.emitted >= this.maxFrames) { this.stop(); return null; }
      const info = this.infos[this.emitted];
      if (info) {
        const bytes = info.width * info.height * 3;
        if (this.buffered >= bytes) {
          const frame: DecodedFrame = { n: this.emitted, timeS: info.ptsUs / 1e6, ptsUs: info.ptsUs, width: info.width, height: info.height, data: this.take(bytes) };
          this.infos[this.emitted] = undefined as unknown as Info; // let the info go
          this.emitted++;
          return frame;
        }
        // Back-pressure pauses ffmpeg at 64 MiB buffered; a single frame can be larger (8K RGB is
        // ~100 MB), so keep reading until one whole frame is here, or we would wait forever.
        if (this.paused) { this.paused = false; this.proc.stdout.resume(); }
      }
      if (this.exit) {
        // Drain what stderr/stdout still hold before deciding.
        if (info && this.buffered >= info.width * info.height * 3) continue;
        return this.finish();
      }
      await new Promise<void>((resolve) => { this.wake = resolve; });
    }
  }

  private finish(): null {
    this.signal?.removeEventListener('abort', this.onAbort);
    const code = this.exit?.code;
    if (this.emitted === 0 && this.maxFrames > 0) {
      if (code !== 0) throw new VideoError(`${this.file}: cannot be decoded — ${ffmpegReason(this.stderrTail, this.file)}`, { file: this.file });
    } else if (code !== 0 && code !== null && this.emitted < this.maxFrames) {
      this.warnings.push(`ffmpeg stopped with exit code ${code} after ${this.emitted} frame(s): ${ffmpegReason(this.stderrTail)}`);
    }
    if (this.buffered > 0 && this.emitted < this.maxFrames) this.warnings.push(`${this.buffered} trailing bytes did not form a whole frame`);
    return null;
  }

  /** Decoder warnings so far (corrupt data, early end); the frames that decoded are still valid. */
  get summary(): DecodeSummary {
    return { frames: this.emitted, warnings: [...this.warnings] };
  }

  stop(): void {
    if (!this.exit) this.proc.kill('SIGKILL');
  }
}

/** All kept frames of a video as an async iterable (see FrameStream for details). */
export async function* decodeVideo(file: string, opts: DecodeOptions = {}): AsyncGenerator<DecodedFrame, DecodeSummary> {
  const s = FrameStream.start(file, opts);
  try {
    for (let f = await s.next(); f; f = await s.next()) yield f;
    return s.summary;
  } finally {
    s.stop();
  }
}
