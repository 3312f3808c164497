/**
 * Hysteresis in a real search (index file, onnxruntime head, exhaustive and prefiltered scoring):
 * hits down to half the threshold extend sightings that reach it, and change nothing at the threshold.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { OnnxRetriever } from '../infer/onnxRetriever';
import { IndexFile } from './indexFile';
import { ingestVideo } from './ingest';
import { searchIndex } from './search';
import { ingestFixture } from './testing/ingestFixture';

const fx = ingestFixture('fastpr-hysteresis-');
const { video, model, newStore } = fx;
afterAll(fx.cleanUp);
beforeAll(fx.setUp, 120_000);

it('hysteresis: hits down to half the threshold extend sightings that reach it; the prefilter keeps every hit at the threshold', async () => {
  const { store, caseId } = newStore('hysteresis');
  try {
    const idx = IndexFile.open((await ingestVideo(store, caseId, video, model, { batchSize: 4 })).index.filePath);
    const retriever = await OnnxRetriever.open(model, { batchSize: 64 });
    try {
      let weakLinked = 0;
      for (const codes of [{ gender: 1 }, { gender: 0, torsoColour: 3, hair: 1 }]) {
        const t = 0.3;
        const plain = await searchIndex(idx, retriever, codes, { threshold: t, extendConfidence: t, exhaustive: true });
        const hyst = await searchIndex(idx, retriever, codes, { threshold: t, exhaustive: true }); // extend ≥ 0.15
        const cellsAt = (r: typeof plain, lo: number) => r.frames.map((f) => [f.frame, f.hits.filter((h) => h.confidence >= lo).map((h) => h.cell)]).filter(([, c]) => (c as number[]).length);
        // Extending only adds weaker hits: those at the threshold are the same (NMS keeps stronger cells first).
        expect(cellsAt(hyst, t)).toEqual(cellsAt(plain, t));
        for (const f of hyst.frames) for (const h of f.hits) expect(h.confidence).toBeGreaterThanOrEqual(0.15);
        for (const r of [plain, hyst]) for (const s of r.sightings) expect(s.score).toBeGreaterThanOrEqual(t);
        weakLinked += hyst.sightings.reduce((n, s) => n + s.track.filter((p) => p.score < t).length, 0);
        expect(plain.sightings.flatMap((s) => s.track).every((p) => p.score >= t)).toBe(true);
        // The default search (prefilter): the same hits at the threshold; weak hits only among the cells it picked.
        const pf = await searchIndex(idx, retriever, codes, { threshold: t });
        expect(pf.prefilter).toBe(true);
        expect(cellsAt(pf, t)).toEqual(cellsAt(plain, t));
        const weak = new Set(hyst.frames.flatMap((f) => f.hits.map((h) => `${f.frame}:${h.cell}`)));
        for (const f of pf.frames) for (const h of f.hits) expect(weak.has(`${f.frame}:${h.cell}`) || h.confidence >= t).toBe(true);
      }
      expect(weakLinked).toBeGreaterThan(0); // some sighting did grow through a weaker hit
    } finally {
      await retriever.dispose();
    }
  } finally {
    store.close();
  }
}, 60_000);
