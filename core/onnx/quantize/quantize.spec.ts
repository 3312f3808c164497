/**
 * int8 encoder: the arithmetic by hand, then the whole path on a random-init tiny model and a small
 * synthetic dataset through real onnxruntime — the file is listed in onnx.json with its hash, its
 * graph really holds int8 convs (onnxruntime fuses them), it encodes close to the float encoder,
 * the same inputs give the same bytes, and a wrong file or a missing one is refused by name.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRandomOnnxModel } from '../../index/testing/randomModel';
import { OnnxRetriever } from '../../infer/onnxRetriever';
import { synthesize } from '../../synth/synthesize';
import { defaultOptions } from '../../synth/options';
import { onnx } from '../builder/proto';
import { exportModelDir } from '../export/exportModel';
import { ONNX_MANIFEST_FILE, readOnnxManifest } from '../export/manifest';
import { GraphBuilder } from '../builder/graph';
import { conv, NHWC_TO_NCHW, transpose } from '../builder/ops';
import { OnnxSession } from '../runtime';
import { calibrateRanges } from './calibrate';
import { activationQuant, convNames, planQuantization, quantizeGraph, quantizeWeights } from './qdq';
import { ENCODER_INT8_FILE, quantizeEncoderDir } from './quantizeEncoder';

describe('quantisation arithmetic', () => {
  it('uint8 activations: 0 is exact, the range is covered, a Relu output gets zero point 0', () => {
    const q = activationQuant({ min: -1.5, max: 3 });
    expect(q.zeroPoint).toBe(Math.round(1.5 / q.scale));
    expect(q.scale).toBeCloseTo(4.5 / 255, 7);
    expect(activationQuant({ min: 0.2, max: 2 }).zeroPoint).toBe(0); // widened to contain 0
    expect(activationQuant({ min: 0, max: 0 }).scale).toBe(1);
  });

  it('int8 weights per output channel: error at most half a step, each channel its own scale', () => {
    const w = Float32Array.from([0.5, -0.25, 0.1, 0.0, 40, -20, 10, 5]); // 2 channels of 4
    const { q, scales } = quantizeWeights(w, 2);
    expect(scales[0]).toBeCloseTo(0.5 / 127, 8);
    expect(scales[1]).toBeCloseTo(40 / 127, 6);
    for (let i = 0; i < w.length; i++) expect(Math.abs(q[i]! * scales[i < 4 ? 0 : 1]! - w[i]!)).toBeLessThanOrEqual(scales[i < 4 ? 0 : 1]! / 2 + 1e-9);
    expect(Math.max(...Array.from(q, Math.abs))).toBe(127);
  });
});

/** image [N,8,8,3] → NCHW → Conv 3→8 (3×3) → Relu → Conv 8→6 (1×1) → encoded: every rewrite case (Relu output, raw conv output). */
function twoConvGraph(seed: number): Uint8Array {
  let state = seed;
  const rand = () => { state = (state * 1103515245 + 12345) >>> 0; return state / 2 ** 32 - 0.5; };
  const g = new GraphBuilder('two-conv');
  const x = transpose(g, g.input('image', 'float32', ['N', 8, 8, 3]), NHWC_TO_NCHW);
  const w1 = g.initializer('w1', 'float32', [8, 3, 3, 3], Float32Array.from({ length: 8 * 27 }, rand));
  const b1 = g.initializer('b1', 'float32', [8], Float32Array.from({ length: 8 }, () => 0.2 * rand()));
  const h = g.op('Relu', [conv(g, x, w1, b1, { strides: [1, 1], pads: [1, 1, 1, 1] })]);
  const w2 = g.initializer('w2', 'float32', [6, 8, 1, 1], Float32Array.from({ length: 48 }, rand));
  const b2 = g.initializer('b2', 'float32', [6], Float32Array.from({ length: 6 }, () => 0.5 * rand()));
  g.output('encoded', conv(g, h, w2, b2, { strides: [1, 1], pads: [0, 0, 0, 0] }), 'float32', ['N', 6, 8, 8]);
  return g.serialize();
}

