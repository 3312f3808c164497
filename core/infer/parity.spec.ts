/**
 * Parity: a tiny FastPR (64×64 input, S=4, M=16, compact backbone, random weights) exported to
 * ONNX and run by onnxruntime through OnnxRetriever agrees with the TF.js forward pass on the same
 * weights and frames (max abs difference ≤ 1e-4 on confidences, boxes and attention maps). Also the
 * failure modes of a damaged model directory.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../tf/tf';
import { initBackend } from '../tf/backend';
import { ModelError } from '../errors';
import { tinyConfig } from '../model/config';
import { createModel, forward, type FastprModel } from '../model/fastpr';
import { backboneForward } from '../model/backbones';
import { saveModelDir } from '../model/modelDir';
import { predictionOf, retrieve } from '../model/decode';
import { exportModelDir } from '../onnx/export/exportModel';
import { onnx } from '../onnx/builder/proto';
import { readGraphFile, sha256 } from '../onnx/export/manifest';
import { readHeadWeights } from './foldedHead';
import { OnnxRetriever, queryTokens } from './onnxRetriever';
import type { Frame } from './frames';

let dir: string;
let model: FastprModel;
const cfg = tinyConfig();

function frame(seed: number, width: number, height: number): Frame {
  const data = new Uint8Array(width * height * 4);
  let s = seed;
  for (let i = 0; i < data.length; i++) { s = (s * 1103515245 + 12345) >>> 0; data[i] = (s >>> 16) & 255; }
  return { data, width, height, channels: 4 };
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

async function expectModelError(p: Promise<unknown>, file: RegExp): Promise<void> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ModelError);
  expect((err as Error).message).toMatch(file);
}

beforeAll(async () => {
  await initBackend({ prefer: 'cpu', purpose: 'infer' });
  dir = mkdtempSync(join(tmpdir(), 'fastpr-onnx-'));
  model = createModel(cfg, 17);
  saveModelDir(join(dir, 'model'), model);
  await exportModelDir(join(dir, 'model'));
});
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

describe('TF.js ↔ onnxruntime parity (tiny model)', () => {
  it('agrees on confidences, boxes and attention for one query over a batch, and per-frame queries', async () => {
    const r = await OnnxRetriever.open(join(dir, 'model'), { threads: 1, batchSize: 3 });
    try {
      expect(r.manifest.parity!.maxAbsDiff.confidence).toBeLessThanOrEqual(1e-4);
      const frames = [frame(1, 80, 60), frame(2, 64, 64), frame(3, 50, 90), frame(4, 33, 21), frame(5, 64, 48)];
      const codes = { gender: 1, torsoColour: 3, legType: 0 };
      const enc = await r.encode(frames);
      const tokens = queryTokens(codes);
      const perFrame = frames.map((_, i) => queryTokens({ gender: i % 2, legColour: i }));
      const one = await r.queryFeatures(enc.features, frames.length, tokens);
      const many = await r.queryFeatures(enc.features, frames.length, perFrame);

      const { data } = r.preprocess(frames);
      const s = cfg.inputSize;
      const T = cfg.slots;
      const ref = (rows: number[][]) => tf.tidy(() => {
        const known = rows.map((row) => row.map((t, i) => (t === queryTokens({})[i] ? 0 : 1)));
        const f = forward(model, {
          image: tf.tensor4d(data, [frames.length, s, s, 3]),
          tokens: tf.tensor2d(rows, [frames.length, T], 'int32'),
          known: tf.tensor2d(known, [frames.length, T], 'float32'),
        });
        return { encoded: f.encoded.dataSync(), confidence: f.confidence.dataSync(), boxes: f.boxes.dataSync(), attention: f.attention.dataSync() };
      });
      const a = ref(frames.map(() => tokens));
      const b = ref(perFrame);
      const diffs = {
        encoded: maxDiff(enc.features, a.encoded),
        confidence: Math.max(maxDiff(one.confidence, a.confidence), maxDiff(many.confidence, b.confidence)),
        boxes: Math.max(maxDiff(one.boxes, a.boxes), maxDiff(many.boxes, b.boxes)),
        attention: Math.max(maxDiff(one.attention, a.attention), maxDiff(many.attention, b.attention)),
      };
      if (process.env.FASTPR_PRINT_DIFF) console.log('parity', diffs);
      for (const d of Object.values(diffs)) expect(d).toBeLessThanOrEqual(1e-4);
      // Different queries give different answers (the head really reads the tokens).
      expect(maxDiff(one.confidence, many.confidence)).toBeGreaterThan(1e-6);

      // Decoded results: the same best cell as decoding the TF.js arrays.
      const preds = await r.query(enc, codes, { topK: 3, attention: true });
      preds.forEach((p, i) => {
        const tfBest = retrieve(predictionOf({ confidence: a.confidence as Float32Array, boxes: a.boxes as Float32Array }, i, cfg.grid, s, s));
        expect(p.best.cell).toBe(tfBest.best.cell);
        expect(p.present).toBe(tfBest.present);
        expect(p.topK).toHaveLength(3);
        expect(p.attention).toHaveLength(T);
        const [l, t, rr, bb] = p.best.box;
        expect(l).toBeGreaterThanOrEqual(0); expect(t).toBeGreaterThanOrEqual(0);
        expect(rr).toBeLessThanOrEqual(frames[i]!.width); expect(bb).toBeLessThanOrEqual(frames[i]!.height);
      });
    } finally {
      await r.dispose();
    }
  });
});

describe('export variants', () => {
  it('merged heads with unmasked slots: parity ≤ 1e-4; float16 weights: half-size files, parity ≤ 1e-2', async () => {
    const d = join(dir, 'merged');
    saveModelDir(d, createModel(tinyConfig({ heads: 'merged', maskUnknownSlots: false }), 4));
    const m32 = await exportModelDir(d);
    for (const v of Object.values(m32.parity!.maxAbsDiff)) expect(v).toBeLessThanOrEqual(1e-4);
    const m16 = await exportModelDir(d, { float16: true });
    expect(m16.weightStorage).toBe('float16');
    expect(m16.head.bytes).toBeLessThan(0.7 * m32.head.bytes);
    for (const v of Object.values(m16.parity!.maxAbsDiff)) expect(v).toBeLessThanOrEqual(1e-2);
  });

  it('match-score channels: parity ≤ 1e-4', async () => {
    const d = join(dir, 'match');
    saveModelDir(d, createModel(tinyConfig({ matchScores: true }), 8));
    const m = await exportModelDir(d);
    for (const v of Object.values(m.parity!.maxAbsDiff)) expect(v).toBeLessThanOrEqual(1e-4);
    // Search's query-folded head does not know this graph: it declines, and the exported head answers.
    expect(readHeadWeights(readGraphFile(d, m.head))).toBeNull();
  });

  it('fine skip (max and avg pooling) with the training-only person-attribute proxy: parity ≤ 1e-4', async () => {
    for (const pool of ['max', 'avg'] as const) {
      const d = join(dir, `skip-${pool}`);
      const compact = { stemWidth: 8, stages: [{ width: 8, blocks: 0 }, { width: 16, blocks: 1 }, { width: 16, blocks: 0 }], fineSkip: { fromStage: 2, width: 6, pool } };
      saveModelDir(d, createModel(tinyConfig({ compact, proxies: { personAttributes: true } }), 6));
      const m = await exportModelDir(d);
      for (const v of Object.values(m.parity!.maxAbsDiff)) expect(v).toBeLessThanOrEqual(1e-4);
      // The pooling op is in the encoder graph (op types are plain strings in the protobuf).
      expect(readFileSync(join(d, 'encoder.onnx')).toString('latin1')).toContain(pool === 'max' ? 'MaxPool' : 'AveragePool');
    }
  });
});

describe('pixel skip', () => {
  const stages = [{ width: 8, blocks: 0 }, { width: 16, blocks: 1 }, { width: 16, blocks: 0 }];

  /**
   * A tiny model with `pixelSkip`, its zero-initialised `kernel` (shape checked) given random weights
   * so the parity check sees the branch at all, exported; returns the encoder graph's op types.
   */
  async function exportWithBranch(name: string, pixelSkip: { block: number; colourWidth?: number }, kernel: string, cin: number): Promise<string[]> {
    const d = join(dir, name);
    const model = createModel(tinyConfig({ compact: { stemWidth: 8, stages, pixelSkip } }), 8);
    const weight = model.weights.get(kernel)!;
    expect(weight.shape).toEqual([1, 1, cin, 16]);
    expect(Array.from(weight.dataSync()).every((v) => v === 0)).toBe(true);
    weight.assign(tf.randomNormal(weight.shape, 0, 0.5, 'float32', 3));
    saveModelDir(d, model);
    const m = await exportModelDir(d);
    for (const v of Object.values(m.parity!.maxAbsDiff)) expect(v).toBeLessThanOrEqual(1e-4);
    return onnx.ModelProto.decode(readFileSync(join(d, 'encoder.onnx'))).graph!.node!.map((n) => n.opType!);
  }

  it('exports the pooled cell pixels (AveragePool, reshape, transpose) with parity ≤ 1e-4', async () => {
    const ops = await exportWithBranch('pixel-skip', { block: 4 }, 'backbone.pixel.kernel', (64 / 4 / 4) ** 2 * 3);
    expect(ops).toContain('AveragePool');
    expect(() => tinyConfig({ compact: { stemWidth: 8, stages, pixelSkip: { block: 3 } } })).toThrow(/pixelSkip\.block.*cell size \(16 px\)/);
  });

  it('exports the colour embedding (1×1 conv + ReLU on the pooled pixels, then per cell) with parity ≤ 1e-4', async () => {
    const ops = await exportWithBranch('colour-embedding', { block: 4, colourWidth: 6 }, 'backbone.colourProj.kernel', (64 / 4 / 4) ** 2 * 6);
    // One AveragePool feeds both the linear skip and the colour codes.
    expect(ops.filter((op) => op === 'AveragePool')).toHaveLength(1);
  });

  it('puts each cell’s own pixels in its channels: a colour patch changes only the cells it covers', () => {
    const compact = { stemWidth: 8, stages: [{ width: 8, blocks: 0 }, { width: 16, blocks: 1 }, { width: 16, blocks: 0 }], pixelSkip: { block: 2 } };
    const model = createModel(tinyConfig({ compact }), 9);
    const w = model.weights;
    for (const [name, v] of w) if (name.startsWith('backbone.') && name !== 'backbone.pixel.kernel') v.assign(tf.zerosLike(v));
    w.get('backbone.pixel.kernel')!.assign(tf.randomNormal(w.get('backbone.pixel.kernel')!.shape, 0, 1, 'float32', 4));
    const image = tf.buffer([1, 64, 64, 3]);
    for (let y = 20; y < 28; y++) for (let x = 36; x < 44; x++) image.set(1, 0, y, x, 0); // red in cell (row 1, col 2)
    const encoded = tf.tidy(() => backboneForward(w, model.config, image.toTensor() as tf.Tensor4D));
    const e = encoded.arraySync() as number[][][][];
    encoded.dispose();
    for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) {
      const norm = Math.hypot(...e[0]![r]![c]!);
      if (r === 1 && c === 2) expect(norm).toBeGreaterThan(0.1);
      else expect(norm).toBe(0);
    }
  });
});

