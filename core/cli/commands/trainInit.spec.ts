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

    // --config may switch on a training-only proxy (its head starts at its init, the rest from the model)…
    writeFileSync(join(root, 'proxy.json'), JSON.stringify({
      model: { proxies: { personAttributes: true }, personAttributes: { grid: [4, 2], hiddenWidth: 8 }, lossWeights: { roi: 1, con: 10 } },
      training: { batchSize: 4, steps: 1, seed: 2, learningRate: 1e-12, boxTargets: 'all' },
    }));
    const withProxy = join(root, 'with-proxy');
    expect(await run(['train', '--data', data, '--out', withProxy, '--init', first, '--config', join(root, 'proxy.json'), '--json'])).toBe(0);
    const d = new Map(readWeightsFiles(withProxy, 'weights').map((w) => [w.name, w.data]));
    expect(d.has('proxy.roi.fc1.kernel')).toBe(true);
    expect(Math.max(...Array.from(d.get('backbone.stem.kernel')!, (v, i) => Math.abs(v - a.get('backbone.stem.kernel')![i]!)))).toBeLessThan(1e-6);
    const cfg = JSON.parse(readFileSync(join(withProxy, 'config.json'), 'utf8'));
    expect(cfg.model.proxies.personAttributes).toBe(true);
    expect(cfg.model.featureWidth).toBe(16);
    // …but not change the inference architecture: that is an error naming the file and the key.
    writeFileSync(join(root, 'arch.json'), JSON.stringify({ model: { featureWidth: 32 }, training: { steps: 1 } }));
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(await run(['train', '--data', data, '--out', join(root, 'arch'), '--init', first, '--config', join(root, 'arch.json')])).not.toBe(0);
      expect(err.mock.calls.map((c) => String(c[0])).join('')).toMatch(/arch\.json: model\.featureWidth differs from the starting model/);
      // A stage's width is architecture too, even beside a stride change.
      const widened = { stemWidth: 8, stages: [{ width: 8, blocks: 0 }, { width: 16, blocks: 1 }, { width: 24, blocks: 0, stride: 1 }] };
      writeFileSync(join(root, 'widen.json'), JSON.stringify({ model: { grid: 8, compact: widened }, training: { steps: 1 } }));
      expect(await run(['train', '--data', data, '--out', join(root, 'widen'), '--init', first, '--config', join(root, 'widen.json')])).not.toBe(0);
      expect(err.mock.calls.map((c) => String(c[0])).join('')).toMatch(/widen\.json: model\.compact differs from the starting model/);
    } finally {
      err.mockRestore();
    }

    // Making the last stage stride 1 doubles the grid (4 → 8) and reuses every weight whose shape does
    // not depend on S; only the kernel of the offset proxy's dense layer over the S×S grid starts afresh.
    const doubled = { ...tiny.compact, stages: [...tiny.compact.stages.slice(0, 2), { width: 16, blocks: 0, stride: 1 }] };
    writeFileSync(join(root, 'grid8.json'), JSON.stringify({ model: { grid: 8, compact: doubled }, training: { batchSize: 4, steps: 1, seed: 2, learningRate: 1e-12 } }));
    const grid8 = join(root, 'grid8');
    expect(await run(['train', '--data', data, '--out', grid8, '--init', first, '--config', join(root, 'grid8.json'), '--json'])).toBe(0);
    const g = new Map(readWeightsFiles(grid8, 'weights').map((w) => [w.name, w]));
    const info = JSON.parse(readFileSync(join(grid8, 'model.json'), 'utf8'));
    expect(info.freshWeights).toEqual(['proxy.offset.fc.kernel']); // its bias (8 classes) carries over
    expect(g.get('proxy.offset.fc.kernel')!.shape[0]).toBe(4 * (a.get('proxy.offset.fc.kernel')!.length / 8)); // S²·H rows: S² quadruples
    for (const [name, w] of g) {
      if (name === 'proxy.offset.fc.kernel') continue;
      const before = a.get(name)!;
      expect(w.data.length, name).toBe(before.length);
      expect(Math.max(0, ...Array.from(w.data, (v, i) => Math.abs(v - before[i]!))), name).toBeLessThan(1e-6);
    }
    expect(JSON.parse(readFileSync(join(grid8, 'config.json'), 'utf8')).model.grid).toBe(8);
    // A resumed fine-tune keeps its lineage in model.json.
    expect(await run(['train', '--data', data, '--out', grid8, '--resume', '--steps', '2', '--json'])).toBe(0);
    const resumed = JSON.parse(readFileSync(join(grid8, 'model.json'), 'utf8'));
    expect(resumed).toMatchObject({ trainedSteps: 2, fineTunedFrom: first, freshWeights: ['proxy.offset.fc.kernel'] });

    // The pixel skip may be added: its conv starts at zero (so the model's function is the starting
    // one) and is the only fresh weight; training moves it off zero.
    writeFileSync(join(root, 'pixel.json'), JSON.stringify({ model: { compact: { ...tiny.compact, pixelSkip: { block: 4 } } }, training: { batchSize: 4, steps: 2, seed: 2, learningRate: 1e-3 } }));
    const pixel = join(root, 'pixel');
    expect(await run(['train', '--data', data, '--out', pixel, '--init', first, '--config', join(root, 'pixel.json'), '--json'])).toBe(0);
    expect(JSON.parse(readFileSync(join(pixel, 'model.json'), 'utf8')).freshWeights).toEqual(['backbone.pixel.kernel', 'backbone.pixel.bias']);
    const px = new Map(readWeightsFiles(pixel, 'weights').map((w) => [w.name, w.data]));
    expect(px.get('backbone.pixel.kernel')!.length).toBe(48 * 16);
    expect(Math.max(...Array.from(px.get('backbone.pixel.kernel')!, Math.abs))).toBeGreaterThan(0);

    // A finer pixel skip (block 4 → 2) starts from the trained one re-cut (each weight split over the
    // four finer pixels it covered), not from zero, and model.json says so.
    writeFileSync(join(root, 'pixel2.json'), JSON.stringify({ model: { compact: { ...tiny.compact, pixelSkip: { block: 2 } } }, training: { batchSize: 4, steps: 1, seed: 2, learningRate: 1e-12 } }));
    const pixel2 = join(root, 'pixel2');
    expect(await run(['train', '--data', data, '--out', pixel2, '--init', pixel, '--config', join(root, 'pixel2.json'), '--json'])).toBe(0);
    const info2 = JSON.parse(readFileSync(join(pixel2, 'model.json'), 'utf8'));
    expect(info2).toMatchObject({ freshWeights: [], recutWeights: ['backbone.pixel.kernel [1×1×48×16] → [1×1×192×16]'] });
    const k4 = px.get('backbone.pixel.kernel')!;
    const k2 = new Map(readWeightsFiles(pixel2, 'weights').map((w) => [w.name, w.data])).get('backbone.pixel.kernel')!;
    expect(k2.length).toBe(192 * 16);
    // channel (ry·8 + rx)·3 + c of the finer cut = channel ((ry>>1)·4 + (rx>>1))·3 + c of the coarser, / 4
    let worst = 0;
    for (let ry = 0; ry < 8; ry++) for (let rx = 0; rx < 8; rx++) for (let c = 0; c < 3; c++) for (let o = 0; o < 16; o++) {
      worst = Math.max(worst, Math.abs(k2[((ry * 8 + rx) * 3 + c) * 16 + o]! - k4[(((ry >> 1) * 4 + (rx >> 1)) * 3 + c) * 16 + o]! / 4));
    }
    expect(worst).toBeLessThan(1e-6);

    // The colour embedding may be added beside a trained pixel skip: its two convs are the only fresh
    // weights, and the projection into I_en starts at zero, so the starting model's function is kept.
    writeFileSync(join(root, 'colour.json'), JSON.stringify({ model: { compact: { ...tiny.compact, pixelSkip: { block: 4, colourWidth: 4 } } }, training: { batchSize: 4, steps: 1, seed: 2, learningRate: 1e-12 } }));
    const colour = join(root, 'colour');
    expect(await run(['train', '--data', data, '--out', colour, '--init', pixel, '--config', join(root, 'colour.json'), '--json'])).toBe(0);
    expect(JSON.parse(readFileSync(join(colour, 'model.json'), 'utf8')).freshWeights).toEqual(['backbone.colour.kernel', 'backbone.colour.bias', 'backbone.colourProj.kernel', 'backbone.colourProj.bias']);
    const cw = new Map(readWeightsFiles(colour, 'weights').map((w) => [w.name, w.data]));
    expect(cw.get('backbone.colourProj.kernel')!.length).toBe(16 * 4 * 16); // 4×4 pooled pixels × 4 codes → M
    expect(Math.max(...Array.from(cw.get('backbone.colourProj.kernel')!, Math.abs))).toBeLessThan(1e-9);
    expect(Math.max(...Array.from(cw.get('backbone.colour.kernel')!, Math.abs))).toBeGreaterThan(0.01);
    const kp = cw.get('backbone.pixel.kernel')!;
    expect(Math.max(...Array.from(kp, (v, i) => Math.abs(v - k4[i]!)))).toBeLessThan(1e-6);
  }, 120_000);
});
