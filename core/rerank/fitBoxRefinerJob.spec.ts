/**
 * `fastpr fit-box-refiner` through the real CLI entry point on a tiny random-weight ONNX model and the
 * block-people dataset: it needs the re-ranker first, trains, validates without and with the refiner
 * on the val split and names it in reranker.json only when R@1 rose, leaving no temporary file; a
 * later `fit-reranker` keeps the directory's refiner.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBlocksDataset } from '../baseline/testData';
import { lastJson, runCli } from '../cli/testing/runCli';
import { makeRandomOnnxModel } from '../index/testing/randomModel';
import { BOX_REFINER_FILE } from './boxRefiner';
import { readReranker, RERANKER_FILE } from './file';

const root = mkdtempSync(join(tmpdir(), 'fastpr-fitrefiner-'));
const modelDir = join(root, 'model');
const dataDir = join(root, 'data');
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeAll(async () => {
  await makeRandomOnnxModel(modelDir, 'tiny', 5);
  await writeBlocksDataset(dataDir, 24, { train: ['s0', 's1'], val: ['s2'], test: ['s3'] });
});

const run = runCli;

describe('fastpr fit-box-refiner', () => {
  it('needs the re-ranker first, naming the missing file', async () => {
    const r = await run(['fit-box-refiner', modelDir, '--data', dataDir, '--steps', '5']);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/reranker\.json: missing; the box refiner is part of the re-ranker \(run `fastpr fit-reranker` first\)/);
  });

  it('trains, validates without and with it, and names it in reranker.json only when R@1 rose', async () => {
    expect((await run(['fit-reranker', modelDir, '--data', dataDir, '--steps', '50', '--pool', '8'])).code).toBe(0);
    const before = readReranker(modelDir)!;
    const r = await run(['fit-box-refiner', modelDir, '--data', dataDir, '--steps', '20', '--val-frames', '6', '--json']);
    expect(r.code, r.err).toBe(0);
    const info = lastJson(r.out);
    expect(info.samples).toBe(12 * 2 * 2); // 12 train frames × 2 people × 2 candidates
    expect(info.kept).toBe(info.best.r1 > info.without.r1);
    // The random-weight model's boxes miss the block people; moved onto them, some count.
    expect(info.kept).toBe(true);
    const after = readReranker(modelDir)!;
    expect(after.boxRefiner !== undefined).toBe(info.kept);
    expect(existsSync(join(modelDir, BOX_REFINER_FILE))).toBe(info.kept);
    expect(info.byPasses.map((p: { passes: number }) => p.passes)).toEqual([1, 2]);
    expect(info.best.r1).toBe(Math.max(...info.byPasses.map((p: { r1: number }) => p.r1)));
    expect(info.without.alpha).toBe(before.alpha);
    // Kept with its passes and the α chosen for refined boxes; the reader and the pool are unchanged.
    expect(after.boxRefiner?.passes).toBe(info.best.passes);
    expect(after.alpha).toBe(info.best.alpha);
    expect(after.provenance.boxRefiner).toMatchObject({ kept: true, steps: 20, valFrames: 6, passes: info.best.passes, alphaBefore: before.alpha });
    expect({ pool: after.pool, reader: after.reader }).toEqual({ pool: before.pool, reader: before.reader });
    expect(readdirSync(modelDir).filter((f) => f.includes('pending'))).toEqual([]);
    // eval reads refined boxes and says so.
    const evaluated = await run(['eval', '--model', modelDir, '--data', dataDir, '--split', 'test', '--json']);
    expect(evaluated.code, evaluated.err).toBe(0);
    expect(lastJson(evaluated.out).model).toMatch(new RegExp(`re-ranking α ${after.alpha} of the top 8, boxes refined \\(${info.best.passes} pass(es)?\\) \\(reranker [0-9a-f]{12}…\\)`));
  }, 120_000);

  it('is kept by a later fit-reranker', async () => {
    const current = readReranker(modelDir)!;
    const sha = current.boxRefiner!.sha256;
    expect((await run(['fit-reranker', modelDir, '--data', dataDir, '--steps', '30', '--pool', '8'])).code).toBe(0);
    const refit = readReranker(modelDir)!;
    expect(refit.boxRefiner?.sha256).toBe(sha);
    expect(refit.provenance).toMatchObject({ steps: 30, boxRefiner: current.provenance.boxRefiner as object });
    expect(JSON.parse(readFileSync(join(modelDir, RERANKER_FILE), 'utf8')).version).toBe(4);
  });
});
