/**
 * core/video on real ffmpeg: probe, exact frame times when sampling (constant and variable frame
 * rate), resume points, rotation, clear VideoErrors for broken files, partial decode with a
 * warning, stills and clips with the box drawn.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VideoError } from '../errors';
import { decodeVideo, FrameStream, type DecodeOptions, type DecodeSummary } from './decode';
import { exportClip, exportStill, videoFrameRgb, videoThumbnail } from './export';
import { probeVideo } from './probe';
import { makeTestClip } from './testClips';

const dir = mkdtempSync(join(tmpdir(), 'fastpr-video-'));
const cfr = join(dir, 'cfr.mp4');
const vfr = join(dir, 'vfr.mp4');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function times(file: string, opts: DecodeOptions): Promise<{ t: number[]; warnings: string[]; sizes: string[]; digest: string }> {
  const s = FrameStream.start(file, opts);
  const t: number[] = [];
  const sizes = new Set<string>();
  const hash = createHash('sha256');
  for (let f = await s.next(); f; f = await s.next()) {
    t.push(f.timeS);
    sizes.add(`${f.width}x${f.height}:${f.data.length}`);
    hash.update(f.data);
    if (f.thumb) hash.update(f.thumb);
  }
  return { t, warnings: s.summary.warnings, sizes: [...sizes], digest: hash.digest('hex') };
}

const round = (xs: number[]) => xs.map((x) => Math.round(x * 1e6) / 1e6);

beforeAll(async () => {
  await makeTestClip(cfr, { fps: 10, seconds: 2 });
  // 10 frames 0.1 s apart, then frames 0.04 s apart: a variable frame rate.
  await makeTestClip(vfr, { fps: 25, seconds: 1.2, ptsCentiseconds: 'if(lt(N,10),N*10,100+(N-10)*4)' });
});

describe('probe', () => {
  it('reports duration, rate, size and codec', async () => {
    const p = await probeVideo(cfr);
    expect(p).toMatchObject({ codec: 'h264', width: 160, height: 120, rotation: 0, fps: 10, variableFrameRate: false, frameCount: 20 });
    expect(p.durationS).toBeCloseTo(2, 1);
    const v = await probeVideo(vfr);
    expect(v.variableFrameRate).toBe(true);
  });

  it('swaps the displayed size for a 90° rotation, and decoded frames follow it', async () => {
    const rot = join(dir, 'rot.mp4');
    await makeTestClip(rot, { width: 64, height: 32, seconds: 0.5, rotate: 90 });
    const p = await probeVideo(rot);
    expect(p).toMatchObject({ rotation: 90, codedWidth: 64, codedHeight: 32, width: 32, height: 64 });
    expect((await times(rot, { fps: 'all' })).sizes).toEqual([`32x64:${32 * 64 * 3}`]);
  });
});

describe('decode', () => {
  it('gives every frame with its exact time, or the first frame of each 1/fps bin', async () => {
    const all = await times(cfr, { fps: 'all' });
    expect(round(all.t)).toEqual(Array.from({ length: 20 }, (_, i) => i / 10));
    expect(all.sizes).toEqual([`160x120:${160 * 120 * 3}`]);
    expect(all.warnings).toEqual([]);
    expect(round((await times(cfr, { fps: 5 })).t)).toEqual(Array.from({ length: 10 }, (_, i) => i / 5));
    expect(round((await times(cfr, { fps: 3 })).t)).toEqual([0, 0.4, 0.7, 1, 1.4, 1.7]);
  });

  it('keeps real frame times on a variable-frame-rate clip (no snapping to a grid)', async () => {
    const all = await times(vfr, { fps: 'all' });
    const expected = [...Array.from({ length: 10 }, (_, i) => i / 10), ...Array.from({ length: all.t.length - 10 }, (_, i) => 1 + i * 0.04)];
    expect(round(all.t)).toEqual(round(expected));
    // 5/s: one frame per 0.2 s bin — in the sparse part every other frame, in the dense part the first of each bin.
    expect(round((await times(vfr, { fps: 5 })).t)).toEqual(round(expected.filter((t, i, a) => i === 0 || Math.floor(t * 5 + 1e-6) > Math.floor(a[i - 1]! * 5 + 1e-6))));
  });

  it('resumes after a kept frame exactly where a full run would continue', async () => {
    const full = round((await times(vfr, { fps: 5 })).t);
    const k = 4;
    const rest = round((await times(vfr, { fps: 5, afterS: full[k - 1] })).t);
    expect(rest).toEqual(full.slice(k));
    const allFull = round((await times(cfr, { fps: 'all' })).t);
    expect(round((await times(cfr, { fps: 'all', afterS: allFull[6] })).t)).toEqual(allFull.slice(7));
    expect(round((await times(cfr, { fps: 'all', maxFrames: 3 })).t)).toEqual([0, 0.1, 0.2]);
  });
});

  it('skipping non-reference frames decodes fewer frames and keeps the first decoded frame of each bin, also on a resume', async () => {
    // 25 frames/s, three B-frames (none a reference) between reference frames, as x264 writes files.
    const withB = join(dir, 'bframes.mp4');
    await makeTestClip(withB, { fps: 25, seconds: 2, bFrames: 3 });
    const all = round((await times(withB, { fps: 'all' })).t);
    const decoded = round((await times(withB, { fps: 'all', skipNonReference: true })).t);
    expect(all).toHaveLength(50);
    // I/P every 4th frame (plus the key frame at 1 s): the B-frames were not decoded at all.
    expect(decoded.length).toBeLessThan(20);
    expect(decoded.every((t) => all.includes(t))).toBe(true);
    const bin = (t: number) => Math.floor(t * 5 + 1e-6);
    const firstOfEach = (ts: number[]) => ts.filter((t, i) => i === 0 || bin(t) > bin(ts[i - 1]!));
    const sampled = round((await times(withB, { fps: 5 })).t);
    const skipped = round((await times(withB, { fps: 5, skipNonReference: true })).t);
    expect(sampled).toEqual(firstOfEach(all));
    expect(skipped).toEqual(firstOfEach(decoded));
    // One frame in every bin still (a run of three B-frames is shorter than a 5-frame bin), but not
    // always the bin's first: the times say which frame it was.
    expect(skipped.map(bin)).toEqual(sampled.map(bin));
    expect(skipped).not.toEqual(sampled);
    const k = 3;
    expect(round((await times(withB, { fps: 5, skipNonReference: true, afterS: skipped[k - 1] })).t)).toEqual(skipped.slice(k));
  });

describe('decode with the pipes read on a worker thread (readOffThread, as ingest does)', () => {
  it('gives the same frames, times and bytes, also when this thread is blocked meanwhile or with other decoder threads', async () => {
    for (const opts of [{ fps: 'all' as const }, { fps: 5, scaled: { width: 64, height: 48, thumbWidth: 32, thumbHeight: 24 } }]) {
      const here = await times(cfr, opts);
      const off = await times(cfr, { ...opts, readOffThread: true });
      expect(off).toEqual(here);
      // One decoder thread (ingest's choice on 2 cores) and two: the same pictures as ffmpeg's default.
      expect(await times(cfr, { ...opts, decoderThreads: 1 })).toEqual(here);
      expect(await times(cfr, { ...opts, decoderThreads: 2 })).toEqual(here);
      // Block this thread for a while right after the start (as onnxruntime's run does): ffmpeg
      // keeps going and the frames wait as messages.
      const s = FrameStream.start(cfr, { ...opts, readOffThread: true });
      const until = Date.now() + 300;
      while (Date.now() < until) { /* busy */ }
      const hash = createHash('sha256');
      let n = 0;
      for (let f = await s.next(); f; f = await s.next()) { hash.update(f.data); if (f.thumb) hash.update(f.thumb); n++; }
      expect(n).toBe(here.t.length);
      expect(hash.digest('hex')).toBe(here.digest);
    }
  });

  it('stops early (maxFrames, stop()) and reports broken files the same way', async () => {
    expect(round((await times(cfr, { fps: 'all', maxFrames: 3, readOffThread: true })).t)).toEqual([0, 0.1, 0.2]);
    const text = join(dir, 'notes-off.mp4');
    writeFileSync(text, 'this is a text file, not a video\n'.repeat(50));
    const err = await times(text, { fps: 5, readOffThread: true }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(VideoError);
    expect((err as Error).message).toContain(text);
    const cut = join(dir, 'cut-off.mp4');
    copyFileSync(cfr, cut);
    truncateSync(cut, Math.floor(statSync(cut).size * 0.5));
    const [here, off] = [await times(cut, { fps: 'all' }), await times(cut, { fps: 'all', readOffThread: true })];
    expect(off.t).toEqual(here.t);
    expect(off.warnings.length).toBeGreaterThan(0);
  });
});