describe('QDQ rewrite of a two-conv graph', () => {
  it('every conv in int8 computes what the float graph does, within a few per cent, through real onnxruntime', async () => {
    const bytes = twoConvGraph(7);
    const model = onnx.ModelProto.decode(bytes);
    const plan = planQuantization(model, convNames(model));
    expect(plan.convs).toHaveLength(2);
    const count = 16;
    // Images alike in their range, as camera frames are (the ranges are means of per-image extremes).
    const data = Float32Array.from({ length: count * 8 * 8 * 3 }, (_, i) => Math.sin(i * 0.37) * 1.5 + 0.5 * Math.cos(i * 1.3));
    // Batches of 5 (16 images: 5, 5, 5, 1) so the kept output must be joined in order.
    const { ranges, output } = await calibrateRanges(bytes, 'image', plan.tensors, { data, count, size: 8 }, { batchSize: 5, output: 'encoded' });
    const int8 = quantizeGraph(bytes, plan, ranges);
    const q = onnx.ModelProto.decode(int8).graph!;
    expect(q.node!.filter((n) => n.opType === 'QuantizeLinear')).toHaveLength(plan.tensors.length);
    expect(q.initializer!.filter((t) => t.dataType === 3).map((t) => t.dims!.map(Number))).toContainEqual([8, 3, 3, 3]);
    expect(q.initializer!.some((t) => t.name === 'w1')).toBe(false); // the float weights are gone
    const feeds = { image: { type: 'float32' as const, data, dims: [count, 8, 8, 3] } };
    const run = async (b: Uint8Array) => {
      const s = await OnnxSession.create(b, { intraOpThreads: 1 });
      try { return (await s.run(feeds)).encoded!.data as Float32Array; } finally { await s.dispose(); }
    };
    const [a, b] = [await run(bytes), await run(int8)];
    // The calibration pass's kept output is the float graph's, image for image.
    expect(output).toEqual(a);
    let err = 0;
    let norm = 0;
    for (let i = 0; i < a.length; i++) { err += (a[i]! - b[i]!) ** 2; norm += a[i]! ** 2; }
    expect(Math.sqrt(err / norm)).toBeGreaterThan(0);
    expect(Math.sqrt(err / norm)).toBeLessThan(0.03); // measured 1.0 %; a wrong weight, bias or scale gives tens of per cent
  });
});

