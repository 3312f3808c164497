/** Probing a video with ffprobe's JSON output: duration, frame rate (constant or variable), size, rotation, codec. */
import { VideoError } from '../errors';
import { checkVideoFile, ffmpegReason, runTool } from './ffmpegRun';

export interface VideoInfo {
  file: string;
  sizeBytes: number;
  container: string;
  codec: string;
  /** Stored (coded) frame size. */
  codedWidth: number;
  codedHeight: number;
  /** Displayed size after rotation (what decoded frames have; ffmpeg auto-rotates). */
  width: number;
  height: number;
  /** Clockwise display rotation in degrees (0, 90, 180, 270). */
  rotation: number;
  /** Average frame rate (frames/s), from the stream's avg_frame_rate (or r_frame_rate). */
  fps: number;
  /** The stream's base rate (r_frame_rate); differs from fps for variable-frame-rate streams. */
  baseFps: number;
  variableFrameRate: boolean;
  durationS: number;
  /** Frame count from the container when it states one. */
  frameCount: number | null;
  pixelFormat: string | null;
}

interface FfprobeStream {
  codec_type?: string; codec_name?: string; width?: number; height?: number; avg_frame_rate?: string; r_frame_rate?: string;
  duration?: string; nb_frames?: string; pix_fmt?: string; tags?: Record<string, string>;
  side_data_list?: Array<{ side_data_type?: string; rotation?: number }>;
}
interface FfprobeOutput { streams?: FfprobeStream[]; format?: { format_name?: string; duration?: string } }

export function parseRate(r: string | undefined): number {
  if (!r) return 0;
  const [n, d] = r.split('/').map(Number);
  if (d === undefined) return Number.isFinite(n) ? n! : 0;
  return d! > 0 && Number.isFinite(n) ? n! / d! : 0;
}

function rotationOf(s: FfprobeStream): number {
  let deg = Number(s.tags?.rotate ?? 0);
  // The sign of the display matrix's angle differs between ffprobe versions; the frame size swap does not.
  for (const sd of s.side_data_list ?? []) if (typeof sd.rotation === 'number' && !s.tags?.rotate) deg = sd.rotation;
  deg = ((Math.round(deg / 90) * 90) % 360 + 360) % 360;
  return Number.isFinite(deg) ? deg : 0;
}

export async function probeVideo(file: string, signal?: AbortSignal): Promise<VideoInfo> {
  const sizeBytes = checkVideoFile(file);
  const r = await runTool('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file], file, signal);
  if (r.code !== 0) throw new VideoError(`${file}: cannot be read as a video — ${ffmpegReason(r.stderr, file)}`, { file });
  let json: FfprobeOutput;
  try {
    json = JSON.parse(r.stdout.toString('utf8')) as FfprobeOutput;
  } catch {
    throw new VideoError(`${file}: ffprobe returned unreadable output`, { file });
  }
  const s = json.streams?.find((x) => x.codec_type === 'video' && x.codec_name !== 'mjpeg' && x.codec_name !== 'png') ?? json.streams?.find((x) => x.codec_type === 'video');
  if (!s) throw new VideoError(`${file}: contains no video stream (format ${json.format?.format_name ?? 'unknown'})`, { file });
  if (!s.width || !s.height) throw new VideoError(`${file}: video stream has no frame size (codec ${s.codec_name ?? 'unknown'} unsupported or corrupt header)`, { file });
  const avg = parseRate(s.avg_frame_rate);
  const base = parseRate(s.r_frame_rate);
  const fps = avg > 0 ? avg : base;
  if (!(fps > 0)) throw new VideoError(`${file}: video stream states no frame rate`, { file });
  const rotation = rotationOf(s);
  const swap = rotation === 90 || rotation === 270;
  const durationS = Number(s.duration ?? json.format?.duration ?? NaN);
  const nb = Number(s.nb_frames);
  return {
    file, sizeBytes, container: json.format?.format_name ?? 'unknown', codec: s.codec_name ?? 'unknown',
    codedWidth: s.width, codedHeight: s.height, width: swap ? s.height : s.width, height: swap ? s.width : s.height, rotation,
    fps, baseFps: base > 0 ? base : fps, variableFrameRate: avg > 0 && base > 0 && Math.abs(avg - base) / base > 0.01,
    durationS: Number.isFinite(durationS) ? durationS : 0, frameCount: Number.isInteger(nb) && nb > 0 ? nb : null, pixelFormat: s.pix_fmt ?? null,
  };
}
