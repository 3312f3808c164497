/**
 * The CLI end to end on a tiny random model: `fastpr export-onnx DIR --json`, then
 * `fastpr predict --model DIR IMAGE... --query "..." --json` (real processes, real onnxruntime).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canvasFromRgba, encodeCanvas } from '../../core/image/canvas';
import { tinyConfig } from '../../core/model/config';
import { createModel } from '../../core/model/fastpr';
import { saveModelDir } from '../../core/model/modelDir';
import { initBackend } from '../../core/tf/backend';

const bin = resolve(__dirname, '../../bin/fastpr.mjs');
let dir: string;

function fastpr(args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(async () => {
  await initBackend({ prefer: 'cpu', purpose: 'infer' });
  dir = mkdtempSync(join(tmpdir(), 'fastpr-cli-onnx-'));
  saveModelDir(join(dir, 'model'), createModel(tinyConfig(), 3));
  const w = 120, h = 90;
  const data = new Uint8ClampedArray(w * h * 4).map((_, i) => (i % 4 === 3 ? 255 : (i * 37) % 251));
  writeFileSync(join(dir, 'a.png'), encodeCanvas(canvasFromRgba({ width: w, height: h, data }), 'png'));
  writeFileSync(join(dir, 'broken.png'), 'not an image');
});
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

describe('fastpr export-onnx / predict', () => {
  it('exports with parity and predicts boxes in image pixels with the parsed query', () => {
    const ex = fastpr(['export-onnx', join(dir, 'model'), '--json']);
    expect(ex.code, ex.err).toBe(0);
    const manifest = JSON.parse(ex.out).manifest;
    expect(manifest.encoder.inputs[0]).toEqual({ name: 'image', dtype: 'float32', shape: ['N', 64, 64, 3] });
    for (const d of Object.values(manifest.parity.maxAbsDiff) as number[]) expect(d).toBeLessThanOrEqual(1e-4);

    const pr = fastpr(['predict', '--model', join(dir, 'model'), join(dir, 'a.png'), join(dir, 'a.png'), '--query', 'woman in a red top', '--json', '--top-k', '3']);
    expect(pr.code, pr.err).toBe(0);
    const out = JSON.parse(pr.out);
    expect(out.query.codes).toEqual({ gender: 1, torsoColour: 8 });
    expect(out.results).toHaveLength(2);
    const r = out.results[0];
    expect([r.width, r.height]).toEqual([120, 90]);
    expect(r.topK).toHaveLength(3);
    expect(r.best.box[2]).toBeLessThanOrEqual(120);
    expect(r.best.box[3]).toBeLessThanOrEqual(90);
    expect(typeof r.present).toBe('boolean');
    expect(out.results[1].best).toEqual(r.best); // same image, same answer
  });

  it('reports a bad image by name (a model directory without an export: core/infer/parity.spec.ts)', () => {
    const bad = fastpr(['predict', '--model', join(dir, 'model'), join(dir, 'broken.png'), '--query', 'man', '--json']);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.out).error).toMatchObject({ name: 'InputError' });
    expect(bad.err).toMatch(/broken\.png/);
  });
});
