/**
 * Video search with the model's crop-colour re-ranker (core/rerank), end to end on real parts: a
 * test clip ingested into a SQLite case with a tiny random model whose directory has a
 * reranker.json. The best sightings come back in the order their peak frames' colours give —
 * recomputed here from frames ffmpeg decodes independently — the search record names the
 * re-ranker, `rerank: false` keeps the model's order, a video that has gone missing or changed size
 * since import leaves the model's order with a warning, and a malformed reranker.json fails the search by name with nothing
 * recorded.
 */
import { appendFileSync, renameSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelError } from '../errors';
import { Rng } from '../model/rng';
import { boxDescriptor, DESCRIPTOR_LENGTH } from '../rerank/descriptor';
import { RERANKER_FILE, writeReranker } from '../rerank/file';
import { fitCropAttributeReader } from '../rerank/fit';
import { queryLogLikelihood } from '../rerank/reader';
import { DEFAULT_SIGHTING_RERANK_TOP } from '../rerank/sightings';
import { listSearches } from '../store/index';
import { videoFrameRgb } from '../video/export';
import { ingestVideo } from './ingest';
import { searchCase } from './searchCase';
import { ingestFixture } from './testing/ingestFixture';

const fx = ingestFixture('fastpr-searchrerank-');
let store: ReturnType<typeof fx.newStore>;
const QUERY = 'torsoColour=red legColour=blue';
beforeAll(async () => {
  await fx.setUp();
  store = fx.newStore('store');
  await ingestVideo(store.store, store.caseId, fx.video, fx.model, { batchSize: 4 });
  // Any valid reader will do: fitted on random descriptors, it gives boxes different likelihoods.
  const rng = new Rng(5);
  const samples = Array.from({ length: 200 }, () => ({
    descriptor: Float32Array.from({ length: DESCRIPTOR_LENGTH }, () => rng.next()),
    attributes: { torsoColour: rng.int(12), legColour: rng.int(12) },
  }));
  writeReranker(fx.model, { reader: await fitCropAttributeReader(samples, { steps: 50, batchSize: 32 }), alpha: 1, pool: 20, provenance: {} });
}, 120_000);
afterAll(() => { store?.store.close(); fx.cleanUp(); });

describe('video search with a crop-colour re-ranker', () => {
  it('re-ranks the best sightings by their peak frames\' colours and records the re-ranker', async () => {
    // Threshold 0: the random model's every track is a sighting, so there are many to reorder.
    const plain = await searchCase(store.store, store.caseId, QUERY, fx.model, { threshold: 0, rerank: false });
    const ranked = await searchCase(store.store, store.caseId, QUERY, fx.model, { threshold: 0 });
    expect(plain.sightings.length).toBeGreaterThan(3);
    expect(plain.evidenceSearched[0]!.index!.reranker).toBeUndefined();
    const rec = ranked.evidenceSearched[0]!.index!.reranker!;
    expect(rec).toMatchObject({ alpha: 1, top: DEFAULT_SIGHTING_RERANK_TOP });
    expect(rec.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(listSearches(store.store, store.caseId).at(-1)!.evidenceSearched![0]!.index!.reranker).toEqual(rec);
    expect(ranked.warnings).toEqual([]);

    // The expected order, from the model's order and frames decoded here.
    const { readReranker } = await import('../rerank/file');
    const reader = readReranker(fx.model)!.reader;
    const key = async (s: (typeof plain.sightings)[number]) => {
      const frame = await videoFrameRgb(fx.video, s.peakS, 176, 144);
      const ll = queryLogLikelihood(reader, boxDescriptor(frame, s.peakBox, reader.descriptorVersion), { torsoColour: 8, legColour: 1 });
      const q = Math.min(Math.max(s.support, 1e-7), 1 - 1e-7);
      return Math.log(q / (1 - q)) + ll;
    };
    const top = plain.sightings.slice(0, DEFAULT_SIGHTING_RERANK_TOP);
    const keys = await Promise.all(top.map(key));
    const expected = top.map((s, i) => ({ s, k: keys[i]!, i })).sort((a, b) => b.k - a.k || a.i - b.i).map(({ s }) => [s.startS, s.peakS, s.peakBox.join()]);
    // The colours do reorder them here (else this test could not tell re-ranking from none).
    expect(expected).not.toEqual(top.map((s) => [s.startS, s.peakS, s.peakBox.join()]));
    expect(ranked.sightings.slice(0, top.length).map((s) => [s.startS, s.peakS, s.peakBox.join()])).toEqual(expected);
    expect(ranked.sightings.slice(top.length).map((s) => s.peakS)).toEqual(plain.sightings.slice(top.length).map((s) => s.peakS));
  }, 120_000);

  it('keeps the model\'s order with a warning when the video is gone, and refuses a malformed reranker.json', async () => {
    const plain = await searchCase(store.store, store.caseId, QUERY, fx.model, { threshold: 0, rerank: false });
    const moved = `${fx.video}.moved`;
    renameSync(fx.video, moved);
    try {
      const r = await searchCase(store.store, store.caseId, QUERY, fx.model, { threshold: 0 });
      expect(r.sightings.map((s) => s.peakS)).toEqual(plain.sightings.map((s) => s.peakS));
      expect(r.warnings).toHaveLength(1);
      expect(r.warnings[0]).toContain('not re-ranked by colour');
      expect(r.warnings[0]).toContain(fx.video);
      expect(r.evidenceSearched[0]!.index!.reranker).toBeUndefined();
    } finally {
      renameSync(moved, fx.video);
    }
    // A video whose size changed since import is not read: the model's order, and a warning that says why.
    appendFileSync(fx.video, Buffer.alloc(7));
    try {
      const r = await searchCase(store.store, store.caseId, QUERY, fx.model, { threshold: 0 });
      expect(r.sightings.map((s) => s.peakS)).toEqual(plain.sightings.map((s) => s.peakS));
      expect(r.warnings[0]).toMatch(/the file changed since import \(\d+ → \d+ bytes\)/);
    } finally {
      truncateSync(fx.video, statSync(fx.video).size - 7);
    }
    const file = join(fx.model, RERANKER_FILE);
    writeFileSync(file, '{"format":"fastpr-crop-reranker","version":1,"descriptor":{"version":1,"length":268},"alpha":1,"pool":20,"classifiers":[{"key":"torsoColour","classes":12,"weights":[1]}]}');
    const before = listSearches(store.store, store.caseId).length;
    const err = await searchCase(store.store, store.caseId, QUERY, fx.model, { threshold: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toMatch(/1 weights, expected 3228/);
    expect(listSearches(store.store, store.caseId)).toHaveLength(before);
  }, 120_000);
});
