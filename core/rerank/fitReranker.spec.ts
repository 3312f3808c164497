/**
 * `fastpr fit-reranker` then `fastpr eval` through the real CLI entry point: a tiny random-weight
 * model exported to ONNX and a block-people dataset with a validation split. The re-ranker is fitted
 * and written with its α sweep; eval names it and leaves the absent decision as it was; --rerank off
 * and a malformed reranker.json behave as documented.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBlocksDataset } from '../baseline/testData';
import { lastJson, runCli } from '../cli/testing/runCli';
import { makeRandomOnnxModel } from '../index/testing/randomModel';
import { CROP_NET_FILE } from './cropNet';
import { ALPHA_GRID, CROP_WEIGHT_GRID } from './fitReranker';
import { RERANKER_FILE } from './file';

const root = mkdtempSync(join(tmpdir(), 'fastpr-fitrerank-'));
const modelDir = join(root, 'model');
const dataDir = join(root, 'data');
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeAll(async () => {
  await makeRandomOnnxModel(modelDir, 'tiny', 5);
  await writeBlocksDataset(dataDir, 24, { train: ['s0', 's1'], val: ['s2'], test: ['s3'] });
});

const run = runCli;

describe('fastpr fit-reranker', () => {
  it('fits, chooses α on the val split, and eval uses it without changing "absent"', async () => {
    const fitted = await run(['fit-reranker', modelDir, '--data', dataDir, '--steps', '150', '--pool', '8', '--json']);
    expect(fitted.code, fitted.err).toBe(0);
    const info = lastJson(fitted.out);
    expect(info.samples).toBe(12 * 2 * 3); // 12 train frames × 2 people × (box + 2 jittered)
    expect(info.sweep.map((p: { alpha: number }) => p.alpha)).toEqual([...ALPHA_GRID]);
    expect(ALPHA_GRID).toContain(info.alpha);
    const best = Math.max(...info.sweep.map((p: { r1: number }) => p.r1));
    expect(info.sweep.find((p: { alpha: number }) => p.alpha === info.alpha).r1).toBe(best);
    const file = JSON.parse(readFileSync(join(modelDir, RERANKER_FILE), 'utf8'));
    expect(file).toMatchObject({ format: 'fastpr-crop-reranker', alpha: info.alpha, pool: 8, provenance: { valFrames: 6, steps: 150 } });
    expect(file.classifiers.map((c: { key: string }) => c.key).sort()).toEqual(['legColour', 'torsoColour']);

    const on = lastJson((await run(['eval', '--model', modelDir, '--data', dataDir, '--split', 'test', '--json'])).out);
    const off = lastJson((await run(['eval', '--model', modelDir, '--data', dataDir, '--split', 'test', '--rerank', 'off', '--json'])).out);
    expect(on.model).toMatch(/crop-colour re-ranking α [\d.]+ of the top 8 \(reranker [0-9a-f]{12}…\)/);
    expect(off.model).not.toMatch(/re-ranking/);
    // Re-ranking reorders candidates only: the absent decision and its threshold sweep are the model's.
    expect(on.absent).toEqual(off.absent);
    expect(on.thresholds).toEqual(off.thresholds);
    expect(on.counts).toEqual(off.counts);
  });

  it('--crop-net trains the crop network too and chooses its weight with α; the network is kept only where it is used', async () => {
    const fitted = await run(['fit-reranker', modelDir, '--data', dataDir, '--steps', '100', '--pool', '8', '--crop-net', '30', '--json']);
    expect(fitted.code, fitted.err).toBe(0);
    const info = lastJson(fitted.out);
    expect(info.sweep).toHaveLength(ALPHA_GRID.length * CROP_WEIGHT_GRID.length);
    expect(new Set(info.sweep.map((p: { cropWeight: number }) => p.cropWeight))).toEqual(new Set(CROP_WEIGHT_GRID));
    const best = Math.max(...info.sweep.map((p: { r1: number }) => p.r1));
    expect(info.sweep.find((p: { alpha: number; cropWeight: number }) => p.alpha === info.alpha && p.cropWeight === info.cropWeight).r1).toBe(best);
    const file = JSON.parse(readFileSync(join(modelDir, RERANKER_FILE), 'utf8'));
    expect(file.provenance.cropNet).toMatchObject({ steps: 30, crops: 24, kept: info.cropWeight > 0 });
    expect(existsSync(join(modelDir, CROP_NET_FILE))).toBe(info.cropWeight > 0);
    // The network was validated under a temporary name: nothing of it is left behind.
    expect(readdirSync(modelDir).filter((f) => f.includes('pending'))).toEqual([]);
    const evaluated = await run(['eval', '--model', modelDir, '--data', dataDir, '--split', 'test', '--json']);
    expect(evaluated.code, evaluated.err).toBe(0);
    if (info.cropWeight > 0) {
      expect(file).toMatchObject({ version: 3, cropNet: { file: CROP_NET_FILE, weight: info.cropWeight } });
      expect(lastJson(evaluated.out).model).toContain(`crop network × ${info.cropWeight}`);
    } else {
      expect(file.version).toBe(2);
      expect(file.cropNet).toBeUndefined();
    }
  }, 120_000);

  it('refuses a malformed reranker.json by name and leaves --rerank off working', async () => {
    const file = join(modelDir, RERANKER_FILE);
    const saved = existsSync(file) ? readFileSync(file) : undefined;
    writeFileSync(file, '{"format":"fastpr-crop-reranker","version":1');
    try {
      const bad = await run(['eval', '--model', modelDir, '--data', dataDir, '--split', 'test']);
      expect(bad.code).toBe(1);
      expect(bad.err).toContain(file);
      expect(bad.err).toMatch(/not valid JSON/);
      expect((await run(['eval', '--model', modelDir, '--data', dataDir, '--split', 'test', '--rerank', 'off', '--json'])).code).toBe(0);
      const flag = await run(['eval', '--model', modelDir, '--data', dataDir, '--rerank', 'maybe']);
      expect(flag.code).toBe(1);
      expect(flag.err).toMatch(/--rerank must be on or off/);
      expect((await run(['fit-reranker', modelDir])).err).toMatch(/--data DATASET_DIR is required/);
    } finally {
      if (saved) writeFileSync(file, saved);
    }
  });
});
