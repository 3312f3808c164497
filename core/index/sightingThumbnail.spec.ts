/**
 * A sighting's thumbnail on an index that keeps one thumbnail per second (frames every 0.2 s: own
 * thumbnails at frames 0, 5, 10). The box drawn must belong to the thumbnail's own frame: the peak
 * frame's when it kept one, else the best-scoring track frame that did, else no box at all. And that
 * choice — picture, time, box — is what the case database records (real SQLite file).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sightingSummary } from '../api/views';
import { decodeToRgba } from '../image/canvas';
import type { Box } from '../model/boxes';
import { addEvidence, createCase, listEvidence, listSightings } from '../store/index';
import { tempStore } from '../store/testing';
import type { IndexHeader } from './format';
import { IndexFile } from './indexFile';
import { IndexFileWriter } from './indexWriter';
import { recordCaseSearch, type FoundSighting } from './searchCase';
import { chooseSightingThumbnail, sightingThumbnail } from './sightingThumbnail';
import { mergeSightings, type Sighting } from './sightings';
import { jpegFromRgb } from './thumbnail';

const root = mkdtempSync(join(tmpdir(), 'fastpr-thumbchoice-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const S = 2;
const M = 4;
const FRAMES = 12;
const TW = 16;
const TH = 12;

function header(thumbIntervalS: number): IndexHeader {
  return {
    dtype: 'float16', complete: false, everyFrame: false, grid: S, featureWidth: M, samplingFps: 5, frameWidth: 640, frameHeight: 480, inputSize: 32,
    frameCount: 0, transform: { scaleX: 0.05, scaleY: 0.05, offsetX: 0, offsetY: 4, inputWidth: 32, inputHeight: 32, flip: false },
    modelHash: 'm'.repeat(64), videoSha256: 'v'.repeat(64), thumbWidth: TW, thumbHeight: TH, inputScaling: 'ffmpeg', thumbIntervalS,
  };
}

/** Frame i's thumbnail: a flat picture whose red channel says which frame it is. */
const red = (i: number) => 20 * i + 10;
const thumbOf = (i: number) => jpegFromRgb(Uint8Array.from({ length: TW * TH * 3 }, (_, k) => (k % 3 === 0 ? red(i) : 128)), TW, TH);

function buildIndex(name: string, thumbIntervalS: number, thumbs = true): IndexFile {
  const path = join(root, name);
  const w = IndexFileWriter.create(path, header(thumbIntervalS));
  for (let i = 0; i < FRAMES; i++) w.append(i * 200_000, new Float32Array(S * S * M), thumbs ? thumbOf(i) : new Uint8Array(0));
  w.finish();
  return IndexFile.open(path);
}

/** A person walking right, 60 px per 0.2 s: a box a second old misses them entirely. */
const boxAt = (frame: number): Box => [100 + 60 * frame, 100, 150 + 60 * frame, 300];

/** One sighting over `frames` with the given score per frame (default 0.5). */
function sightingOver(frames: number[], scores: Record<number, number>): Sighting {
  const hits = frames.map((f) => ({ frame: f, timeS: (f * 200_000) / 1e6, hits: [{ confidence: scores[f] ?? 0.5, box: boxAt(f), cell: 0 }] }));
  const s = mergeSightings(hits, { linkIou: 0 });
  expect(s).toHaveLength(1);
  return s[0]!;
}

