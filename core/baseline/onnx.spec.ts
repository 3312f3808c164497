/** The baseline's networks on onnxruntime agree with TF.js on the same weights (tiny sizes). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../tf/backend';
import * as tf from '../tf/tf';
import { classifierForward } from './classifier';
import { defaultBaselineConfig } from './config';
import { detectorForward } from './detector';
import { createBaseline, disposeBaseline, type BaselineModel } from './modelDir';
import { BaselineOnnxNets, exportBaselineOnnx } from './onnx';
import { BaselinePredictor } from './predictor';

const root = mkdtempSync(join(tmpdir(), 'fastpr-baseline-onnx-'));
let model: BaselineModel;
beforeAll(async () => {
  await initBackend({ purpose: 'infer' });
  model = createBaseline(defaultBaselineConfig({
    seed: 9,
    detector: { inputSize: 64, layers: [{ out: 8, stride: 2, k: 3 }, { out: 16, stride: 2, k: 3 }, { out: 16, stride: 1, k: 3 }, { out: 16, stride: 2, k: 3 }, { out: 16, stride: 2, k: 3 }], scoreThreshold: 0.3, nmsIoU: 0.45, maxDetections: 10, boxLossWeight: 5 },
    classifier: { cropSize: [32, 16], layers: [{ out: 8, stride: 2, k: 3 }, { out: 16, stride: 2, k: 3 }], hidden: 16, jitter: 0.1 },
  }));
  // Random weights predict near-zero sizes; a positive size bias makes boxes, so stage 2 runs too.
  model.detector.get('det.head.bias')!.assign(tf.tensor1d([0, 0, 0, 0.3, 0.5]));
});
afterAll(() => { disposeBaseline(model); rmSync(root, { recursive: true, force: true }); });

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

describe('baseline ONNX export', () => {
  it('gives the TF.js outputs within 1e-4, and the same predictions', async () => {
    exportBaselineOnnx(model, root);
    const nets = await BaselineOnnxNets.open(root, 1);
    try {
      const images = tf.randomUniform([3, 64, 64, 3], -1, 1, 'float32', 1) as tf.Tensor4D;
      const crops = tf.randomUniform([5, 32, 16, 3], -1, 1, 'float32', 2) as tf.Tensor4D;
      const rawTf = detectorForward(model.detector, model.config.detector, images).dataSync();
      const logitsTf = classifierForward(model.classifier, model.config.classifier, crops).dataSync();
      const rawOrt = await nets.detect(images.dataSync() as Float32Array, [3, 64, 64, 3]);
      const logitsOrt = await nets.classify(crops.dataSync() as Float32Array, [5, 32, 16, 3]);
      expect(rawOrt.length).toBe(rawTf.length);
      expect(maxDiff(rawOrt, rawTf)).toBeLessThanOrEqual(1e-4);
      expect(maxDiff(logitsOrt, logitsTf)).toBeLessThanOrEqual(1e-4);

      // Whole stage 1 + 2 on frames of another size.
      const frames = [tf.randomUniform([48, 80, 3], -1, 1, 'float32', 5) as tf.Tensor3D, tf.randomUniform([70, 40, 3], -1, 1, 'float32', 6) as tf.Tensor3D];
      const a = await new BaselinePredictor(model).analyse(frames);
      const b = await new BaselinePredictor(model, { nets }).analyse(frames);
      expect(a.reduce((n, x) => n + x.detections.length, 0)).toBeGreaterThan(0);
      expect(b.map((x) => x.detections.length)).toEqual(a.map((x) => x.detections.length));
      a.forEach((fa, i) => fa.detections.forEach((d, j) => {
        expect(maxDiff(b[i]!.detections[j]!.box, d.box)).toBeLessThan(1e-2);
        expect(maxDiff(b[i]!.probs[j]!, fa.probs[j]!)).toBeLessThan(1e-4);
      }));
      tf.dispose([images, crops, ...frames]);
    } finally {
      await nets.dispose();
    }
  });
});
