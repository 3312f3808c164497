/**
 * The crop network end to end on frames made in memory: crops resample boxes as stated (bytes and
 * floats agree; a person twice the size reads nearly the same crop), a tiny network trained on the
 * wasm backend reads block people's torso colours on held-out crops, its ONNX export computes what
 * TF.js computes (crop and mirror image averaged), the BoxReader joins it to the colour reader, and reranker.json version 3 names the
 * network by hash — a missing, swapped or escaping network file is refused by name.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ATTRIBUTES } from '../attributes/schema';
import { classifierForward } from '../baseline/classifier';
import { disposeParams, type Params } from '../baseline/params';
import type { Frame } from '../infer/frames';
import { Rng } from '../model/rng';
import { initBackend } from '../tf/backend';
import * as tf from '../tf/tf';
import { BoxReader } from './boxReader';
import { cropBatch, writeCrop } from './crop';
import { classifierConfigOf, CROP_NET_FILE, CropNetSession, cropQueryLogLikelihood, OUTPUT_WIDTH, SLOT_OFFSETS, type CropNetConfig } from './cropNet';
import { fitCropAttributeReader } from './fit';
import { exportCropNet, trainCropNet, type CropSamples } from './fitCropNet';
import { readReranker, RERANKER_FILE, writeReranker } from './file';
import { boxDescriptor } from './descriptor';

const root = mkdtempSync(join(tmpdir(), 'fastpr-cropnet-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeAll(async () => {
  await initBackend({ prefer: 'wasm', purpose: 'train' });
});

const PALETTE: Record<number, [number, number, number]> = { 0: [20, 20, 20], 1: [30, 40, 220], 8: [220, 30, 30], 9: [235, 235, 235], 3: [40, 170, 60] };
const CODES = [0, 1, 8, 9, 3];
const TORSO = ATTRIBUTES.findIndex((a) => a.key === 'torsoColour');
const TINY: CropNetConfig = { cropSize: [16, 8], layers: [{ out: 8, stride: 2, k: 3 }, { out: 12, stride: 2, k: 3 }], hidden: 24 };

/** A grey RGB frame, `scale` pixels per unit, with block people (torso rows [t, t+14), legs [t+14, t+30) in units). */
function blockFrame(people: { left: number; top: number; torso: number; leg: number }[], rng?: Rng, scale = 1): Frame {
  const width = 64 * scale, height = 48 * scale;
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) data.set([120, 130, 110], i * 3);
  for (const p of people) {
    for (let y = p.top * scale; y < (p.top + 30) * scale && y < height; y++) {
      for (let x = p.left * scale; x < (p.left + 12) * scale && x < width; x++) {
        const rgb = PALETTE[y < (p.top + 14) * scale ? p.torso : p.leg]!;
        const noise = () => (rng ? Math.round(rng.uniform(-25, 25)) : 0);
        data.set([rgb[0] + noise(), rgb[1] + noise(), rgb[2] + noise()].map((v) => Math.max(0, Math.min(255, v))), (y * width + x) * 3);
      }
    }
  }
  return { data, width, height, channels: 3 };
}

function person(rng: Rng) {
  const torso = CODES[rng.int(CODES.length)]!, leg = CODES[rng.int(CODES.length)]!;
  const left = rng.int(40), top = rng.int(12);
  const jitter = () => rng.uniform(-2, 2);
  const frame = blockFrame([{ left, top, torso, leg }], rng);
  return { frame, box: [left + jitter(), top + jitter(), left + 12 + jitter(), top + 30 + jitter()], torso, leg };
}

function cropSamplesOf(n: number, seed: number): CropSamples {
  const rng = new Rng(seed);
  const per = TINY.cropSize[0] * TINY.cropSize[1] * 3;
  const pixels = new Uint8ClampedArray(n * per);
  const labels = new Int32Array(n * ATTRIBUTES.length).fill(-1);
  for (let i = 0; i < n; i++) {
    const p = person(rng);
    writeCrop(p.frame, p.box, TINY.cropSize, pixels, i * per);
    labels[i * ATTRIBUTES.length + TORSO] = p.torso;
    labels[i * ATTRIBUTES.length + ATTRIBUTES.findIndex((a) => a.key === 'legColour')] = p.leg;
  }
  return { config: TINY, count: n, pixels, labels };
}

