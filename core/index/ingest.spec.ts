/**
 * Ingest and search on real ffmpeg, onnxruntime and SQLite with a tiny random-init model:
 * index contents and sampled frames, broken files change nothing in the case, a partly corrupt file
 * is indexed up to the damage with a warning (also across a cancel and resume), and search works
 * from the index alone (the video may be gone). Kill, cancel and resume: ingestResume.spec.ts.
 */
import { copyFileSync, readFileSync, statSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VideoError } from '../errors';
import { OnnxRetriever } from '../infer/onnxRetriever';
import { createCase, listEvidence, type Store } from '../store/index';
import { FrameStream } from '../video/decode';
import { makeTestClip } from '../video/testClips';
import { IndexFile } from './indexFile';
import { ingestVideo } from './ingest';
import { coefficientCache } from './coefficientCache';
import { frameDetail, searchIndex } from './search';
import { searchCase } from './searchCase';
import { FRAMES, ingestFixture } from './testing/ingestFixture';

const fx = ingestFixture('fastpr-ingest-');
const { root, video, model, newStore } = fx;
afterAll(fx.cleanUp);
beforeAll(fx.setUp, 120_000);

function snapshot(store: Store): string {
  const rows = ['cases', 'evidence', 'indexes', 'searches', 'sightings', 'audit_log'].map((t) => store.db.prepare(`SELECT * FROM ${t} ORDER BY 1`).all());
  return JSON.stringify(rows);
}

