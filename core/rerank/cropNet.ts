/**
 * The crop network: a small CNN that reads all sixteen attributes from a person's crop (writeCrop,
 * 64×32 by default), trained from scratch on the dataset's people (fitCropNet.ts) and run through
 * onnxruntime (`reranker-crops.onnx` beside reranker.json). Its log P(stated value | crop) joins the
 * colour histograms' in the re-ranking score (rerank.ts). The architecture is the two-stage
 * baseline's attribute CNN (core/baseline/classifier.ts) at a smaller crop: strided 3×3 convs, a
 * flatten that keeps where on the body a colour is, one hidden dense layer, a softmax per attribute.
 */
import { ATTRIBUTES, type AttributeCodes } from '../attributes/schema';
import { slotLayout, type ClassifierConfig } from '../baseline/config';
import { ModelError } from '../errors';
import type { Frame } from '../infer/frames';
import { OnnxSession } from '../onnx/runtime';
import { cropBatch, type CropSize } from './crop';
import type { Box } from './descriptor';

export const CROP_NET_FILE = 'reranker-crops.onnx';

export interface CropNetConfig {
  cropSize: CropSize;
  layers: { out: number; stride: 1 | 2; k: number }[];
  hidden: number;
}

/** ~9.4 M multiply-adds per crop: 20 candidates in ~4 ms on one core here. */
export const CROP_NET_DEFAULTS: CropNetConfig = {
  cropSize: [64, 32],
  layers: [
    { out: 24, stride: 2, k: 3 }, { out: 32, stride: 1, k: 3 }, { out: 48, stride: 2, k: 3 },
    { out: 48, stride: 1, k: 3 }, { out: 64, stride: 2, k: 3 },
  ],
  hidden: 128,
};

export function classifierConfigOf(cfg: CropNetConfig): ClassifierConfig {
  return { cropSize: [cfg.cropSize[0], cfg.cropSize[1]], layers: cfg.layers.map((l) => ({ ...l })), hidden: cfg.hidden, jitter: 0 };
}

/** Values per attribute in schema order, and where each attribute's logits start in the network's output. */
export const SLOT_SIZES: readonly number[] = ATTRIBUTES.map((a) => a.values.length);
const LAYOUT = slotLayout(SLOT_SIZES); // the baseline classifier's output layout (config.ts: no TF.js import)
export const SLOT_OFFSETS: readonly number[] = LAYOUT.offsets;
export const OUTPUT_WIDTH = LAYOUT.total;

/** Concatenated logits of one crop → concatenated per-attribute log-probabilities, in place. */
export function logSoftmaxSlots(row: Float32Array): Float32Array {
  SLOT_SIZES.forEach((size, s) => {
    const o = SLOT_OFFSETS[s]!;
    let max = -Infinity;
    for (let k = 0; k < size; k++) max = Math.max(max, row[o + k]!);
    let sum = 0;
    for (let k = 0; k < size; k++) sum += Math.exp(row[o + k]! - max);
    const lse = max + Math.log(sum);
    for (let k = 0; k < size; k++) row[o + k]! -= lse;
  });
  return row;
}

/** Σ over the query's stated attributes of log P(value | crop), from one crop's log-probabilities. */
export function cropQueryLogLikelihood(logProbs: Float32Array, codes: AttributeCodes): number {
  let sum = 0;
  ATTRIBUTES.forEach((a, s) => {
    const code = codes[a.key];
    if (code === undefined || code < 0 || code >= SLOT_SIZES[s]!) return;
    sum += logProbs[SLOT_OFFSETS[s]! + code]!;
  });
  return sum;
}

/** Fills crops n..2n−1 of `crops` with crops 0..n−1 mirrored left to right. */
export function mirrorCrops(crops: Float32Array, n: number, [h, w]: CropSize): void {
  const per = h * w * 3;
  for (let k = 0; k < n; k++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const from = k * per + (y * w + x) * 3, to = (n + k) * per + (y * w + (w - 1 - x)) * 3;
        crops[to] = crops[from]!;
        crops[to + 1] = crops[from + 1]!;
        crops[to + 2] = crops[from + 2]!;
      }
    }
  }
}

/** An open crop network. One run per call: all the boxes of a frame in one batch. */
export class CropNetSession {
  private constructor(private readonly session: OnnxSession, readonly cropSize: CropSize) {}

  static async open(file: string, cropSize: CropSize, threads?: number): Promise<CropNetSession> {
    const session = await OnnxSession.create(file, { provider: 'cpu', label: file, ...(threads ? { intraOpThreads: threads } : {}) });
    const out = session.output('logits');
    if (!session.input('crops') || !out) {
      await session.dispose();
      throw new ModelError(`${file}: not a crop network (needs input "crops" and output "logits")`, { file });
    }
    return new CropNetSession(session, cropSize);
  }

  /**
   * Per box, its concatenated per-attribute log-probabilities (OUTPUT_WIDTH values): the softmax of
   * the mean of the crop's and its mirror image's logits (no attribute depends on left and right;
   * validation R@1 53.17 → 53.60 with it, session 27). One run of 2n crops.
   */
  async logProbabilities(frame: Frame, boxes: readonly Box[]): Promise<Float32Array[]> {
    const n = boxes.length;
    if (n === 0) return [];
    const [h, w] = this.cropSize;
    const per = h * w * 3;
    const crops = new Float32Array(2 * n * per);
    crops.set(cropBatch(frame, boxes, this.cropSize));
    mirrorCrops(crops, n, this.cropSize);
    const { logits } = await this.session.run({ crops: { type: 'float32', data: crops, dims: [2 * n, h, w, 3] } });
    const all = logits!.data as Float32Array;
    if (all.length !== 2 * n * OUTPUT_WIDTH) {
      throw new ModelError(`${this.session.label}: ${all.length / (2 * n)} outputs per crop, the attribute schema needs ${OUTPUT_WIDTH}`, { file: this.session.label });
    }
    return boxes.map((_, k) => {
      const row = all.slice(k * OUTPUT_WIDTH, (k + 1) * OUTPUT_WIDTH);
      const mirrored = (n + k) * OUTPUT_WIDTH;
      for (let j = 0; j < OUTPUT_WIDTH; j++) row[j] = (row[j]! + all[mirrored + j]!) / 2;
      return logSoftmaxSlots(row);
    });
  }

  async dispose(): Promise<void> {
    await this.session.dispose();
  }
}
