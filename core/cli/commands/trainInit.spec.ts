/** `fastpr train --init MODEL_DIR` (fine-tuning) through the real CLI entry point, on a tiny dataset. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { readWeightsFiles } from '../../model/weightsFile';
import { synthesize } from '../../synth/synthesize';
import { defaultOptions } from '../../synth/options';
import { main } from '../main';

const root = mkdtempSync(join(tmpdir(), 'fastpr-traininit-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function run(argv: string[]): Promise<number> {
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    return await main(argv);
  } finally {
    spy.mockRestore();
  }
}

const tiny = {
  inputSize: 64, grid: 4, featureWidth: 16, hiddenWidth: 16, labelHiddenWidth: 16, decoderWidth: 8, reconstructionSize: [16, 8],
  compact: { stemWidth: 8, stages: [{ width: 8, blocks: 0 }, { width: 16, blocks: 1 }, { width: 16, blocks: 0 }] },
};

describe('fastpr train --init', () => {
  it('starts from the given model: with a vanishing learning rate the fine-tuned weights equal the starting ones', async () => {
    const data = join(root, 'data');
    await synthesize(data, defaultOptions({ seed: 3, frames: 16, width: 128, height: 96, crowd: { min: 1, max: 3 }, framesPerScene: 4 }));
    const first = join(root, 'first');
    writeFileSync(join(root, 'first.json'), JSON.stringify({ model: tiny, training: { batchSize: 4, steps: 3, seed: 1 } }));
    expect(await run(['train', '--data', data, '--out', first, '--config', join(root, 'first.json'), '--json'])).toBe(0);
    writeFileSync(join(root, 'tune.json'), JSON.stringify({ training: { batchSize: 4, steps: 1, seed: 2, learningRate: 1e-12 } }));
    const tuned = join(root, 'tuned');
    expect(await run(['train', '--data', data, '--out', tuned, '--init', first, '--config', join(root, 'tune.json'), '--json'])).toBe(0);
    const a = new Map(readWeightsFiles(first, 'weights').map((w) => [w.name, w.data]));
    const b = readWeightsFiles(tuned, 'weights');
    expect(b.length).toBe(a.size);
    let maxDiff = 0;
    for (const w of b) w.data.forEach((v, i) => { maxDiff = Math.max(maxDiff, Math.abs(v - a.get(w.name)![i]!)); });
    expect(maxDiff).toBeLessThan(1e-6);
    expect(JSON.parse(readFileSync(join(tuned, 'model.json'), 'utf8')).fineTunedFrom).toBe(first);
    // A fresh run with another seed starts elsewhere: the comparison above is not vacuous.
    const fresh = join(root, 'fresh');
    writeFileSync(join(root, 'fresh.json'), JSON.stringify({ model: tiny, training: { batchSize: 4, steps: 1, seed: 2, learningRate: 1e-12 } }));
    expect(await run(['train', '--data', data, '--out', fresh, '--config', join(root, 'fresh.json'), '--json'])).toBe(0);
    const c = readWeightsFiles(fresh, 'weights');
    expect(c.some((w) => w.data.some((v, i) => Math.abs(v - a.get(w.name)![i]!) > 1e-3))).toBe(true);
  }, 120_000);
});
