/**
 * The whole baseline on a tiny on-disk dataset: PNG frames with flat-coloured "people" (torso
 * colour on top, leg colour below), train both stages a few steps, save, load, evaluate.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLOURS } from '../attributes/schema';
import { readDataset } from '../dataset/reader';
import { evaluateDataset } from '../eval/evaluateDataset';
import { initBackend } from '../tf/backend';
import { defaultBaselineConfig } from './config';
import { classifierMacs, detectorMacs } from './macs';
import { createBaseline, disposeBaseline, isBaselineDir, loadBaseline, saveBaseline } from './modelDir';
import { BaselinePredictor } from './predictor';
import { trainBaseline } from './train';
import { writeBlocksDataset } from './testData';

const root = mkdtempSync(join(tmpdir(), 'fastpr-baseline-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeAll(async () => { await initBackend({ purpose: 'train' }); });

describe('two-stage baseline pipeline', () => {
  it('trains, saves, loads and evaluates end to end', async () => {
    const data = join(root, 'data');
    await writeBlocksDataset(data, 24);
    const config = defaultBaselineConfig({
      detector: { inputSize: 64, layers: [{ out: 8, stride: 2, k: 3 }, { out: 16, stride: 2, k: 3 }, { out: 16, stride: 2, k: 3 }], scoreThreshold: 0.2, nmsIoU: 0.45, maxDetections: 10, boxLossWeight: 5 },
      classifier: { cropSize: [16, 8], layers: [{ out: 8, stride: 2, k: 3 }, { out: 16, stride: 2, k: 3 }], hidden: 16, jitter: 0.05 },
    });
    const model = createBaseline(config);
    const dataset = readDataset(data);
    const result = await trainBaseline(dataset, config, model.detector, model.classifier, {
      detectorSteps: 30, classifierSteps: 30, detectorBatch: 4, classifierBatch: 16, learningRate: 3e-3,
    });
    const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;
    expect(mean(result.detectorLosses.slice(-6))).toBeLessThan(mean(result.detectorLosses.slice(0, 3)));
    expect(mean(result.classifierLosses.slice(-6))).toBeLessThan(mean(result.classifierLosses.slice(0, 3)));
    expect(result.slotAccuracy).toHaveLength(16);
    expect(result.slotAccuracy[6]).toBeGreaterThanOrEqual(0); // torso colour is labelled
    expect(Number.isNaN(result.slotAccuracy[0])).toBe(true); // age never is

    const dir = join(root, 'model');
    saveBaseline(dir, { ...model, config: { ...config, training: { steps: 60 } } });
    expect(isBaselineDir(dir)).toBe(true);
    const loaded = loadBaseline(dir);
    expect(loaded.config.training).toEqual({ steps: 60 });
    for (const [name, v] of model.detector) expect(Array.from(loaded.detector.get(name)!.dataSync())).toEqual(Array.from(v.dataSync()));

    const report = await evaluateDataset(dataset, 'test', new BaselinePredictor(loaded), { batchSize: 4 });
    expect(report.counts).toMatchObject({ queries: 12, presentQueries: 6, absentQueries: 6, missingPredictions: 0 });
    expect(report.paper!.anyMatch).toHaveLength(6);
    expect(report.avss!.sequences.map((s) => s.sequence)).toEqual(['s3']);
    disposeBaseline(model);
    disposeBaseline(loaded);
    expect(detectorMacs(config.detector)).toBeGreaterThan(classifierMacs(config.classifier));
    expect(COLOURS[8]).toBe('red');
  });
});
