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
import { spawn } from 'node:child_process';
import { CancelledError, VideoError } from '../errors';
import { requireBinary } from './ffmpegBinary';
import { checkVideoFile, ffmpegReason } from './ffmpegRun';
import { spawnPumped } from './pumpedProcess';
import { DecodeProblemLog, describeDecodeProblems, type DecodeProblemState } from './decodeProblems';

/** What FrameStream uses of its ffmpeg process (a ChildProcess, or a PumpedProcess read off-thread). */
interface DecoderProcess {
  stdout: { on(e: 'data', f: (d: Buffer) => void): unknown; pause(): unknown; resume(): unknown };
  stderr: { on(e: 'data', f: (d: Buffer) => void): unknown };
  on(e: 'error', f: (err: Error) => void): unknown;
  on(e: 'close', f: (code: number | null) => void): unknown;
  kill(signal: 'SIGKILL'): boolean;
}

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
  /** With `afterS`: the earlier run's damaged stretches (DecodeSummary.problems), continued by this run. */
  resumeProblems?: DecodeProblemState;
  /** Stop after this many frames. */
  maxFrames?: number;
  /**
   * Let ffmpeg (C) shrink each kept frame instead of piping it at full size: `data` becomes RGB at
   * width×height (swscale 'bilinear', which widens its triangle filter when shrinking like
   * core/model/preprocess.ts), and `thumb` an area-averaged thumbnail. Both travel in one stacked
   * rawvideo frame, so the pipe carries ~10× fewer bytes. See scaledFilter for the colour path.
   */
  scaled?: ScaledOutput;
  /**
   * Read ffmpeg's pipes on a worker thread (pumpedProcess.ts), so decoding goes on while this
   * thread is busy — e.g. in onnxruntime's synchronous `run` during an ingest. Costs a worker
   * start (~tens of ms): for long streams.
   */
  readOffThread?: boolean;
  /**
   * ffmpeg's decoder threads (`-threads N`; absent: ffmpeg's choice, frame threading on every core).
   * Decoded pictures are the same either way (H.264 and the other codecs decode bit-exactly).
   */
  decoderThreads?: number;
  /**
   * Don't decode frames that no other frame refers to (`-skip_frame noref`: in H.264 from x264,
   * the B-frames outside the pyramid, about half of all frames). Sampling then keeps the first
   * *decoded* frame of each 1/fps bin, which may be a frame or two later than the bin's first one;
   * its timestamp stays exact. Only for sampling well below the frame rate (ingest's
   * skipsNonReferenceFrames): a bin of non-reference frames only would otherwise be left empty.
   */
  skipNonReference?: boolean;
  signal?: AbortSignal;
}

export interface ScaledOutput {
  width: number;
  height: number;
  thumbWidth?: number;
  thumbHeight?: number;
  /**
   * The old colour path: convert the whole decoded frame to RGB first, then shrink RGB (swscale
   * converts it back to YUV internally to scale). Kept for bench:video's old-vs-new comparison.
   */
  rgbFirst?: boolean;
}

export interface DecodedFrame {
  /** 0-based position among the kept frames of this run. */
  n: number;
  /** Presentation time in seconds (= ptsUs / 1e6). */
  timeS: number;
  /** Presentation time in microseconds, an integer. */
  ptsUs: number;
  /** Size of the video frame (before any scaling). */
  width: number;
  height: number;
  /** dataWidth·dataHeight·3 RGB bytes; owned by the receiver. */
  data: Buffer;
  /** width×height, or the `scaled` size. */
  dataWidth: number;
  dataHeight: number;
  /** thumbWidth·thumbHeight·3 RGB bytes when `scaled` asked for a thumbnail. */
  thumb?: Buffer;
}

export interface DecodeSummary {
  frames: number;
  /** Every warning, readable: one per damaged stretch (decodeProblems.ts), then `notes`. */
  warnings: string[];
  /** The damaged stretches as data, for a checkpoint to carry into a resumed run (`resumeProblems`). */
  problems: DecodeProblemState;
  /** Other warnings: ffmpeg would not start or stopped early, a broken last frame. */
  notes: string[];
}

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
  // checksum=0: showinfo would otherwise checksum every kept frame at full size (~0.1 CPU-s per
  // minute of 704×576 footage, 3 % of an ingest); only its n, pts and size are read.
  return `${select}settb=1/1000000,showinfo=checksum=0`;
}

/**
 * -filter_complex for `scaled`: the model picture and the thumbnail, stacked (padded to one width).
 *
 * Each is shrunk straight from the decoder's YUV and converted to RGB at the small size
 * (`full_chroma_int`: chroma interpolated to every output pixel, not shared by pixel pairs). The
 * old path (`rgbFirst`) converted every kept frame to RGB at full size and shrank RGB, which
 * swscale does by converting back to YUV: on 704×576 footage that cost ~5 ms of ffmpeg CPU per kept
 * frame, a third of ffmpeg's whole time at 5 frames/s (bench:video). Against preprocessFrame on the
 * full-size RGB stream the model input moves from mean |Δ| ≈ 0.2 to ≈ 1.2 grey levels (the
 * full-size stream uses swscale's table-based YUV→RGB converter, which rounds differently); max
 * |Δ| is about the same (~5 levels at hard edges). bench:video prints both and the sightings.
 */
