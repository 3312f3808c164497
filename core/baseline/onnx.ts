/**
 * The baseline's two networks exported to ONNX (through core/onnx's TF.js tracer) and run by
 * onnxruntime, so the Table-1 timing compares FastPR and the baseline on the same runtime. Frame
 * resizing and crop-and-resize stay in TF.js (cheap next to the networks, identical to training).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OnnxSession } from '../onnx/runtime';
import { exportFunction } from '../onnx/trace/exportFunction';
import * as tf from '../tf/tf';
import { classifierForward } from './classifier';
import { detectorForward } from './detector';
import type { BaselineModel } from './modelDir';
import type { Params } from './params';

export const DETECTOR_ONNX = 'detector.onnx';
export const CLASSIFIER_ONNX = 'classifier.onnx';

function names(params: Params): Map<number, string> {
  return new Map([...params].map(([name, v]) => [v.id, name]));
}

/** Writes detector.onnx ([N,S,S,3] "image" → [N,G,G,5] "raw") and classifier.onnx ([N,h,w,3] "crops" → "logits"). */
export function exportBaselineOnnx(model: BaselineModel, dir: string): { detectorBytes: number; classifierBytes: number } {
  const { detector: d, classifier: c } = model.config;
  const det = exportFunction('baseline_detector',
    (n) => ({ image: tf.randomNormal([n, d.inputSize, d.inputSize, 3], 0, 1, 'float32', 3) }),
    (x) => ({ raw: detectorForward(model.detector, d, x.image as tf.Tensor4D) }),
    { constantNames: names(model.detector), docString: 'Two-stage baseline, stage 1: person detector (objectness, x, y, √w, √h per cell).' });
  const cls = exportFunction('baseline_classifier',
    (n) => ({ crops: tf.randomNormal([n, c.cropSize[0], c.cropSize[1], 3], 0, 1, 'float32', 4) }),
    (x) => ({ logits: classifierForward(model.classifier, c, x.crops as tf.Tensor4D) }),
    { constantNames: names(model.classifier), docString: 'Two-stage baseline, stage 2: attribute classifier (16 heads, concatenated logits).' });
  writeFileSync(join(dir, DETECTOR_ONNX), det.bytes);
  writeFileSync(join(dir, CLASSIFIER_ONNX), cls.bytes);
  return { detectorBytes: det.bytes.length, classifierBytes: cls.bytes.length };
}

/** onnxruntime sessions of an exported baseline. */
export class BaselineOnnxNets {
  private constructor(private readonly detector: OnnxSession, private readonly classifier: OnnxSession) {}

  static async open(dir: string, threads?: number): Promise<BaselineOnnxNets> {
    const opts = { provider: 'cpu' as const, ...(threads ? { intraOpThreads: threads } : {}) };
    const det = await OnnxSession.create(join(dir, DETECTOR_ONNX), { ...opts, label: join(dir, DETECTOR_ONNX) });
    try {
      return new BaselineOnnxNets(det, await OnnxSession.create(join(dir, CLASSIFIER_ONNX), { ...opts, label: join(dir, CLASSIFIER_ONNX) }));
    } catch (e) {
      await det.dispose();
      throw e;
    }
  }

  async detect(images: Float32Array, dims: readonly number[]): Promise<Float32Array> {
    const { raw } = await this.detector.run({ image: { type: 'float32', data: images, dims } });
    return raw!.data as Float32Array;
  }

  async classify(crops: Float32Array, dims: readonly number[]): Promise<Float32Array> {
    const { logits } = await this.classifier.run({ crops: { type: 'float32', data: crops, dims } });
    return logits!.data as Float32Array;
  }

  async dispose(): Promise<void> {
    await this.detector.dispose();
    await this.classifier.dispose();
  }
}