describe('a sighting thumbnail on a one-per-second index', () => {
  const idx = buildIndex('per-second.fpi', 1);

  it('the index keeps thumbnails at frames 0, 5, 10 only', () => {
    expect(Array.from({ length: FRAMES }, (_, i) => idx.hasOwnThumbnail(i))).toEqual(Array.from({ length: FRAMES }, (_, i) => i % 5 === 0));
    expect(idx.thumbnailFrame(8)).toBe(5);
  });

  it('peak frame without its own thumbnail: the track frame that has one, with that frame\'s box', () => {
    const s = sightingOver([3, 4, 5, 6, 7, 8], { 7: 0.9, 5: 0.6 });
    expect(s.peakFrame).toBe(7);
    expect(idx.hasOwnThumbnail(7)).toBe(false);
    // What used to be drawn: frame 5's picture with frame 7's box, 120 px to the right of the person.
    expect(idx.thumbnailFrame(s.peakFrame)).toBe(5);
    const c = chooseSightingThumbnail(idx, s);
    expect(c).toEqual({ frame: 5, timeS: 1.0, box: boxAt(5) });
    expect(c!.box).not.toEqual(s.peakBox);
    expect(sightingThumbnail(idx, s)!.jpeg.equals(thumbOf(5))).toBe(true);
  });

  it('several track frames with a thumbnail: the highest-scoring one', () => {
    const s = sightingOver([4, 5, 6, 7, 8, 9, 10, 11], { 8: 0.95, 5: 0.5, 10: 0.7 });
    expect(chooseSightingThumbnail(idx, s)).toEqual({ frame: 10, timeS: 2.0, box: boxAt(10) });
    // equal scores: the one nearer the peak (frame 8: frame 10 is 0.4 s away, frame 5 0.6 s)
    const tie = sightingOver([4, 5, 6, 7, 8, 9, 10, 11], { 8: 0.95, 5: 0.7, 10: 0.7 });
    expect(chooseSightingThumbnail(idx, tie)?.frame).toBe(10);
  });

  it('no track frame has a thumbnail: the one shown for the peak, with no box', () => {
    const s = sightingOver([6, 7, 8, 9], { 8: 0.9 });
    const c = sightingThumbnail(idx, s)!;
    expect(c.timeS).toBe(1.0);
    expect(c.box).toBeNull();
    expect(c.jpeg.equals(idx.thumbnail(s.peakFrame))).toBe(true);
  });

  it('peak frame with its own thumbnail: the peak frame and the peak box', () => {
    const s = sightingOver([9, 10, 11], { 10: 0.9 });
    expect(chooseSightingThumbnail(idx, s)).toEqual({ frame: 10, timeS: 2.0, box: s.peakBox });
    // an index with a thumbnail for every frame always shows the peak frame
    const every = buildIndex('every.fpi', 0);
    const moving = sightingOver([3, 4, 5, 6, 7, 8], { 7: 0.9 });
    expect(chooseSightingThumbnail(every, moving)).toEqual({ frame: 7, timeS: moving.peakS, box: moving.peakBox });
  });

  it('an index without thumbnails gives none', () => {
    const bare = buildIndex('bare.fpi', 1, false);
    expect(sightingThumbnail(bare, sightingOver([6, 7, 8], { 7: 0.9 }))).toBeUndefined();
  });

  it('records the chosen picture, its time and its box in the case database', async () => {
    const { store, cleanup } = tempStore();
    try {
      const caseId = createCase(store, 'Thumbnails').id;
      const ev = addEvidence(store, caseId, join(root, 'cam.mp4'), { sha256: 'a'.repeat(64), sizeBytes: 1 }, { width: 640, height: 480, fps: 25 });
      const found = (s: Sighting): FoundSighting => ({ ...s, evidenceId: ev.id, videoPath: ev.videoPath, indexId: 1, thumb: sightingThumbnail(idx, s) });
      const walking = sightingOver([3, 4, 5, 6, 7, 8], { 7: 0.9, 5: 0.6 });
      const noBox = sightingOver([6, 7, 8, 9], { 8: 0.8 });
      const old = { ...found(sightingOver([1, 2], { 2: 0.7 })), thumb: undefined };
      const { search } = await recordCaseSearch(store, caseId, { queryText: 'walker', codes: {}, modelHash: 'm'.repeat(64), threshold: 0.3, opts: {}, scope: 'all' },
        { found: [found(walking), found(noBox), old], framesSearched: FRAMES, exactHeadCellShare: 1, warnings: [],
          evidenceSearched: [{ evidenceId: ev.id, index: { id: 1, samplingFps: 5, frames: FRAMES, storage: 'float16' } }] }, 10);
      expect(search.evidenceSearched).toEqual([{ evidenceId: ev.id, index: { id: 1, samplingFps: 5, frames: FRAMES, storage: 'float16' } }]);
      const [a, b, c] = listSightings(store, search.id);
      expect(a).toMatchObject({ peakS: walking.peakS, peakBox: boxAt(7), thumbnailS: 1.0, thumbnailBox: boxAt(5) });
      // The stored PNG is frame 5's picture (JPEG round trip: the red channel within a few levels).
      expect(Math.abs(decodeToRgba(a!.thumbnailPng!).data[0]! - red(5))).toBeLessThan(4);
      expect(b).toMatchObject({ thumbnailS: 1.0, thumbnailBox: null });
      expect(b!.thumbnailPng).not.toBeNull();
      expect(c).toMatchObject({ thumbnailPng: null, thumbnailS: null, thumbnailBox: null });
      // and the contract's view of it
      const e = listEvidence(store, caseId)[0];
      expect(sightingSummary(a!, e, undefined)).toMatchObject({ thumbnailS: 1.0, thumbnailBox: boxAt(5), peakBox: boxAt(7) });
      expect(sightingSummary(b!, e, undefined)).toMatchObject({ thumbnailS: 1.0, thumbnailBox: null });
    } finally {
      cleanup();
    }
  });
});
