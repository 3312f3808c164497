/**
 * `fastpr synth` → `fastpr train` → model directory → load + infer, then `--resume` with more steps.
 * Real dataset files, real image decoding, wasm backend, tiny model config.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../core/cli/main';
import * as tf from '../core/tf/tf';
import { tinyConfig } from '../core/model/config';
import { infer } from '../core/model/fastpr';
import { hashModelFiles, loadModelDir } from '../core/model/modelDir';

describe('fastpr train (CLI)', () => {
  it('trains a tiny model from a synthetic dataset folder, writes the model directory, and resumes', async () => {
    const root = mkdtempSync(join(tmpdir(), 'fastpr-train-cli-'));
    const data = join(root, 'data');
    const out = join(root, 'model');
    expect(await main(['synth', '--out', data, '--frames', '16', '--seed', '3', '--size', '128x96', '--frames-per-scene', '2', '--json'])).toBe(0);
    const cfg = join(root, 'tiny.json');
    writeFileSync(cfg, JSON.stringify({ model: tinyConfig(), training: { batchSize: 4, checkpointEvery: 2, schedule: 'alternate', phaseUnit: 'step', proxyPhaseLength: 1, localisationPhaseLength: 1 } }));
    expect(await main(['train', '--data', data, '--out', out, '--config', cfg, '--steps', '3', '--backend', 'wasm', '--json'])).toBe(0);

    for (const f of ['config.json', 'weights.json', 'weights.bin', 'vocabulary.json', 'model.json', 'metrics.jsonl', 'loss-curve.png', 'checkpoint/checkpoint.ckpt']) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    const info = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
    expect(info.modelHash).toBe(hashModelFiles(out));
    expect(info.dataManifestSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(info.trainedSteps).toBe(3);
    expect(readFileSync(join(out, 'loss-curve.png')).subarray(1, 4).toString()).toBe('PNG');
    const vocab = JSON.parse(readFileSync(join(out, 'vocabulary.json'), 'utf8'));
    expect(vocab.size).toBe(126);
    expect(vocab.slots[6].key).toBe('torsoColour');

    const loaded = loadModelDir(out);
    const res = await infer(loaded.model, {
      image: tf.zeros([1, 64, 64, 3]) as tf.Tensor4D,
      tokens: tf.zeros([1, 16], 'int32') as tf.Tensor2D,
      known: tf.ones([1, 16]) as tf.Tensor2D,
    });
    expect(res.confidence.length).toBe(16);
    expect(res.boxes.length).toBe(64);

    expect(await main(['train', '--data', data, '--out', out, '--resume', '--steps', '5', '--backend', 'wasm', '--json'])).toBe(0);
    const steps = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).step);
    expect(steps).toEqual([0, 1, 2, 3, 4]);
    expect(JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')).trainedSteps).toBe(5);

    // A damaged weights file is refused with an error naming it.
    writeFileSync(join(out, 'weights.bin'), Buffer.alloc(8));
    expect(() => loadModelDir(out)).toThrow(/weights\.json: data is 8 bytes/);
  });
});
