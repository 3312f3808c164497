/**
 * The query-folded head against the exported head.onnx on real onnxruntime with a random-init
 * tiny model: same confidences and boxes for queries with one, several and all slots stated; no
 * folded head for a query that states nothing (the exported head answers it).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SLOT_TOKEN_OFFSETS } from '../attributes/schema';
import { makeRandomOnnxModel } from '../index/testing/randomModel';
import { readGraphFile, readOnnxManifest } from '../onnx/export/manifest';
import { fitBasis } from '../index/pcaCodec';
import { activeSlots, FOLDED_RUN_FRAMES, FoldedHead, projectionToFeatures, readHeadWeights } from './foldedHead';
import { OnnxRetriever, queryTokens } from './onnxRetriever';
import { PrefilterHead } from './prefilterHead';

const root = mkdtempSync(join(tmpdir(), 'fastpr-folded-'));
const model = join(root, 'model');
let retriever: OnnxRetriever;
beforeAll(async () => {
  await makeRandomOnnxModel(model, 'tiny');
  retriever = await OnnxRetriever.open(model, { batchSize: 64 });
}, 120_000);
afterAll(async () => {
  await retriever?.dispose();
  rmSync(root, { recursive: true, force: true });
});

/** ReLU-like features (I_en is non-negative), deterministic. */
function features(n: number): Float32Array {
  const per = retriever.grid * retriever.grid * retriever.manifest.featureWidth;
  let s = 12345;
  return Float32Array.from({ length: n * per }, () => { s = (s * 1103515245 + 12345) >>> 0; return Math.max(0, (s / 2 ** 32) * 3 - 1); });
}

/** A basis fitted on cell vectors x [count, M] and their coefficients [count, d] (exact projection of the centred vectors, no quantisation). */
function pcaCoefficients(x: Float32Array, count: number, M: number, d: number): { b: ReturnType<typeof fitBasis>; y: Float32Array } {
  const b = fitBasis(x, count, M, d, 0.01);
  const y = new Float32Array(count * d);
  for (let c = 0; c < count; c++) for (let j = 0; j < d; j++) {
    let s = 0;
    for (let k = 0; k < M; k++) s += (x[c * M + k]! - b.mean[k]!) * b.basis[j * M + k]!;
    y[c * d + j] = s;
  }
  return { b, y };
}

