/**
 * Flip test-time augmentation: the input mirror and the per-cell merge by hand on tiny tensors, then
 * through real onnxruntime with a random-init tiny model: a frame's flip-TTA outputs are the mean of
 * its own and of its mirror image's, mapped back cell by cell (a square frame, so preprocessing and
 * mirroring commute exactly).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRandomOnnxModel } from '../index/testing/randomModel';
import type { HeadOutputs } from './decodeFrames';
import { mergeMirrored, mirrorInputs, parseTta } from './flipTta';
import { OnnxRetriever } from './onnxRetriever';

describe('flip TTA by hand', () => {
  it('mirrors NHWC inputs left–right, per image', () => {
    // 2 images of 2×2 pixels: values encode (image, y, x, channel).
    const data = Float32Array.from({ length: 2 * 2 * 2 * 3 }, (_, i) => i);
    const m = mirrorInputs(data, 2, 2);
    const at = (a: Float32Array, b: number, y: number, x: number, c: number) => a[((b * 2 + y) * 2 + x) * 3 + c];
    for (let b = 0; b < 2; b++) for (let y = 0; y < 2; y++) for (let x = 0; x < 2; x++) for (let c = 0; c < 3; c++) {
      expect(at(m, b, y, x, c)).toBe(at(data, b, y, 1 - x, c));
    }
    expect(Array.from(mirrorInputs(m, 2, 2))).toEqual(Array.from(data));
  });

  it('averages each cell with its mirror cell: confidence, box (x ↦ 1 − x), attention', () => {
    const S = 3, T = 2, cells = S * S;
    const plain: HeadOutputs = {
      confidence: Float32Array.from({ length: cells }, (_, i) => i / 10),
      boxes: Float32Array.from({ length: cells * 4 }, (_, i) => (i % 4 === 0 ? 0.2 : 0.5)),
      attention: Float32Array.from({ length: T * cells }, (_, i) => i),
    };
    const mirrored: HeadOutputs = {
      confidence: Float32Array.from({ length: cells }, (_, i) => 1 - i / 10),
      boxes: Float32Array.from({ length: cells * 4 }, (_, i) => (i % 4 === 0 ? 0.4 : 0.3)),
      attention: Float32Array.from({ length: T * cells }, (_, i) => 100 + i),
    };
    const m = mergeMirrored(plain, mirrored, S, T);
    // Cell (1, 0) = 3 pairs with the mirrored output's cell (1, 2) = 5.
    expect(m.confidence[3]).toBeCloseTo((0.3 + (1 - 0.5)) / 2, 6);
    // Its box x: (0.2 + (1 − 0.4)) / 2; y, w, h: (0.5 + 0.3) / 2.
    expect(m.boxes[12]).toBeCloseTo((0.2 + 0.6) / 2, 6);
    expect(Array.from(m.boxes.subarray(13, 16)).map((v) => +v.toFixed(6))).toEqual([0.4, 0.4, 0.4]);
    // The middle column maps onto itself: cell 4 with cell 4.
    expect(m.confidence[4]).toBeCloseTo((0.4 + 0.6) / 2, 6);
    // Attention of slot 1, cell (2, 2) = 8 pairs with slot 1, cell (2, 0) = 6.
    expect(m.attention[cells + 8]).toBeCloseTo((cells + 8 + 100 + cells + 6) / 2, 6);
    // Merging an output with itself as its own mirror gives a left–right symmetric map.
    const sym = mergeMirrored(plain, plain, S, T);
    for (let r = 0; r < S; r++) expect(sym.confidence[r * S]).toBeCloseTo(sym.confidence[r * S + 2]!, 6);
  });

  it('parses --tta', () => {
    expect(parseTta(undefined)).toBe('none');
    expect(parseTta('flip')).toBe('flip');
    expect(() => parseTta('rotate')).toThrow(/--tta must be none or flip, got "rotate"/);
  });
});

describe('flip TTA through onnxruntime', () => {
  const root = mkdtempSync(join(tmpdir(), 'fastpr-tta-'));
  let retriever: OnnxRetriever;
  beforeAll(async () => {
    const model = await makeRandomOnnxModel(join(root, 'model'), 'tiny');
    retriever = await OnnxRetriever.open(model, { batchSize: 8 });
  }, 120_000);
  afterAll(async () => {
    await retriever?.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  it("a frame's flip-TTA prediction is the mean of its own and its mirror image's, mapped back", async () => {
    const size = retriever.inputSize;
    let s = 99;
    const data = Uint8Array.from({ length: size * size * 4 }, (_, i) => (i % 4 === 3 ? 255 : (s = (s * 1103515245 + 12345) >>> 0) >>> 24));
    const mirrorData = new Uint8Array(data.length);
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) for (let c = 0; c < 4; c++) mirrorData[(y * size + size - 1 - x) * 4 + c] = data[(y * size + x) * 4 + c]!;
    const frame = { data, width: size, height: size, channels: 4 as const };
    const codes = { gender: 1, torsoColour: 3 };
    const [plain] = await retriever.predict([frame], codes, { topK: 3 });
    const [mirror] = await retriever.predict([{ ...frame, data: mirrorData }], codes, { topK: 3 });
    const [flip] = await retriever.predict([frame], codes, { topK: 3, tta: 'flip' });
    const S = retriever.grid;
    for (let r = 0; r < S; r++) for (let c = 0; c < S; c++) {
      expect(flip!.confidenceMap[r]![c]!).toBeCloseTo((plain!.confidenceMap[r]![c]! + mirror!.confidenceMap[r]![S - 1 - c]!) / 2, 5);
    }
    const ours = flip!.confidenceMap.flat();
    expect(Math.max(...ours.map((v, i) => Math.abs(v - plain!.confidenceMap.flat()[i]!)))).toBeGreaterThan(1e-4); // it changed something
  });
});