describe('fastpr quantize-encoder on a tiny model', () => {
  const root = mkdtempSync(join(tmpdir(), 'fastpr-quantize-'));
  const modelDir = join(root, 'model');
  const dataDir = join(root, 'data');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  beforeAll(async () => {
    await makeRandomOnnxModel(modelDir, 'tiny');
    await synthesize(dataDir, { ...defaultOptions({ seed: 41 }), frames: 40, width: 96, height: 80 });
  }, 120_000);

  it('writes encoder.int8.onnx, lists it with its hash and calibration, and runs int8 convs', async () => {
    const before = readOnnxManifest(modelDir);
    const m = await quantizeEncoderDir(modelDir, { dataDir, images: 8 });
    const q = m.encoderInt8!;
    expect(q.file).toBe(ENCODER_INT8_FILE);
    expect(q.fromEncoderSha256).toBe(before.encoder.sha256);
    expect(readOnnxManifest(modelDir).encoderInt8).toEqual(q);
    expect(q.calibration.images).toBe(8);
    const convs = convNames(onnx.ModelProto.decode(readFileSync(join(modelDir, before.encoder.file))));
    expect(q.floatConvs).toEqual([convs[0], convs[convs.length - 1]]);
    const graph = onnx.ModelProto.decode(readFileSync(join(modelDir, ENCODER_INT8_FILE))).graph!;
    const int8Weights = graph.initializer!.filter((t) => t.dataType === 3); // INT8
    expect(int8Weights.length).toBeGreaterThanOrEqual(convs.length - 2);
    expect(graph.node!.filter((n) => n.opType === 'QuantizeLinear').length).toBeGreaterThan(0);
    // The recorded error is real and bounded (a random-init tiny model: the two-conv test above holds the tight bound).
    expect(q.featureRelRmsError).toBeGreaterThan(0);
    expect(q.featureRelRmsError).toBeLessThan(0.3);
  }, 120_000);

  it('the int8 retriever encodes frames close to the float one and says which encoder it runs', async () => {
    const frames = Array.from({ length: 3 }, (_, k) => ({
      data: Uint8Array.from({ length: 96 * 80 * 3 }, (_, i) => (i * (7 + k) + (i >> 5)) % 251), width: 96, height: 80, channels: 3 as const,
    }));
    const float = await OnnxRetriever.open(modelDir, { encoder: 'float' });
    const int8 = await OnnxRetriever.open(modelDir, { encoder: 'auto' });
    try {
      expect(float.encoderIdentity.precision).toBe('float');
      expect(int8.encoderIdentity).toEqual({ precision: 'int8', file: ENCODER_INT8_FILE, sha256: readOnnxManifest(modelDir).encoderInt8!.sha256 });
      const a = (await float.encode(frames)).features;
      const b = (await int8.encode(frames)).features;
      let err = 0;
      let norm = 0;
      for (let i = 0; i < a.length; i++) { err += (a[i]! - b[i]!) ** 2; norm += a[i]! ** 2; }
      expect(Math.sqrt(err / norm)).toBeLessThan(0.3);
      expect(Math.sqrt(err / norm)).toBeGreaterThan(0); // really another graph
    } finally {
      await float.dispose();
      await int8.dispose();
    }
  }, 60_000);

  it('is deterministic, and refuses a modified file, a model without one and a calibration set too small', async () => {
    const first = readFileSync(join(modelDir, ENCODER_INT8_FILE));
    await quantizeEncoderDir(modelDir, { dataDir, images: 8 });
    expect(Buffer.compare(first, readFileSync(join(modelDir, ENCODER_INT8_FILE)))).toBe(0);
    await expect(quantizeEncoderDir(modelDir, { dataDir, images: 10_000 })).rejects.toThrow(/train split has \d+ frames, calibration needs 10000/);
    writeFileSync(join(modelDir, ENCODER_INT8_FILE), first.subarray(0, first.length - 10));
    await expect(OnnxRetriever.open(modelDir, { encoder: 'int8' })).rejects.toThrow(/encoder\.int8\.onnx: contents do not match onnx\.json/);
    writeFileSync(join(modelDir, ENCODER_INT8_FILE), first);
    const bare = join(root, 'bare');
    await makeRandomOnnxModel(bare, 'tiny');
    await expect(OnnxRetriever.open(bare, { encoder: 'int8' })).rejects.toThrow(/onnx\.json: lists no int8 encoder: run `fastpr quantize-encoder/);
    const auto = await OnnxRetriever.open(bare, { encoder: 'auto' }); // no int8 encoder: the float one
    expect(auto.encoderIdentity.precision).toBe('float');
    await auto.dispose();
  }, 120_000);
  it('a re-export of the same model keeps the int8 encoder; a stale or damaged one is dropped', async () => {
    const before = readOnnxManifest(modelDir);
    const listed = before.encoderInt8!;
    const reexported = await exportModelDir(modelDir, { threshold: 0.45 });
    expect(reexported.threshold).toBe(0.45);
    // The export is deterministic, also a second one in the same process (initializers are named by weight).
    expect(reexported.encoder.sha256).toBe(before.encoder.sha256);
    expect(reexported.head.sha256).toBe(before.head.sha256);
    expect(reexported.encoderInt8).toEqual(listed);
    expect(readOnnxManifest(modelDir).encoderInt8).toEqual(listed);
    // Made from another float encoder (a retrained model): dropped, and the retriever says so.
    const manifestFile = join(modelDir, ONNX_MANIFEST_FILE);
    const stale = JSON.parse(readFileSync(manifestFile, 'utf8'));
    stale.encoderInt8.fromEncoderSha256 = 'f'.repeat(64);
    writeFileSync(manifestFile, JSON.stringify(stale));
    expect((await exportModelDir(modelDir)).encoderInt8).toBeUndefined();
    await expect(OnnxRetriever.open(modelDir, { encoder: 'int8' })).rejects.toThrow(/lists no int8 encoder/);
    // Listed, but its file changed since: dropped too.
    writeFileSync(manifestFile, JSON.stringify({ ...stale, encoderInt8: listed }));
    const int8File = join(modelDir, ENCODER_INT8_FILE);
    const bytes = readFileSync(int8File);
    writeFileSync(int8File, bytes.subarray(0, bytes.length - 1));
    expect((await exportModelDir(modelDir)).encoderInt8).toBeUndefined();
  }, 120_000);
});