describe('writeCrop', () => {
  it('samples the box at pixel centres, as floats −1..1 or as bytes, and reads a person twice the size nearly the same', () => {
    const frame = blockFrame([{ left: 10, top: 5, torso: 8, leg: 1 }]);
    const floats = cropBatch(frame, [[10, 5, 22, 35]], [30, 12]);
    const bytes = new Uint8ClampedArray(30 * 12 * 3);
    writeCrop(frame, [10, 5, 22, 35], [30, 12], bytes);
    // One crop pixel per frame pixel: the torso's red and the legs' blue, exactly.
    expect(Array.from(bytes.subarray(0, 3))).toEqual(PALETTE[8]);
    expect(Array.from(bytes.subarray((29 * 12 + 11) * 3, (29 * 12 + 11) * 3 + 3))).toEqual(PALETTE[1]);
    bytes.forEach((b, i) => expect(Math.abs(b / 127.5 - 1 - floats[i]!)).toBeLessThan(0.5 / 127.5 + 1e-6));
    // The same person at twice the pixels, cropped to the same size: the averaging taps keep it (edges blur a little).
    const big = blockFrame([{ left: 10, top: 5, torso: 8, leg: 1 }], undefined, 2);
    const bigCrop = cropBatch(big, [[20, 10, 44, 70]], [30, 12]);
    let worst = 0, mean = 0;
    floats.forEach((v, i) => { const d = Math.abs(v - bigCrop[i]!); worst = Math.max(worst, d); mean += d / floats.length; });
    expect(mean).toBeLessThan(0.02);
    expect(worst).toBeLessThan(1.0);
  });
});

