/**
 * Stills and clips out of a video with the sighting's box drawn (ffmpeg drawbox), and thumbnails.
 * Files are written to a temporary name and renamed, so a failed export leaves nothing half-written.
 */
import { renameSync, rmSync } from 'node:fs';
import { VideoError } from '../errors';
import { checkVideoFile, ffmpegReason, runTool } from './ffmpegRun';

export type Box = [number, number, number, number];
export interface TimedBox { t: number; box: Box }

const n2 = (v: number) => Math.max(0, Math.round(v));

function drawbox(b: Box, colour: string, enable?: [number, number]): string {
  const [l, t, r, bo] = b;
  const when = enable ? `:enable='between(t\\,${enable[0].toFixed(3)}\\,${enable[1].toFixed(3)})'` : '';
  return `drawbox=x=${n2(l)}:y=${n2(t)}:w=${Math.max(1, n2(r - l))}:h=${Math.max(1, n2(bo - t))}:color=${colour}:t=3${when}`;
}

async function runTo(out: string, file: string, args: (tmp: string) => string[], signal?: AbortSignal): Promise<void> {
  const tmp = `${out}.partial-${process.pid}${out.slice(out.lastIndexOf('.'))}`;
  try {
    const r = await runTool('ffmpeg', args(tmp), file, signal);
    if (r.code !== 0) throw new VideoError(`${file}: export to ${out} failed — ${ffmpegReason(r.stderr)}`, { file });
    renameSync(tmp, out);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** One frame at time `t` as JPEG bytes, `width` pixels wide. */
export async function videoThumbnail(file: string, t: number, width = 320, signal?: AbortSignal): Promise<Buffer> {
  checkVideoFile(file);
  const r = await runTool('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-ss', Math.max(0, t).toFixed(3), '-i', file,
    '-frames:v', '1', '-vf', `scale=${width}:-2`, '-f', 'image2pipe', '-c:v', 'mjpeg', '-q:v', '4', 'pipe:1'], file, signal);
  if (r.code !== 0 || r.stdout.length === 0) throw new VideoError(`${file}: no frame at ${t.toFixed(3)} s — ${ffmpegReason(r.stderr)}`, { file });
  return r.stdout;
}

/**
 * The frame shown at time `t` (a frame's own timestamp gives that frame) as RGB pixels scaled to
 * width × height — the index's frame size, in which its boxes are given.
 */
export async function videoFrameRgb(file: string, t: number, width: number, height: number, signal?: AbortSignal): Promise<{ data: Uint8Array; width: number; height: number; channels: 3 }> {
  checkVideoFile(file);
  // 5 ms before the frame's time: the seek lands on that frame, not the one after a rounded timestamp.
  const r = await runTool('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-ss', Math.max(0, t - 0.005).toFixed(3), '-i', file,
    '-frames:v', '1', '-vf', `scale=${width}:${height}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], file, signal);
  if (r.code !== 0 || r.stdout.length !== width * height * 3) {
    throw new VideoError(`${file}: no frame at ${t.toFixed(3)} s — ${r.code !== 0 ? ffmpegReason(r.stderr) : `${r.stdout.length} bytes instead of ${width * height * 3}`}`, { file });
  }
  return { data: new Uint8Array(r.stdout.buffer, r.stdout.byteOffset, r.stdout.length), width, height, channels: 3 };
}

/** The frame at time `t` with `box` drawn, written as PNG or JPEG (by extension). */
export async function exportStill(file: string, t: number, box: Box | null, out: string, signal?: AbortSignal): Promise<void> {
  checkVideoFile(file);
  const vf = box ? drawbox(box, 'red') : 'null';
  await runTo(out, file, (tmp) => ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-ss', Math.max(0, t).toFixed(6), '-i', file,
    '-frames:v', '1', '-vf', vf, tmp], signal);
}

/**
 * The part [startS, endS] of the video as H.264 MP4 with the track's boxes drawn: each box is shown
 * from its time until the next box's time (boxes are known at the indexed frames only).
 */
export async function exportClip(file: string, startS: number, endS: number, track: readonly TimedBox[], out: string, signal?: AbortSignal): Promise<void> {
  checkVideoFile(file);
  if (!(endS >= startS)) throw new VideoError(`${file}: clip end ${endS} s is before its start ${startS} s`, { file });
  const from = Math.max(0, startS);
  const sorted = [...track].sort((a, b) => a.t - b.t);
  // With -ss before -i, output times start at 0: shift the box times by `from`.
  const boxes = sorted.map((p, i) => drawbox(p.box, 'red', [p.t - from, (sorted[i + 1]?.t ?? endS + 1) - from - 1e-3]));
  const vf = boxes.length ? boxes.join(',') : 'null';
  await runTo(out, file, (tmp) => ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-ss', from.toFixed(6), '-i', file,
    '-t', Math.max(0.04, endS - from).toFixed(6), '-map', '0:v:0', '-an', '-vf', vf, '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20',
    '-pix_fmt', 'yuv420p', '-movflags', '+faststart', tmp], signal);
}
