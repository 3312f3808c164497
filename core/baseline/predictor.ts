/**
 * The two-stage baseline as an Evaluator: detect persons at 416×416, classify each crop at 128×64,
 * rank crops against each query (Cos-Sim or the Per-Vis-like cascade). The two networks run on the
 * active TF.js backend, or on onnxruntime when given exported sessions (`nets`) — the runtime
 * FastPR's product path uses, for a fair timing comparison.
 */
import { codesToSlotArray } from '../attributes/schema';
import type { Box } from '../dataset/format';
import type { EvalFrame, EvalQuery, Evaluator, QueryPrediction } from '../eval/types';
import { throwIfCancelled } from '../jobs/progress';
import * as tf from '../tf/tf';
import { classifierForward, slotProbabilities, SLOTS } from './classifier';
import { decodeDetections, detectorForward } from './detector';
import { cropBoxes, detectorInput, inputToFrameBox, loadFrameTensor } from './frames';
import type { BaselineModel } from './modelDir';
import { rankCascade, rankCosSim } from './ranking';
import type { Detection } from './nms';
import type { BaselineOnnxNets } from './onnx';

export interface FrameAnalysis {
  /** Detections in frame pixels. */
  detections: Detection[];
  /** Per detection, the concatenated per-slot attribute probabilities. */
  probs: Float32Array[];
}

export interface BaselinePredictorOptions {
  /** Candidates kept per query (≥ 5 for R@5). */
  topK?: number;
  /** Override the configured ranking method. */
  method?: 'cos-sim' | 'cascade';
  /** Run the networks on onnxruntime (exported with exportBaselineOnnx) instead of TF.js. */
  nets?: BaselineOnnxNets;
}

export class BaselinePredictor implements Evaluator {
  readonly name: string;
  private readonly topK: number;
  private readonly method: 'cos-sim' | 'cascade';
  private readonly nets: BaselineOnnxNets | undefined;
  constructor(readonly model: BaselineModel, options: BaselinePredictorOptions = {}) {
    this.topK = options.topK ?? 10;
    this.method = options.method ?? model.config.ranking.method;
    this.nets = options.nets;
    const runtime = this.nets ? 'onnxruntime' : 'TF.js';
    this.name = `${this.method === 'cascade' ? 'Two-stage baseline (Per-Vis-like cascade)' : 'Two-stage baseline (Cos-Sim)'}, ${runtime}`;
  }

  private async detectorRaw(frames: tf.Tensor3D[]): Promise<Float32Array> {
    const { config, detector } = this.model;
    if (this.nets) {
      const input = detectorInput(frames, config.detector);
      const data = (await input.data()) as Float32Array;
      input.dispose();
      return this.nets.detect(data, [frames.length, config.detector.inputSize, config.detector.inputSize, 3]);
    }
    const raw = tf.tidy(() => detectorForward(detector, config.detector, detectorInput(frames, config.detector)));
    const values = (await raw.data()) as Float32Array;
    raw.dispose();
    return values;
  }

  private async cropProbs(frame: tf.Tensor3D, boxes: Box[]): Promise<Float32Array> {
    const { config, classifier } = this.model;
    if (this.nets) {
      const crops = cropBoxes(frame, boxes, config.classifier);
      const data = (await crops.data()) as Float32Array;
      crops.dispose();
      const logits = await this.nets.classify(data, [boxes.length, config.classifier.cropSize[0], config.classifier.cropSize[1], 3]);
      const probs = tf.tidy(() => slotProbabilities(tf.tensor2d(logits, [boxes.length, SLOTS.total])));
      const out = (await probs.data()) as Float32Array;
      probs.dispose();
      return out;
    }
    const probsT = tf.tidy(() => slotProbabilities(classifierForward(classifier, config.classifier, cropBoxes(frame, boxes, config.classifier))));
    const out = (await probsT.data()) as Float32Array;
    probsT.dispose();
    return out;
  }

  /** Stage 1 + 2 for decoded frames (normalised [H, W, 3] tensors, not disposed here). */
  async analyse(frames: tf.Tensor3D[]): Promise<FrameAnalysis[]> {
    const { config } = this.model;
    const values = await this.detectorRaw(frames);
    const per = values.length / frames.length;
    const out: FrameAnalysis[] = [];
    for (let i = 0; i < frames.length; i++) {
      const frame = frames[i]!;
      const [h, w] = [frame.shape[0], frame.shape[1]];
      const detections = decodeDetections(values.subarray(i * per, (i + 1) * per), config.detector)
        .map((d) => ({ score: d.score, box: inputToFrameBox(d.box, w, h, config.detector.inputSize) }));
      if (detections.length === 0) { out.push({ detections, probs: [] }); continue; }
      const flat = await this.cropProbs(frame, detections.map((d) => d.box));
      out.push({ detections, probs: detections.map((_, j) => flat.slice(j * SLOTS.total, (j + 1) * SLOTS.total)) });
    }
    return out;
  }

  /** Stage 3 for one query on an analysed frame. */
  rank(analysis: FrameAnalysis, query: EvalQuery): Pick<QueryPrediction, 'candidates' | 'absent'> {
    const slots = codesToSlotArray(query.attributes);
    const input = { probs: analysis.probs, detScores: analysis.detections.map((d) => d.score) };
    const r = this.model.config.ranking;
    const ranked = this.method === 'cascade' ? rankCascade(input, slots, r.keepRatio, r.slotOrder) : rankCosSim(input, slots);
    const candidates = ranked.slice(0, this.topK).map((x) => ({ box: analysis.detections[x.index]!.box as Box, score: x.score }));
    const best = ranked[0];
    return { candidates, absent: !best || best.cosine < r.absentThreshold };
  }

  async predict(frames: EvalFrame[], queries: EvalQuery[], signal?: AbortSignal): Promise<QueryPrediction[]> {
    throwIfCancelled(signal, 'Baseline prediction');
    const tensors = await Promise.all(frames.map((f) => loadFrameTensor(f.imagePath)));
    try {
      const analyses = await this.analyse(tensors);
      const byId = new Map(frames.map((f, i) => [f.id, analyses[i]!]));
      return queries.flatMap((q) => {
        const a = byId.get(q.frameId);
        return a ? [{ frameId: q.frameId, queryIndex: q.queryIndex, ...this.rank(a, q) }] : [];
      });
    } finally {
      tensors.forEach((t) => t.dispose());
    }
  }
}