describe('crop network', () => {
  let params: Params;
  let modelDir: string;
  let onnxFile: string;
  let onnxSha: string;
  beforeAll(async () => {
    params = await trainCropNet(cropSamplesOf(600, 1), { steps: 250, batchSize: 32, learningRate: 3e-3, seed: 2 });
    modelDir = join(root, 'model');
    mkdirSync(modelDir);
    ({ file: onnxFile, sha256: onnxSha } = exportCropNet(params, TINY, join(modelDir, CROP_NET_FILE)));
  }, 120_000);
  afterAll(() => disposeParams(params));

  it('reads torso colours of held-out crops, and its ONNX export computes what TF.js computes', async () => {
    const rng = new Rng(77);
    const held = Array.from({ length: 100 }, () => person(rng));
    const per = TINY.cropSize[0] * TINY.cropSize[1] * 3;
    const floats = new Float32Array(held.length * per);
    held.forEach((p, i) => floats.set(cropBatch(p.frame, [p.box], TINY.cropSize), i * per));
    // The session reads each crop and its mirror image and averages their logits.
    const reference = tf.tidy(() => {
      const crops = tf.tensor4d(floats, [held.length, ...TINY.cropSize, 3]);
      const forward = (x: tf.Tensor4D) => classifierForward(params, classifierConfigOf(TINY), x);
      return tf.div(tf.add(forward(crops), forward(tf.reverse(crops, 2))), 2);
    }).dataSync() as Float32Array;
    const session = await CropNetSession.open(onnxFile, TINY.cropSize);
    try {
      let right = 0;
      for (const [i, p] of held.entries()) {
        const [logProbs] = await session.logProbabilities(p.frame, [p.box]);
        const off = SLOT_OFFSETS[TORSO]!;
        const best = Array.from(logProbs!.subarray(off, off + 12)).reduce((b, v, k, all) => (v > all[b]! ? k : b), 0);
        if (best === p.torso) right++;
        // Parity: the log-softmax of TF.js's logits for the same crop and its mirror image.
        const row = reference.subarray(i * OUTPUT_WIDTH + off, i * OUTPUT_WIDTH + off + 12);
        const lse = Math.log(Array.from(row).reduce((sum, v) => sum + Math.exp(v), 0));
        for (let k = 0; k < 12; k++) expect(Math.abs(logProbs![off + k]! - (row[k]! - lse))).toBeLessThan(1e-4);
      }
      // Five colours: chance is 20 %.
      expect(right).toBeGreaterThanOrEqual(85);
    } finally {
      await session.dispose();
    }
  });

  it('trains the same network from the same samples and seed (dropout masks are seeded): the same ONNX bytes', async () => {
    const samples = cropSamplesOf(48, 4);
    const shas = [];
    for (const name of ['a', 'b']) {
      const dir = join(root, `again-${name}`);
      mkdirSync(dir);
      const trained = await trainCropNet(samples, { steps: 12, batchSize: 8, seed: 9 });
      shas.push(exportCropNet(trained, TINY, join(dir, CROP_NET_FILE)).sha256);
      disposeParams(trained);
    }
    expect(shas[0]).toBe(shas[1]);
    expect(shas[0]).not.toBe(onnxSha);
  });

  it('stops training between steps when cancelled (the loop yields, so a timer or SIGINT gets through)', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    // A million steps would outlast the test's timeout: only the cancel ends it.
    await expect(trainCropNet(cropSamplesOf(64, 3), { steps: 1_000_000, batchSize: 8, signal: controller.signal })).rejects.toThrow('Training the crop network was cancelled');
  });

  it('joins the colour reader in the BoxReader, and reranker.json version 3 names the network by hash', async () => {
    const rng = new Rng(5);
    const colourSamples = Array.from({ length: 300 }, () => {
      const p = person(rng);
      return { descriptor: boxDescriptor(p.frame, p.box), attributes: { torsoColour: p.torso, legColour: p.leg } };
    });
    const reader = await fitCropAttributeReader(colourSamples, { steps: 150, batchSize: 64, hidden: 16, seed: 3 });
    writeReranker(modelDir, { reader, alpha: 1, pool: 20, provenance: {}, cropNet: { file: onnxFile, sha256: onnxSha, cropSize: TINY.cropSize, weight: 0.5 } });
    const json = JSON.parse(readFileSync(join(modelDir, RERANKER_FILE), 'utf8'));
    expect(json.version).toBe(3);
    expect(json.cropNet).toEqual({ file: 'reranker-crops.onnx', sha256: onnxSha, cropSize: [16, 8], weight: 0.5 });
    const back = readReranker(modelDir)!;
    expect(back.cropNet).toMatchObject({ file: onnxFile, sha256: onnxSha, weight: 0.5 });
    const boxReader = await BoxReader.open(back);
    try {
      expect(boxReader.readsCrops).toBe(true);
      const frame = blockFrame([{ left: 2, top: 4, torso: 8, leg: 1 }, { left: 34, top: 6, torso: 9, leg: 0 }]);
      const query = { torsoColour: 8, legColour: 1 };
      const [red, white] = await boxReader.read(frame, [[2, 4, 14, 34], [34, 6, 46, 36]], query);
      expect(red!.crop).toBeGreaterThan(white!.crop!);
      expect(red!.total).toBeCloseTo(red!.colour + 0.5 * red!.crop!, 6);
      // A query stating nothing either reads: no evidence either way.
      const [none] = await boxReader.read(frame, [[2, 4, 14, 34]], {});
      expect(none).toEqual({ colour: 0, crop: 0, total: 0 });
    } finally {
      await boxReader.dispose();
    }
    expect(cropQueryLogLikelihood(new Float32Array(OUTPUT_WIDTH), { torsoColour: 99 })).toBe(0);

    // Refusals, each naming the file: the network missing, swapped for another, or named with a path.
    const other = join(root, 'other');
    mkdirSync(other);
    copyFileSync(join(modelDir, RERANKER_FILE), join(other, RERANKER_FILE));
    expect(() => readReranker(other)).toThrow(`${join(other, 'reranker-crops.onnx')}: the crop network named by ${join(other, RERANKER_FILE)} is missing`);
    writeFileSync(join(other, 'reranker-crops.onnx'), 'not the network');
    expect(() => readReranker(other)).toThrow(/reranker-crops\.onnx: SHA-256 [0-9a-f]{12}… is not the crop network/);
    for (const [cropNet, why] of [
      [{ ...json.cropNet, file: '../model/reranker-crops.onnx' }, /"cropNet.file" must be the name of an \.onnx file beside it/],
      [{ ...json.cropNet, sha256: 'abc' }, /"cropNet.sha256"/],
      [{ ...json.cropNet, cropSize: [4, 8] }, /"cropNet.cropSize"/],
      [{ ...json.cropNet, weight: -1 }, /"cropNet.weight"/],
    ] as const) {
      writeFileSync(join(other, RERANKER_FILE), JSON.stringify({ ...json, cropNet }));
      expect(() => readReranker(other)).toThrow(why);
    }
    writeFileSync(join(other, RERANKER_FILE), JSON.stringify({ ...json, version: 2 }));
    expect(() => readReranker(other)).toThrow(/"cropNet" needs version 3/);
  });
});