describe('broken files', () => {
  async function expectVideoError(file: string, reason: RegExp): Promise<void> {
    for (const attempt of [() => probeVideo(file), () => times(file, { fps: 5 })]) {
      const err = await attempt().then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(VideoError);
      expect((err as Error).message).toContain(file);
      expect((err as Error).message).toMatch(reason);
    }
  }

  it('zero-byte file, text renamed .mp4, truncated MP4 and a missing file each name the file and the reason', async () => {
    const empty = join(dir, 'empty.mp4');
    writeFileSync(empty, '');
    await expectVideoError(empty, /empty \(0 bytes\)/);
    const text = join(dir, 'notes.mp4');
    writeFileSync(text, 'this is a text file, not a video\n'.repeat(50));
    await expectVideoError(text, /not a video ffmpeg can read|invalid data/i);
    const rec = join(dir, 'recorder.mp4');
    await makeTestClip(rec, { seconds: 2, moovAtEnd: true });
    truncateSync(rec, Math.floor(statSync(rec).size * 0.6));
    await expectVideoError(rec, /incomplete|truncated/);
    await expectVideoError(join(dir, 'nope.mp4'), /file not found/);
  });

  it('a file cut in the middle of its frame data yields the frames before the cut and a warning', async () => {
    const cut = join(dir, 'cut.mp4');
    copyFileSync(cfr, cut);
    truncateSync(cut, Math.floor(statSync(cut).size * 0.5));
    const r = await times(cut, { fps: 'all' });
    expect(r.t.length).toBeGreaterThan(0);
    expect(r.t.length).toBeLessThan(20);
    expect(round(r.t)).toEqual(Array.from({ length: r.t.length }, (_, i) => i / 10));
    expect(r.warnings.length).toBeGreaterThan(0);
  });
});