describe('damaged model directories', () => {
  function copyDir(name: string): string {
    const d = join(dir, name);
    rmSync(d, { recursive: true, force: true });
    saveModelDir(d, model);
    for (const f of ['encoder.onnx', 'head.onnx', 'onnx.json']) copyFileSync(join(dir, 'model', f), join(d, f));
    return d;
  }
  function setManifest(d: string, edit: (m: Record<string, any>) => void): void {
    const m = JSON.parse(readFileSync(join(d, 'onnx.json'), 'utf8'));
    edit(m);
    writeFileSync(join(d, 'onnx.json'), JSON.stringify(m));
  }

  it('a truncated encoder.onnx is a ModelError naming it (hash check, and onnxruntime itself)', async () => {
    const d = copyDir('truncated');
    const bytes = readFileSync(join(d, 'encoder.onnx'));
    const cut = bytes.subarray(0, Math.floor(bytes.length / 2));
    writeFileSync(join(d, 'encoder.onnx'), cut);
    await expectModelError(OnnxRetriever.open(d), /encoder\.onnx/);
    setManifest(d, (m) => { m.encoder.sha256 = sha256(cut); });
    await expectModelError(OnnxRetriever.open(d), /encoder\.onnx.*not a loadable ONNX model/);
  });

  it('an encoder.onnx with the wrong input shape is a ModelError naming it', async () => {
    const d = copyDir('wrongshape');
    const other = join(dir, 'other');
    saveModelDir(other, createModel(tinyConfig({ inputSize: 48, grid: 3 }), 1));
    await exportModelDir(other, { skipParity: true });
    copyFileSync(join(other, 'encoder.onnx'), join(d, 'encoder.onnx'));
    setManifest(d, (m) => { m.encoder.sha256 = sha256(readFileSync(join(d, 'encoder.onnx'))); });
    await expectModelError(OnnxRetriever.open(d), /encoder\.onnx: input "image" has shape \[N, 48, 48, 3\], expected \[N, 64, 64, 3\]/);
  });

  it('missing files are ModelErrors naming the file', async () => {
    const d = copyDir('missing');
    unlinkSync(join(d, 'head.onnx'));
    await expectModelError(OnnxRetriever.open(d), /head\.onnx: not found/);
    unlinkSync(join(d, 'onnx.json'));
    await expectModelError(OnnxRetriever.open(d), /onnx\.json: not found/);
    unlinkSync(join(d, 'weights.bin'));
    await expectModelError(exportModelDir(d), /weights\.bin/);
    await expectModelError(OnnxRetriever.open(join(dir, 'nope')), /onnx\.json/);
  });
});