describe('folded head', () => {
  it('reads the exported head and gives its confidences and boxes', async () => {
    const m = readOnnxManifest(model);
    const h = readHeadWeights(readGraphFile(model, m.head));
    expect(h).not.toBeNull();
    expect(h).toMatchObject({ T: m.slots, S: m.grid, M: m.featureWidth, masked: true });
    const n = 20;
    const x = features(n);
    for (const codes of [{ gender: 1 }, { gender: 0, torsoColour: 3, hair: 1 }]) {
      const tokens = queryTokens(codes);
      const f = await FoldedHead.create(h!, tokens, { label: 'head' });
      expect(f?.activeSlots).toBe(Object.keys(codes).length);
      const got = await f!.run(x, n, m.grid, m.featureWidth);
      const ref = await retriever.queryFeatures(x, n, tokens);
      expect(got.confidence.length).toBe(ref.confidence.length);
      for (let i = 0; i < ref.confidence.length; i++) expect(Math.abs(got.confidence[i]! - ref.confidence[i]!)).toBeLessThan(1e-5);
      for (let i = 0; i < ref.boxes.length; i++) expect(Math.abs(got.boxes[i]! - ref.boxes[i]!)).toBeLessThan(1e-5);
      await f!.dispose();
    }
    // Every slot stated (token 1 of each slot).
    const all = SLOT_TOKEN_OFFSETS.slice(0, m.slots).map((o) => o + 1);
    expect(activeSlots(h!, all)).toHaveLength(m.slots);
    const f = await FoldedHead.create(h!, all, { label: 'head' });
    const got = await f!.run(x, n, m.grid, m.featureWidth);
    const ref = await retriever.queryFeatures(x, n, all);
    for (let i = 0; i < ref.confidence.length; i++) expect(Math.abs(got.confidence[i]! - ref.confidence[i]!)).toBeLessThan(1e-5);
    await f!.dispose();
  }, 60_000);

  it('runs more frames than one run takes in several runs, with the outputs of one', async () => {
    const m = readOnnxManifest(model);
    const h = readHeadWeights(readGraphFile(model, m.head))!;
    const n = 2 * FOLDED_RUN_FRAMES + 13;
    const x = features(n);
    const f = (await FoldedHead.create(h, queryTokens({ gender: 0, torsoColour: 3 }), { label: 'head' }))!;
    try {
      const whole = await f.run(x, n, m.grid, m.featureWidth);
      const cells = m.grid * m.grid;
      expect(whole.confidence.length).toBe(n * cells);
      expect(whole.boxes.length).toBe(n * cells * 4);
      // Frame by frame: each frame's outputs land at its own place in the joined arrays.
      for (const frame of [0, FOLDED_RUN_FRAMES - 1, FOLDED_RUN_FRAMES, n - 1]) {
        const per = cells * m.featureWidth;
        const one = await f.run(x.subarray(frame * per, (frame + 1) * per), 1, m.grid, m.featureWidth);
        for (let c = 0; c < cells; c++) expect(Math.abs(whole.confidence[frame * cells + c]! - one.confidence[c]!)).toBeLessThan(1e-6);
        for (let i = 0; i < cells * 4; i++) expect(Math.abs(whole.boxes[frame * cells * 4 + i]! - one.boxes[i]!)).toBeLessThan(1e-6);
      }
    } finally {
      await f.dispose();
    }
  }, 60_000);

  it('has no folded head for a query that states nothing, and caches the verified one per query', async () => {
    const x = features(4);
    expect(await retriever.foldedHeadFor(queryTokens({}), x, 4)).toBeNull();
    const a = await retriever.foldedHeadFor(queryTokens({ gender: 1 }), x, 4);
    expect(a).not.toBeNull();
    expect(await retriever.foldedHeadFor(queryTokens({ gender: 1 }), x, 4)).toBe(a);
  }, 60_000);

  it('folded with a pca basis, takes coefficients and gives the exported head’s outputs on the reconstructed features', async () => {
    const m = readOnnxManifest(model);
    const h = readHeadWeights(readGraphFile(model, m.head))!;
    const n = 12;
    const cells = m.grid * m.grid;
    const M = m.featureWidth;
    const x = features(n);
    for (const d of [M, 5]) {
      const { b, y } = pcaCoefficients(x, n * cells, M, d);
      const rec = projectionToFeatures({ d, mean: b.mean, basis: b.basis }, y, n * cells);
      if (d === M) for (let i = 0; i < x.length; i++) expect(Math.abs(rec[i]! - x[i]!)).toBeLessThan(1e-4); // full basis: lossless
      for (const codes of [{ gender: 1 }, { gender: 0, torsoColour: 3, hair: 1 }]) {
        const tokens = queryTokens(codes);
        const f = await FoldedHead.create(h, tokens, { label: 'head', projection: { d, mean: b.mean, basis: b.basis } });
        const got = await f!.run(y, n, m.grid, d);
        const ref = await retriever.queryFeatures(rec, n, tokens);
        for (let i = 0; i < ref.confidence.length; i++) expect(Math.abs(got.confidence[i]! - ref.confidence[i]!)).toBeLessThan(1e-5);
        for (let i = 0; i < ref.boxes.length; i++) expect(Math.abs(got.boxes[i]! - ref.boxes[i]!)).toBeLessThan(1e-5);
        await f!.dispose();
        // the verified one through the retriever (cached per query and basis)
        const v = await retriever.foldedHeadFor(tokens, y, n, { d, mean: b.mean, basis: b.basis, key: `basis-${d}` });
        expect(v).not.toBeNull();
        expect(await retriever.foldedHeadFor(tokens, y, n, { d, mean: b.mean, basis: b.basis, key: `basis-${d}` })).toBe(v);
      }
    }
  }, 60_000);

  it('the prefilter gives the same fit and cells when its exact head runs in many small runs', async () => {
    const m = readOnnxManifest(model);
    const h = readHeadWeights(readGraphFile(model, m.head))!;
    const n = 64, cells = m.grid * m.grid, M = m.featureWidth, d = 6;
    const x = features(n);
    const { b, y } = pcaCoefficients(x, n * cells, M, d);
    const tokens = queryTokens({ gender: 0, torsoColour: 3, hair: 1 });
    const proj = { d, mean: b.mean, basis: b.basis };
    const whole = (await PrefilterHead.create(h, tokens, proj, { label: 'head' }))!;
    const pieces = (await PrefilterHead.create(h, tokens, proj, { label: 'head', cellsRunRows: 37 }))!;
    try {
      const a = await whole.fit(y, n, 0.3);
      const c = await pieces.fit(y, n, 0.3); // 1,024 rows in 28 runs
      const maxDiff = (p: Float32Array, q: Float32Array) => { expect(p.length).toBe(q.length); let w = 0; for (let i = 0; i < p.length; i++) w = Math.max(w, Math.abs(p[i]! - q[i]!)); return w; };
      expect(maxDiff(c.confidence, a.confidence)).toBeLessThan(1e-6);
      expect(maxDiff(c.boxes, a.boxes)).toBeLessThan(1e-6);
      expect(pieces.cut).toBeCloseTo(whole.cut, 5);
      expect(pieces.margin).toBeCloseTo(whole.margin, 5);
      const ra = await whole.run(y, n), rc = await pieces.run(y, n);
      expect(ra.cells.length).toBeGreaterThan(37);
      expect(Array.from(rc.cells)).toEqual(Array.from(ra.cells));
      expect(maxDiff(rc.confidence, ra.confidence)).toBeLessThan(1e-6);
    } finally {
      await whole.dispose();
      await pieces.dispose();
    }
  }, 60_000);

  it('refuses a graph it does not know', () => {
    expect(readHeadWeights(readGraphFile(model, readOnnxManifest(model).encoder))).toBeNull();
  });
});