describe('damaged files', () => {
  /** Each sampled frame's time → digest of its pixels. */
  async function digests(file: string, opts: DecodeOptions): Promise<{ frames: Map<number, string>; summary: DecodeSummary }> {
    const s = FrameStream.start(file, opts);
    const frames = new Map<number, string>();
    for (let f = await s.next(); f; f = await s.next()) frames.set(Math.round(f.timeS * 1e6) / 1e6, createHash('sha256').update(f.data).digest('hex'));
    return { frames, summary: s.summary };
  }

  it('a file damaged in two places: one readable warning per damaged stretch, each starting at or before its first spoilt frame', async () => {
    const intact = join(dir, 'intact.mp4');
    await makeTestClip(intact, { width: 352, height: 288, fps: 25, seconds: 8 });
    const bytes = readFileSync(intact);
    for (const [from, to] of [[0.3, 0.31], [0.7, 0.705]] as const) {
      for (let i = Math.floor(bytes.length * from); i < Math.floor(bytes.length * to); i += 5) bytes[i] = (bytes[i]! * 31 + 17) & 255;
    }
    const damaged = join(dir, 'damaged ünï.mp4');
    writeFileSync(damaged, bytes);
    const clean = await digests(intact, { fps: 5 });
    expect(clean.summary.warnings).toEqual([]);
    // Maximal runs of sampled times whose pixels differ from the intact file's (or are missing).
    for (const readOffThread of [false, true]) {
      const got = await digests(damaged, { fps: 5, readOffThread });
      const bad = [...clean.frames.keys()].filter((t) => got.frames.get(t) !== clean.frames.get(t));
      const starts = bad.filter((t, i) => i === 0 || t - bad[i - 1]! > 1.5);
      expect(starts.length).toBe(2);
      const spans = got.summary.problems.spans;
      expect(spans.map((s) => s.kind)).toEqual(['damaged', 'damaged']);
      starts.forEach((t, k) => {
        expect(spans[k]!.afterS!).toBeLessThan(t);
        expect(spans[k]!.beforeS!).toBeGreaterThanOrEqual(t);
      });
      expect(got.summary.warnings).toHaveLength(2);
      for (const w of got.summary.warnings) {
        expect(w.startsWith(`${damaged}: damaged video data from 00:00:0`)).toBe(true);
        expect(w).not.toMatch(/0x[0-9a-f]{5,}|\[h264/);
      }
    }
  });
});

describe('stills, thumbnails and clips', () => {
  it('gives the pixels of the frame shown at a time, as the decoder streams them', async () => {
    const frames: { t: number; data: Buffer }[] = [];
    for await (const f of decodeVideo(cfr, { fps: 'all' })) frames.push({ t: f.timeS, data: f.data });
    const meanAbsDiff = (a: Uint8Array, b: Uint8Array) => { let s = 0; for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!); return s / a.length; };
    for (const k of [0, 7, 13]) {
      const got = await videoFrameRgb(cfr, frames[k]!.t, 160, 120);
      expect(got).toMatchObject({ width: 160, height: 120, channels: 3 });
      expect(got.data).toHaveLength(160 * 120 * 3);
      // The same frame (testsrc's counter and moving bar change every frame): not its neighbour's.
      expect(meanAbsDiff(got.data, frames[k]!.data)).toBeLessThan(1);
      expect(meanAbsDiff(got.data, frames[k + 1]!.data)).toBeGreaterThan(1);
    }
    const half = await videoFrameRgb(cfr, frames[3]!.t, 80, 60);
    expect(half.data).toHaveLength(80 * 60 * 3);
    await expect(videoFrameRgb(cfr, 30, 160, 120)).rejects.toThrow(/cfr\.mp4: no frame at 30\.000 s/);
    await expect(videoFrameRgb(join(dir, 'missing.mp4'), 0, 160, 120)).rejects.toBeInstanceOf(VideoError);
  });

  it('draws the box on a still and exports a clip of the requested length', async () => {
    const plain = join(dir, 'plain.png');
    const boxed = join(dir, 'boxed.png');
    await exportStill(cfr, 0.5, null, plain);
    await exportStill(cfr, 0.5, [20, 20, 80, 100], boxed);
    expect(readFileSync(plain).subarray(1, 4).toString()).toBe('PNG');
    expect(readFileSync(boxed).equals(readFileSync(plain))).toBe(false);
    const jpeg = await videoThumbnail(cfr, 1, 80);
    expect(jpeg[0]).toBe(0xff);
    expect(jpeg[1]).toBe(0xd8);
    const clip = join(dir, 'clip.mp4');
    await exportClip(cfr, 0.5, 1.5, [{ t: 0.5, box: [10, 10, 50, 60] }, { t: 1, box: [30, 10, 70, 60] }], clip);
    const p = await probeVideo(clip);
    expect(p.durationS).toBeGreaterThan(0.9);
    expect(p.durationS).toBeLessThan(1.2);
    const err = await exportClip(join(dir, 'missing.mp4'), 0, 1, [], join(dir, 'x.mp4')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VideoError);
  });
});
