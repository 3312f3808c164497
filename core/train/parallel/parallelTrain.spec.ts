/**
 * Data-parallel training with real worker threads, real shared memory and the wasm backend, on a
 * tiny model and a small synthetic dataset: the update two replicas apply is the mean of their
 * shards' gradients (recomputed here on this thread), a cancelled run resumes to the same weights as
 * an uninterrupted one, and a replica's failure ends the run with its error instead of a hang.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { framesOfSplit, readDataset } from '../../dataset/reader';
import { tinyConfig } from '../../model/config';
import { readWeightsFiles } from '../../model/weightsFile';
import { synthesize } from '../../synth/synthesize';
import { defaultOptions } from '../../synth/options';
import { initBackend } from '../../tf/backend';
import * as tf from '../../tf/tf';
import { disposeBatch } from '../batch';
import { readCheckpoint } from '../checkpoint';
import { learningRateAt, parseTrainConfig, type TrainConfigInput } from '../config';
import { DatasetFrameSource, type FrameSource } from '../frameSource';
import { trainFromDataset, type TrainRunOptions } from '../run';
import { buildSamples } from '../samples';
import { computeLossTerms, objectiveOf, trainableNames } from '../step';
import { METRICS_FILE, Trainer } from '../trainer';

const root = mkdtempSync(join(tmpdir(), 'fastpr-parallel-'));
const data = join(root, 'data');
afterAll(() => rmSync(root, { recursive: true, force: true }));

beforeAll(async () => {
  await initBackend({ prefer: 'wasm', purpose: 'train' });
  await synthesize(data, defaultOptions({ seed: 21, frames: 24, width: 128, height: 96, crowd: { min: 1, max: 4 }, framesPerScene: 4 }));
});

const model = tinyConfig();
const trainInput = (extra: TrainConfigInput = {}): TrainConfigInput => ({
  batchSize: 4, steps: 2, seed: 7, checkpointEvery: 1, schedule: 'joint', learningRate: 3e-3, ...extra,
});
const options = (outDir: string, extra: TrainConfigInput = {}, dataDir = data): TrainRunOptions => ({
  dataDir, outDir, model, train: parseTrainConfig(trainInput(extra)), backend: 'wasm',
});
const weightsOf = (dir: string) => new Map(readWeightsFiles(dir, 'weights').map((w) => [w.name, w.data]));

describe('data-parallel training (2 replicas)', () => {
  it("applies the mean of the two shards' gradients: the same weights as this thread computes, bit for bit", async () => {
    const out = join(root, 'two');
    const result = await trainFromDataset({ ...options(out), replicas: 2 });
    expect(result.state).toBe('done');
    expect(result.replicas).toBe(2);
    expect(result.weightsDigest).toMatch(/^[0-9a-f]{64}$/);
    // Replica 0 alone wrote the metrics (one line per step) and the checkpoint, which names the count.
    expect(readFileSync(join(out, METRICS_FILE), 'utf8').trim().split('\n')).toHaveLength(2);
    expect((readCheckpoint(out).state.meta as { replicas?: number }).replicas).toBe(2);

    // The same two steps here: each shard's gradient, their mean in float32, one Adam update.
    const frames = framesOfSplit(readDataset(data), 'train');
    const trainer = Trainer.create({
      modelConfig: model, trainConfig: parseTrainConfig(trainInput()), samples: buildSamples(frames),
      source: new DatasetFrameSource(data, frames, 1 << 26),
    });
    try {
      for (let step = 0; step < 2; step++) {
        const phase = trainer.phaseAt(step);
        const names = trainableNames(trainer.model, phase);
        const shardGrads: Array<Map<string, Float32Array>> = [];
        for (let index = 0; index < 2; index++) {
          const batch = await trainer.batchFor(step, { index, count: 2 });
          const { value, grads } = tf.variableGrads(
            () => objectiveOf(computeLossTerms(trainer.model, batch), trainer.model, phase),
            names.map((n) => trainer.model.weights.get(n)!),
          );
          const byName = new Map(names.map((n) => [trainer.model.weights.get(n)!.name, n]));
          shardGrads.push(new Map(Object.entries(grads).map(([v, g]) => [byName.get(v)!, Float32Array.from(g.dataSync() as Float32Array)])));
          tf.dispose([value, ...Object.values(grads)]);
          disposeBatch(batch);
        }
        const mean = new Map<string, tf.Tensor>();
        for (const [name, g0] of shardGrads[0]!) {
          const g1 = shardGrads[1]!.get(name)!;
          const m = new Float32Array(g0.length);
          for (let i = 0; i < m.length; i++) m[i] = (g0[i]! + g1[i]!) * 0.5;
          mean.set(name, tf.tensor(m, trainer.model.weights.get(name)!.shape));
        }
        trainer.adam.apply(mean, learningRateAt(step, 2, parseTrainConfig(trainInput())));
        tf.dispose([...mean.values()]);
      }
      const saved = weightsOf(out);
      let maxDiff = 0;
      let moved = 0;
      const start = Trainer.create({ modelConfig: model, trainConfig: parseTrainConfig(trainInput()), samples: buildSamples(frames), source: new DatasetFrameSource(data, frames, 0) });
      for (const [name, w] of trainer.model.weights) {
        const here = w.dataSync() as Float32Array;
        const there = saved.get(name)!;
        const initial = start.model.weights.get(name)!.dataSync() as Float32Array;
        here.forEach((v, i) => {
          maxDiff = Math.max(maxDiff, Math.abs(v - there[i]!));
          if (v !== initial[i]) moved++;
        });
      }
      start.dispose();
      expect(moved).toBeGreaterThan(1000); // the comparison is not between two untouched models
      expect(maxDiff).toBe(0);
    } finally {
      trainer.dispose();
    }
  });

  it('a cancelled run resumes, with its checkpoint\'s replica count, to the same weights as an uninterrupted one', async () => {
    const straight = join(root, 'straight');
    await trainFromDataset({ ...options(straight, { steps: 5 }), replicas: 2 });

    const stopped = join(root, 'stopped');
    const controller = new AbortController();
    const first = await trainFromDataset({
      ...options(stopped, { steps: 5 }), replicas: 2, signal: controller.signal,
      onProgress: (e) => { if (e.done >= 2) controller.abort(); },
    });
    expect(first.state).toBe('cancelled');
    expect(first.steps).toBeGreaterThanOrEqual(2);
    expect(first.steps).toBeLessThan(5);
    expect((readCheckpoint(stopped).state.meta as { replicas: number }).replicas).toBe(2);
    // Not told how many: the resume takes the checkpoint's count.
    const resumed = await trainFromDataset({ ...options(stopped, { steps: 5 }), resume: true });
    expect(resumed.replicas).toBe(2);
    expect(resumed.state).toBe('done');
    expect(resumed.steps).toBe(5);
    expect(resumed.weightsDigest).toBe((await digestOf(straight)));
    const a = weightsOf(straight);
    for (const [name, w] of weightsOf(stopped)) expect(Buffer.from(w.buffer).equals(Buffer.from(a.get(name)!.buffer)), name).toBe(true);
    expect(readFileSync(join(stopped, METRICS_FILE), 'utf8').trim().split('\n')).toHaveLength(5);
  });

  it("a replica's failure ends the run with that replica's error (naming the file), and the other is not left waiting", async () => {
    // Corrupt a frame that only replica 1 reads at step 0: replica 0 then waits at the exchange.
    const broken = join(root, 'broken-data');
    await synthesize(broken, defaultOptions({ seed: 21, frames: 24, width: 128, height: 96, crowd: { min: 1, max: 4 }, framesPerScene: 4 }));
    const frames = framesOfSplit(readDataset(broken), 'train');
    const loadsOf = async (index: number) => {
      const seen = new Set<number>();
      const source: FrameSource = { load: async (i) => { seen.add(i); return inner.load(i); } };
      const inner = new DatasetFrameSource(broken, frames, 1 << 26);
      const t = Trainer.create({ modelConfig: model, trainConfig: parseTrainConfig(trainInput()), samples: buildSamples(frames), source });
      const batch = await t.batchFor(0, { index, count: 2 });
      disposeBatch(batch);
      t.dispose();
      return seen;
    };
    const zero = await loadsOf(0);
    const victim = [...(await loadsOf(1))].find((i) => !zero.has(i));
    expect(victim).toBeDefined();
    const file = join(broken, frames[victim!]!.image);
    writeFileSync(file, 'not an image');
    // A hang would show as this test's timeout.
    const run = trainFromDataset({ ...options(join(root, 'broken-model'), {}, broken), replicas: 2 });
    await expect(run).rejects.toThrow(file);
    await expect(run).rejects.toMatchObject({ name: 'DatasetError' });
  });
});

async function digestOf(dir: string): Promise<string> {
  const { createHash } = await import('node:crypto');
  const hash = createHash('sha256');
  // The model directory's weights in the model's own order: the same digest a replica reports.
  const frames = framesOfSplit(readDataset(data), 'train');
  const t = Trainer.create({ modelConfig: model, trainConfig: parseTrainConfig(trainInput()), samples: buildSamples(frames), source: new DatasetFrameSource(data, frames, 0) });
  const saved = weightsOf(dir);
  for (const name of t.model.weights.keys()) hash.update(saved.get(name)!);
  t.dispose();
  return hash.digest('hex');
}
