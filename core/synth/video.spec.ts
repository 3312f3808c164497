/** Video mode: a playable H.264 MP4 per clip with the right frame count, tracks with stable ids. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readDataset } from '../dataset/reader';
import { validateDataset } from '../dataset/validate';
import { requireBinary } from '../video/ffmpegBinary';
import { defaultOptions } from './options';
import { synthesize } from './synthesize';

const root = mkdtempSync(join(tmpdir(), 'fastpr-synth-video-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function probe(file: string): { frames: number; width: number; height: number; codec: string; pixFmt: string } {
  const out = execFileSync(requireBinary('ffprobe').path, [
    '-v', 'error', '-count_frames', '-select_streams', 'v:0',
    '-show_entries', 'stream=nb_read_frames,width,height,codec_name,pix_fmt', '-of', 'json', file,
  ], { encoding: 'utf8' });
  const s = (JSON.parse(out) as { streams: Array<Record<string, string | number>> }).streams[0]!;
  return { frames: Number(s.nb_read_frames), width: Number(s.width), height: Number(s.height), codec: String(s.codec_name), pixFmt: String(s.pix_fmt) };
}

describe('synthesize (video mode)', () => {
  it('encodes clips to MP4 with per-frame ground truth and stable track ids', async () => {
    const dir = join(root, 'v');
    // 2 clips: 1 s at 10 fps, then the remaining 6 frames.
    const o = defaultOptions({ seed: 8, frames: 16, width: 160, height: 120, crowd: { min: 4, max: 8 }, video: { seconds: 1, fps: 10, imageEvery: 1 } });
    const manifest = await synthesize(dir, o);
    expect(Object.keys(manifest.videos ?? {})).toHaveLength(2);
    const [first, second] = Object.values(manifest.videos!);
    expect(probe(join(dir, first!))).toEqual({ frames: 10, width: 160, height: 120, codec: 'h264', pixFmt: 'yuv420p' });
    expect(probe(join(dir, second!)).frames).toBe(6);
    expect(validateDataset(dir).problems).toEqual([]);
    const ds = readDataset(dir);
    const clip = ds.frames.filter((f) => f.sequence === Object.keys(manifest.videos!)[0]);
    expect(clip.map((f) => f.frameIndex)).toEqual([...Array(10).keys()]);
    expect(clip.map((f) => f.time)).toEqual([...Array(10).keys()].map((i) => i / 10));
    // A track keeps its id and attributes while it moves.
    const byId = new Map<string, Array<{ box: number[]; attributes: unknown }>>();
    for (const f of clip) for (const p of f.persons) byId.set(p.id, [...(byId.get(p.id) ?? []), p]);
    const long = [...byId.values()].filter((t) => t.length >= 8);
    expect(long.length).toBeGreaterThan(0);
    for (const t of long) for (const p of t) expect(p.attributes).toEqual(t[0]!.attributes);
    const moved = long.some((t) => Math.abs(t[t.length - 1]!.box[0]! - t[0]!.box[0]!) + Math.abs(t[t.length - 1]!.box[3]! - t[0]!.box[3]!) >= 1);
    expect(moved).toBe(true);
  });
});
