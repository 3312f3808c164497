/** Test clips made with ffmpeg's lavfi sources: known sizes, frame times (constant or variable), rotation. */
import { rmSync } from 'node:fs';
import { VideoError } from '../errors';
import { runTool } from './ffmpegRun';

export interface ClipSpec {
  width?: number;
  height?: number;
  /** Frames per second of the source (default 10). */
  fps?: number;
  seconds?: number;
  /**
   * setpts expression giving each frame N its time in 1/100 s (variable frame rate), e.g. 'N*10'.
   * The clip then has round(seconds·fps) frames and a 1/100 s time base, so the times are exact.
   */
  ptsCentiseconds?: string;
  /** Rotation metadata in degrees. */
  rotate?: number;
  /** Put the moov atom at the end (as a recorder does), not the start. */
  moovAtEnd?: boolean;
  /** From this time on, another picture (colour bars instead of the test pattern): a scene change. */
  sceneChangeAtS?: number;
  /**
   * B-frames between reference frames (x264 `-bf`, B-pyramid off so none of them is a reference),
   * as in most encoded files but not in camera H.264; default 0.
   */
  bFrames?: number;
}

export async function makeTestClip(out: string, spec: ClipSpec = {}): Promise<void> {
  const w = spec.width ?? 160;
  const h = spec.height ?? 120;
  const fps = spec.fps ?? 10;
  const seconds = spec.seconds ?? 2;
  const length = spec.ptsCentiseconds
    ? ['-vf', `setpts='${spec.ptsCentiseconds}'`, '-vsync', '0', '-frames:v', String(Math.round(seconds * fps))]
    : ['-t', String(seconds)];
  const rate = spec.ptsCentiseconds ? 100 : fps;
  const cut = spec.sceneChangeAtS;
  const source = cut !== undefined && !spec.ptsCentiseconds
    ? ['-f', 'lavfi', '-i', `testsrc=size=${w}x${h}:rate=${fps}:duration=${cut}`, '-f', 'lavfi', '-i', `smptebars=size=${w}x${h}:rate=${fps}:duration=${seconds - cut}`,
      '-filter_complex', '[0:v][1:v]concat=n=2:v=1[v]', '-map', '[v]']
    : ['-f', 'lavfi', '-i', `testsrc=size=${w}x${h}:rate=${rate}`];
  const args = [
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...source,
    ...length, '-c:v', 'libx264', '-preset', 'ultrafast', '-g', String(fps), '-pix_fmt', 'yuv420p',
    ...(spec.bFrames ? ['-bf', String(spec.bFrames), '-x264-params', 'b-pyramid=none'] : []),
    ...(spec.moovAtEnd ? [] : ['-movflags', '+faststart']), spec.rotate ? `${out}.norot.mp4` : out,
  ];
  const r = await runTool('ffmpeg', args, out);
  if (r.code !== 0) throw new VideoError(`making test clip ${out} failed: ${r.stderr.slice(-500)}`);
  if (spec.rotate) {
    // This ffmpeg only writes the rotation matrix when remuxing.
    const m = await runTool('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-i', `${out}.norot.mp4`, '-c', 'copy', '-metadata:s:v:0', `rotate=${spec.rotate}`, out], out);
    rmSync(`${out}.norot.mp4`, { force: true });
    if (m.code !== 0) throw new VideoError(`rotating test clip ${out} failed: ${m.stderr.slice(-500)}`);
  }
}