describe('ingest', () => {
  it('indexes sampled frames with exact times, then finds the index again instead of rebuilding', async () => {
    const { store, caseId } = newStore('basic');
    try {
      const events: number[] = [];
      const r = await ingestVideo(store, caseId, video, model, { batchSize: 4, onProgress: (e) => events.push(e.done) });
      expect(r.outcome).toBe('built');
      expect(r.index).toMatchObject({ state: 'complete', frames: FRAMES, samplingFps: 5 });
      expect(r.evidence).toMatchObject({ state: 'indexed', width: 176, height: 144 });
      expect(events[events.length - 1]).toBe(FRAMES);
      const idx = IndexFile.open(r.index.filePath);
      expect(idx.header).toMatchObject({ complete: true, frameCount: FRAMES, grid: 4, featureWidth: 16, dtype: 'pca', formatVersion: 2, videoSha256: r.evidence.sha256, modelHash: r.index.modelHash });
      // 5/s from 25/s: the B-frames were not decoded, so each 0.2-s bin's first decoded frame, at its exact time.
      const us = (ts: ArrayLike<number>) => Array.from(ts, (t) => Math.round(t * 1e6) / 1e6);
      expect(idx.header.referenceFramesOnly).toBe(true);
      expect(Array.from(idx.timesS, (t) => Math.floor(t * 5 + 1e-6))).toEqual(Array.from({ length: FRAMES }, (_, i) => i));
      const decoded: number[] = [];
      const s = FrameStream.start(video, { fps: 5, skipNonReference: true });
      for (let f = await s.next(); f; f = await s.next()) decoded.push(f.timeS);
      expect(us(idx.timesS)).toEqual(us(decoded));
      // Decoding every frame keeps each bin's first frame instead (and says so in the header).
      const every = newStore('basic-every');
      try {
        const e = await ingestVideo(every.store, every.caseId, video, model, { batchSize: 4, skipNonReference: false });
        const eIdx = IndexFile.open(e.index.filePath);
        expect(eIdx.header.referenceFramesOnly).toBe(false);
        expect(us(eIdx.timesS)).toEqual(Array.from({ length: FRAMES }, (_, i) => Math.round(i * 0.2 * 1e6) / 1e6));
        expect(us(idx.timesS)).not.toEqual(us(eIdx.timesS));
      } finally {
        every.store.close();
      }
      expect(idx.thumbnail(3).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
      const again = await ingestVideo(store, caseId, video, model);
      expect(again.outcome).toBe('existing');
      expect(listEvidence(store, caseId)).toHaveLength(1);
    } finally {
      store.close();
    }
  }, 60_000);

  it('gives the same video in two cases two index files, so one case never overwrites the other', async () => {
    const { store, caseId } = newStore('two-cases');
    try {
      const first = await ingestVideo(store, caseId, video, model, { batchSize: 8 });
      const firstBytes = readFileSync(first.index.filePath);
      const otherCase = createCase(store, 'Case B').id;
      const second = await ingestVideo(store, otherCase, video, model, { batchSize: 8 });
      expect(second.outcome).toBe('built');
      expect(second.index.filePath).not.toBe(first.index.filePath);
      // The first case's index is untouched and still opens complete.
      expect(readFileSync(first.index.filePath).equals(firstBytes)).toBe(true);
      expect(IndexFile.open(first.index.filePath).header).toMatchObject({ complete: true, frameCount: FRAMES });
    } finally {
      store.close();
    }
  }, 60_000);

  it('a zero-byte file, a text file named .mp4 and a truncated recording fail clearly and change nothing', async () => {
    const { store, caseId } = newStore('broken');
    try {
      await ingestVideo(store, caseId, video, model);
      const before = snapshot(store);
      const empty = join(root, 'empty.mp4');
      writeFileSync(empty, '');
      const text = join(root, 'readme.mp4');
      writeFileSync(text, 'not a video\n'.repeat(100));
      const rec = join(root, 'recording.mp4');
      await makeTestClip(rec, { seconds: 2, moovAtEnd: true });
      truncateSync(rec, Math.floor(statSync(rec).size / 2));
      for (const [f, why] of [[empty, /empty/], [text, /not a video/], [rec, /incomplete|truncated/]] as const) {
        const err = await ingestVideo(store, caseId, f, model).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(VideoError);
        expect((err as Error).message).toContain(f);
        expect((err as Error).message).toMatch(why);
      }
      expect(snapshot(store)).toBe(before);
    } finally {
      store.close();
    }
  }, 60_000);

  it('indexes a file cut mid-stream up to the damage and reports a warning, stored with the index', async () => {
    const { store, caseId } = newStore('cut');
    try {
      const cut = join(root, 'cut.mp4');
      copyFileSync(video, cut);
      truncateSync(cut, Math.floor(statSync(cut).size * 0.5));
      const r = await ingestVideo(store, caseId, cut, model);
      expect(r.index.state).toBe('complete');
      expect(r.index.frames).toBeGreaterThan(5);
      expect(r.index.frames).toBeLessThan(FRAMES);
      expect(r.warnings.length).toBeGreaterThan(0);
      // Stored with the index; ingesting the file again finds it complete and reports the same warnings.
      expect(r.index.warnings).toEqual(r.warnings);
      const again = await ingestVideo(store, caseId, cut, model);
      expect(again).toMatchObject({ outcome: 'existing', warnings: r.warnings });
    } finally {
      store.close();
    }
  }, 60_000);

  it('a file damaged in two places: readable warnings, the same after a cancel and resume as in one run', async () => {
    // (Not the same index bytes: ffmpeg's error concealment with frame threads differs from run to
    // run on damaged data, also between two straight runs.)
    const damaged = join(root, 'damaged.mp4');
    const bytes = readFileSync(video);
    for (const [from, to] of [[0.3, 0.31], [0.7, 0.705]] as const) {
      for (let i = Math.floor(bytes.length * from); i < Math.floor(bytes.length * to); i += 5) bytes[i] = (bytes[i]! * 31 + 17) & 255;
    }
    writeFileSync(damaged, bytes);
    const straight = newStore('damaged-straight');
    let want: string[];
    let wantFrames: number;
    try {
      const r = await ingestVideo(straight.store, straight.caseId, damaged, model, { batchSize: 2, checkpointEvery: 1 });
      want = r.warnings;
      // A bin whose only decoded frames are spoilt may be left without a frame (B-frames are not decoded).
      wantFrames = r.index.frames;
      expect(wantFrames).toBeGreaterThanOrEqual(FRAMES - 2);
      expect(want.length).toBeGreaterThanOrEqual(1);
      for (const w of want) expect(w).toMatch(new RegExp(`^${damaged.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: damaged video data from \\d\\d:\\d\\d:\\d\\d\\.\\d{3} to about `));
      expect(r.index.warnings).toEqual(want);
    } finally {
      straight.store.close();
    }
    for (const stopAt of [4, 14, 30]) {
      const { store, caseId } = newStore(`damaged-${stopAt}`);
      try {
        const ac = new AbortController();
        await ingestVideo(store, caseId, damaged, model, {
          batchSize: 2, checkpointEvery: 1, signal: ac.signal, onProgress: (e) => { if (e.state === 'running' && e.done >= stopAt) ac.abort(); },
        }).catch((e: unknown) => expect((e as Error).name).toBe('CancelledError'));
        const r = await ingestVideo(store, caseId, damaged, model, { batchSize: 2, checkpointEvery: 1 });
        expect(r.outcome).toBe('resumed');
        expect({ stopAt, warnings: r.warnings }).toEqual({ stopAt, warnings: want });
        expect(r.index.frames).toBe(wantFrames);
      } finally {
        store.close();
      }
    }
  }, 90_000);

  it('pca storage (the default): the head folded on the coefficients answers as head.onnx on the reconstructed features', async () => {
    const { store, caseId } = newStore('pca');
    try {
      const r = await ingestVideo(store, caseId, video, model, { batchSize: 4 });
      const idx = IndexFile.open(r.index.filePath);
      expect(idx.header.dtype).toBe('pca');
      expect(idx.pcaBasis).not.toBeNull();
      for (let i = 0; i < idx.frameCount; i++) expect(idx.thumbnail(i).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
      expect(idx.storage().thumbnails).toBe(Math.ceil(FRAMES / 5)); // one per second
      const retriever = await OnnxRetriever.open(model, { batchSize: 64 });
      try {
        for (const codes of [{ gender: 1 }, { gender: 0, torsoColour: 3, hair: 1 }]) {
          const fo = await searchIndex(idx, retriever, codes, { threshold: 0.3, exhaustive: true });
          const ex = await searchIndex(idx, retriever, codes, { threshold: 0.3, head: 'exported' });
          expect(fo.foldedHead).toBe(true);
          expect(fo.prefilter).toBe(false);
          expect(ex.foldedHead).toBe(false);
          for (let i = 0; i < FRAMES; i++) expect(Math.abs(fo.bestConfidence[i]! - ex.bestConfidence[i]!)).toBeLessThan(1e-5);
          expect(fo.frames.map((f) => f.hits.map((h) => h.cell))).toEqual(ex.frames.map((f) => f.hits.map((h) => h.cell)));
          // Batches after the first read the coefficient cache in place (views, no copy): the same
          // answers as batches copied or decoded into the input buffers (no cache).
          const budget = coefficientCache.budgetBytes;
          try {
            coefficientCache.clear();
            coefficientCache.budgetBytes = 0;
            const copied = await searchIndex(idx, retriever, codes, { threshold: 0.3, exhaustive: true, batchSize: 4 });
            coefficientCache.budgetBytes = budget;
            const viewed = await searchIndex(idx, retriever, codes, { threshold: 0.3, exhaustive: true, batchSize: 4 });
            expect(coefficientCache.usedBytes).toBeGreaterThan(0);
            expect(Array.from(viewed.bestConfidence)).toEqual(Array.from(copied.bestConfidence));
            expect(viewed.frames).toEqual(copied.frames);
          } finally {
            coefficientCache.budgetBytes = budget;
          }
          const d = await frameDetail(idx, retriever, codes, 9);
          expect(d.best.confidence).toBeCloseTo(fo.bestConfidence[9]!, 5);
          // The prefilter (default): every cell it evaluates has the exhaustive confidence; here it keeps every hit.
          const pf = await searchIndex(idx, retriever, codes, { threshold: 0.3 });
          expect(pf.prefilter).toBe(true);
          let evaluated = 0;
          for (let i = 0; i < FRAMES; i++) {
            if (Number.isNaN(pf.bestConfidence[i]!)) { expect(fo.bestConfidence[i]!).toBeLessThan(0.3); continue; }
            evaluated++;
            expect(pf.bestConfidence[i]!).toBeLessThanOrEqual(fo.bestConfidence[i]! + 1e-5);
          }
          expect(evaluated).toBeGreaterThan(0);
          expect(pf.frames.map((f) => [f.frame, f.hits.map((h) => h.cell)])).toEqual(fo.frames.map((f) => [f.frame, f.hits.map((h) => h.cell)]));
          // Its hits' confidences and boxes (the box layers run apart, for hits only) are the exhaustive search's.
          const flat = (r: typeof pf) => r.frames.flatMap((f) => f.hits.flatMap((h) => [h.confidence, ...h.box]));
          const [a, b] = [flat(pf), flat(fo)];
          expect(a.length).toBe(b.length);
          a.forEach((v, i) => expect(Math.abs(v - b[i]!)).toBeLessThan(1e-3));
        }
      } finally {
        await retriever.dispose();
      }
    } finally {
      store.close();
    }
  }, 60_000);

  it('keeps at most headCacheLimit per-query heads: older queries\' sessions are disposed, their searches give the same answers when asked again', async () => {
    const { store, caseId } = newStore('head-cache');
    try {
      const idx = IndexFile.open((await ingestVideo(store, caseId, video, model, { batchSize: 4 })).index.filePath);
      const bounded = await OnnxRetriever.open(model, { batchSize: 64, headCacheLimit: 2 });
      const roomy = await OnnxRetriever.open(model, { batchSize: 64 });
      try {
        const queries = [{ gender: 1 }, { torsoColour: 3 }, { legColour: 2, hair: 1 }, { luggage: 1 }, { gender: 1 }];
        const hits = (r: Awaited<ReturnType<typeof searchIndex>>) => r.frames.map((f) => [f.frame, f.hits.map((h) => [h.cell, h.confidence])]);
        for (const codes of queries) {
          const got = await searchIndex(idx, bounded, codes, { threshold: 0.3 });
          const want = await searchIndex(idx, roomy, codes, { threshold: 0.3 });
          expect(got.foldedHead).toBe(true);
          expect(got.prefilter).toBe(true);
          expect(hits(got)).toEqual(hits(want));
          const held = bounded.cachedHeads;
          expect(held.folded).toBeLessThanOrEqual(2);
          expect(held.prefilters).toBeLessThanOrEqual(2);
          expect(held.pendingDisposal).toBe(0);
        }
        expect(bounded.cachedHeads).toEqual({ folded: 2, prefilters: 2, pendingDisposal: 0 });
        expect(roomy.cachedHeads).toMatchObject({ folded: 4, prefilters: 4 });
        // Two searches at once, each evicting the other's heads: both finish with the right answers.
        const [x, y] = await Promise.all([searchIndex(idx, bounded, queries[1]!, { threshold: 0.3 }), searchIndex(idx, bounded, queries[2]!, { threshold: 0.3 })]);
        expect(hits(x)).toEqual(hits(await searchIndex(idx, roomy, queries[1]!, { threshold: 0.3 })));
        expect(hits(y)).toEqual(hits(await searchIndex(idx, roomy, queries[2]!, { threshold: 0.3 })));
        expect(bounded.cachedHeads.pendingDisposal).toBe(0);
      } finally {
        await bounded.dispose();
        await roomy.dispose();
      }
    } finally {
      store.close();
    }
  }, 60_000);

  it('searches from the index alone: sightings, coarse-to-fine subset, per-frame detail', async () => {
    const { store, caseId } = newStore('search');
    const moved = join(root, 'moved.mp4');
    copyFileSync(video, moved);
    try {
      const r = await ingestVideo(store, caseId, moved, model, { dtype: 'int8' });
      unlinkSync(moved); // the encoder and the video are not needed any more
      const idx = IndexFile.open(r.index.filePath);
      expect(idx.header.dtype).toBe('int8');
      const retriever = await OnnxRetriever.open(model, { batchSize: 64 });
      try {
        const all = await searchIndex(idx, retriever, { gender: 1 }, { threshold: 0 });
        expect(all.framesQueried).toBe(FRAMES);
        expect(all.frames).toHaveLength(FRAMES);
        expect(all.sightings.length).toBeGreaterThan(0);
        const total = all.sightings.reduce((n, s) => n + s.track.length, 0);
        expect(total).toBe(all.frames.reduce((n, f) => n + f.hits.length, 0));
        for (const s of all.sightings) {
          expect(s.endS).toBeGreaterThanOrEqual(s.startS);
          for (const p of s.track) expect(p.box[2]).toBeLessThanOrEqual(176);
        }
        const coarse = await searchIndex(idx, retriever, { gender: 1 }, { threshold: 0, coarseStride: 4 });
        expect(coarse.framesQueried).toBeLessThanOrEqual(FRAMES + FRAMES / 4);
        const none = await searchIndex(idx, retriever, { gender: 1 }, { threshold: 1.01 });
        expect(none.sightings).toEqual([]);
        const d = await frameDetail(idx, retriever, { gender: 1 }, 7, { topK: 3, attention: true });
        expect(d.topK).toHaveLength(3);
        expect(d.timeS).toBe(idx.timesS[7]);
        expect(Math.floor(d.timeS * 5 + 1e-6)).toBe(7); // the 8th 0.2-s bin's first decoded frame
        expect(d.best.confidence).toBeCloseTo(all.bestConfidence[7]!, 5);
      } finally {
        await retriever.dispose();
      }
      const cs = await searchCase(store, caseId, 'woman in a red top', model, { threshold: 0 });
      expect(cs.sightings.length).toBeGreaterThan(0);
      expect(cs.sightings[0]!.id).toBeGreaterThan(0);
      expect(store.db.prepare('SELECT COUNT(*) AS n FROM sightings WHERE thumbnail_png IS NOT NULL').get()).toEqual({ n: cs.sightings.length });
      // An index whose header names another video than its evidence row is refused, not searched.
      const searchesBefore = store.db.prepare('SELECT COUNT(*) AS n FROM searches').get();
      const sha = (store.db.prepare('SELECT sha256 FROM evidence WHERE case_id = ?').get(caseId) as { sha256: string }).sha256;
      store.db.prepare('UPDATE evidence SET sha256 = ? WHERE case_id = ?').run('0'.repeat(64), caseId);
      await expect(searchCase(store, caseId, 'woman in a red top', model, { threshold: 0 })).rejects.toThrow(/index belongs to another video than evidence #\d+/);
      store.db.prepare('UPDATE evidence SET sha256 = ? WHERE case_id = ?').run(sha, caseId);
      expect(store.db.prepare('SELECT COUNT(*) AS n FROM searches').get()).toEqual(searchesBefore);
    } finally {
      store.close();
    }
  }, 60_000);
});