export function scaledFilter(select: string, o: ScaledOutput): string {
  const w = Math.max(o.width, o.thumbWidth ?? 0);
  const pad = (pw: number, ph: number) => (pw < w ? `,pad=${w}:${ph}` : '');
  const rgb = o.rgbFirst ? '' : ',format=rgb24';
  const model = `scale=${o.width}:${o.height}:flags=bilinear${o.rgbFirst ? '' : '+full_chroma_int'}${rgb}${pad(o.width, o.height)}`;
  const head = `[0:v:0]${select}${o.rgbFirst ? ',format=rgb24' : ''}`;
  if (!o.thumbWidth || !o.thumbHeight) return `${head},${model}[out]`;
  const thumb = `scale=${o.thumbWidth}:${o.thumbHeight}:flags=area${rgb}${pad(o.thumbWidth, o.thumbHeight)}`;
  return `${head},split[a][b];[a]${model}[m];[b]${thumb}[t];[m][t]vstack[out]`;
}

/** Cuts a stacked scaled frame into the model picture and the thumbnail (compact rows). */
function unstack(buf: Buffer, o: ScaledOutput): { data: Buffer; thumb?: Buffer } {
  const w = Math.max(o.width, o.thumbWidth ?? 0);
  const rows = (y0: number, h: number, rw: number) => {
    if (rw === w) return buf.subarray(y0 * w * 3, (y0 + h) * w * 3);
    const out = Buffer.allocUnsafe(rw * h * 3);
    for (let y = 0; y < h; y++) buf.copy(out, y * rw * 3, (y0 + y) * w * 3, (y0 + y) * w * 3 + rw * 3);
    return out;
  };
  const data = rows(0, o.height, o.width);
  return o.thumbWidth && o.thumbHeight ? { data, thumb: rows(o.height, o.thumbHeight, o.thumbWidth) } : { data };
}

function scaledBytes(o: ScaledOutput): number {
  return Math.max(o.width, o.thumbWidth ?? 0) * (o.height + (o.thumbWidth && o.thumbHeight ? o.thumbHeight : 0)) * 3;
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
  private readonly problems: DecodeProblemLog;
  private exit: { code: number | null } | undefined;
  private wake: (() => void) | undefined;
  private paused = false;
  private cancelled = false;

  private constructor(
    readonly file: string, private readonly proc: DecoderProcess, private readonly maxFrames: number, problems: DecodeProblemLog,
    private readonly signal?: AbortSignal, private readonly scaled?: ScaledOutput,
    /** Chunks are whole records in buffers of their own (spawnPumped with recordBytes): taken without a copy. */
    private readonly ownedChunks = false,
  ) {
    this.problems = problems;
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
    const select = selectFilter(fps, opts.fromS ?? 0, opts.afterS);
    const sc = opts.scaled;
    if (sc && ![sc.width, sc.height, sc.thumbWidth ?? 1, sc.thumbHeight ?? 1].every((v) => Number.isInteger(v) && v > 0)) {
      throw new VideoError(`scaled output must be positive whole sizes, got ${JSON.stringify(sc)}`);
    }
    const args = [
      '-hide_banner', '-nostdin', '-nostats', '-loglevel', 'info',
      ...(opts.decoderThreads !== undefined ? ['-threads', String(opts.decoderThreads)] : []),
      ...(opts.skipNonReference ? ['-skip_frame', 'noref'] : []), '-i', file,
      ...(sc ? ['-filter_complex', scaledFilter(select, sc), '-map', '[out]'] : ['-map', '0:v:0', '-vf', select]),
      '-an', '-sn', '-dn', '-vsync', '0', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1',
    ];
    const binary = requireBinary('ffmpeg').path;
    let proc: DecoderProcess;
    if (opts.readOffThread) proc = spawnPumped(binary, args, sc ? scaledBytes(sc) : undefined);
    else {
      const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
      child.stdin.end();
      proc = child;
    }
    const problems = new DecodeProblemLog(file, fps, opts.afterS !== undefined ? opts.resumeProblems : undefined);
    return new FrameStream(file, proc, opts.maxFrames ?? Infinity, problems, opts.signal, sc, Boolean(opts.readOffThread && sc));
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
        this.problems.noteFrame(Number(m[2]) / 1e6);
        continue;
      }
      if (line.trim()) this.stderrTail = (this.stderrTail + line + '\n').slice(-8000);
      if (WARN.test(line)) this.problems.noteMessage(line);
    }
    if (lines.length) this.poke();
  }

  /** Cuts `n` bytes off the front of the buffered chunks into one Buffer. */
  private take(n: number): Buffer {
    const first = this.chunks[0]!;
    let out: Buffer;
    if (first.length === n && this.ownedChunks) {
      out = first; // a whole record in its own buffer (spawnPumped with recordBytes): no copy
      this.chunks.shift();
    } else if (first.length >= n) {
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
      const sc = this.scaled;
      if (info) {
        const bytes = sc ? scaledBytes(sc) : info.width * info.height * 3;
        if (this.buffered >= bytes) {
          const base = { n: this.emitted, timeS: info.ptsUs / 1e6, ptsUs: info.ptsUs, width: info.width, height: info.height };
          const frame: DecodedFrame = sc
            ? { ...base, ...unstack(this.take(bytes), sc), dataWidth: sc.width, dataHeight: sc.height }
            : { ...base, data: this.take(bytes), dataWidth: info.width, dataHeight: info.height };
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
        if (info && this.buffered >= (sc ? scaledBytes(sc) : info.width * info.height * 3)) continue;
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
    const problems = this.problems.state();
    return { frames: this.emitted, warnings: [...describeDecodeProblems(this.file, problems.spans, { notKept: problems.notKept }), ...this.warnings], problems, notes: [...this.warnings] };
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
