/**
 * FastPR through onnxruntime as an Evaluator: a tiny random-weight model exported to ONNX scores a
 * tiny on-disk dataset; every query gets a prediction with top-k boxes inside its frame, and the
 * answers equal OnnxRetriever's own per-frame predictions.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBlocksDataset } from '../baseline/testData';
import { readDataset } from '../dataset/reader';
import { loadImageFrames } from '../infer/frames';
import { OnnxRetriever } from '../infer/onnxRetriever';
import { tinyConfig } from '../model/config';
import { createModel } from '../model/fastpr';
import { saveModelDir } from '../model/modelDir';
import { exportModelDir } from '../onnx/export/exportModel';
import { initBackend } from '../tf/backend';
import { evaluateDataset, toEvalFrame } from './evaluateDataset';
import { FastprOnnxEvaluator } from './fastprOnnx';
import { openEvaluator } from './openEvaluator';

const root = mkdtempSync(join(tmpdir(), 'fastpr-evalonnx-'));
const modelDir = join(root, 'model');
const dataDir = join(root, 'data');
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeAll(async () => {
  await initBackend({ purpose: 'infer' });
  saveModelDir(modelDir, createModel(tinyConfig(), 5));
  await exportModelDir(modelDir);
  await writeBlocksDataset(dataDir, 8);
});

describe('FastPR ONNX evaluator', () => {
  it('answers every query with top-k boxes in frame pixels, matching OnnxRetriever', async () => {
    const evaluator = await openEvaluator(modelDir, { threads: 1 });
    expect(evaluator).toBeInstanceOf(FastprOnnxEvaluator);
    const dataset = readDataset(dataDir);
    try {
      const report = await evaluateDataset(dataset, 'test', evaluator, { batchSize: 3 });
      expect(report.counts).toMatchObject({ queries: 4, missingPredictions: 0 });
      expect(report.paper!.anyMatch).toHaveLength(6);

      const f = dataset.frames.find((x) => x.sequence === 's3')!;
      const q = f.queries[0]!;
      const [mine] = await evaluator.predict([toEvalFrame(dataset, f)], [{ frameId: f.id, queryIndex: 0, attributes: q.attributes }]);
      expect(mine!.candidates).toHaveLength(10);
      for (const c of mine!.candidates) {
        expect(c.box[0]).toBeGreaterThanOrEqual(0);
        expect(c.box[2]).toBeLessThanOrEqual(f.width);
        expect(c.box[3]).toBeLessThanOrEqual(f.height);
      }
      const r = await OnnxRetriever.open(modelDir, { threads: 1 });
      try {
        const [theirs] = await r.predict(await loadImageFrames([join(dataDir, f.image)]), q.attributes, { topK: 10 });
        expect(mine!.absent).toBe(!theirs!.present);
        expect(mine!.candidates.map((c) => c.box)).toEqual(theirs!.topK.map((h) => h.box));
      } finally {
        await r.dispose();
      }
    } finally {
      await evaluator.dispose?.();
    }
  });
});
