/**
 * Encodes raw RGBA frames to an H.264 MP4 (libx264, yuv420p) through ffmpeg's stdin. Odd frame
 * sizes are padded to even (yuv420p needs it). Metadata is stripped so the output depends only on
 * the pixels and settings.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { VideoError } from '../errors';
import { requireBinary } from './ffmpegBinary';

export interface EncodeOptions {
  width: number;
  height: number;
  fps: number;
  /** x264 constant rate factor (lower = better); default 23. */
  crf?: number;
  preset?: string;
}

export class Mp4Encoder {
  private stderr = '';
  private readonly done: Promise<void>;
  private frames = 0;
  private readonly frameBytes: number;

  private constructor(private readonly proc: ChildProcessWithoutNullStreams, readonly path: string, readonly options: EncodeOptions) {
    this.frameBytes = options.width * options.height * 4;
    proc.stderr.on('data', (d: Buffer) => { this.stderr = (this.stderr + d.toString()).slice(-4000); });
    proc.stdin.on('error', () => { /* reported through the exit code */ });
    this.done = new Promise((resolve, reject) => {
      proc.on('error', (e) => reject(new VideoError(`ffmpeg could not start: ${e.message}`, { file: path })));
      proc.on('close', (code) => {
        if (code === 0) resolve();
        else reject(new VideoError(`ffmpeg failed encoding ${path} (exit ${code}): ${this.stderr.trim().split('\n').slice(-3).join(' | ')}`, { file: path }));
      });
    });
    this.done.catch(() => {});
  }

  static start(path: string, options: EncodeOptions): Mp4Encoder {
    const ffmpeg = requireBinary('ffmpeg');
    const args = [
      '-hide_banner', '-loglevel', 'error', '-y',
      '-f', 'rawvideo', '-pix_fmt', 'rgba', '-s', `${options.width}x${options.height}`, '-r', String(options.fps), '-i', 'pipe:0',
      '-an', '-vf', 'pad=ceil(iw/2)*2:ceil(ih/2)*2',
      '-c:v', 'libx264', '-preset', options.preset ?? 'veryfast', '-crf', String(options.crf ?? 23), '-pix_fmt', 'yuv420p',
      '-map_metadata', '-1', '-fflags', '+bitexact', '-flags:v', '+bitexact', '-movflags', '+faststart',
      path,
    ];
    return new Mp4Encoder(spawn(ffmpeg.path, args, { stdio: ['pipe', 'pipe', 'pipe'] }), path, options);
  }

  /** Queues one frame of width×height RGBA bytes (copied, so the caller may reuse its buffer). */
  async writeFrame(rgba: Uint8Array): Promise<void> {
    if (rgba.length !== this.frameBytes) {
      throw new VideoError(`frame ${this.frames} has ${rgba.length} bytes, expected ${this.frameBytes} (${this.options.width}x${this.options.height} RGBA)`, { file: this.path });
    }
    this.frames++;
    const ok = this.proc.stdin.write(Buffer.from(rgba));
    if (!ok) {
      await Promise.race([
        new Promise<void>((resolve) => this.proc.stdin.once('drain', () => resolve())),
        this.done,
      ]);
    }
  }

  get frameCount(): number {
    return this.frames;
  }

  /** Closes the input and waits for ffmpeg to finish the file. */
  async finish(): Promise<void> {
    this.proc.stdin.end();
    await this.done;
  }

  abort(): void {
    this.proc.stdin.destroy();
    this.proc.kill('SIGKILL');
  }
}
