/**
 * The two-stage baseline as an Evaluator: detect persons at 416×416, classify each crop at 128×64,
 * rank crops against each query (Cos-Sim or the Per-Vis-like cascade). Runs on the active TF.js
 * backend (wasm here); FastPR's ONNX path runs on onnxruntime — compare times on the same runtime.
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
}

export class BaselinePredictor implements Evaluator {
  readonly name: string;
  private readonly topK: number;
  private readonly method: 'cos-sim' | 'cascade';
  constructor(readonly model: BaselineModel, options: BaselinePredictorOptions = {}) {
    this.topK = options.topK ?? 10;
    this.method = options.method ?? model.config.ranking.method;
    this.name = this.method === 'cascade' ? 'Two-stage baseline (Per-Vis-like cascade)' : 'Two-stage baseline (Cos-Sim)';
  }

  /** Stage 1 + 2 for decoded frames (normalised [H, W, 3] tensors, not disposed here). */
  async analyse(frames: tf.Tensor3D[]): Promise<FrameAnalysis[]> {
    const { config, detector, classifier } = this.model;
    const raw = tf.tidy(() => detectorForward(detector, config.detector, detectorInput(frames, config.detector)));
    const values = (await raw.data()) as Float32Array;
    raw.dispose();
    const per = values.length / frames.length;
    const out: FrameAnalysis[] = [];
    for (let i = 0; i < frames.length; i++) {
      const frame = frames[i]!;
      const [h, w] = [frame.shape[0], frame.shape[1]];
      const detections = decodeDetections(values.subarray(i * per, (i + 1) * per), config.detector)
        .map((d) => ({ score: d.score, box: inputToFrameBox(d.box, w, h, config.detector.inputSize) }));
      if (detections.length === 0) { out.push({ detections, probs: [] }); continue; }
      const probsT = tf.tidy(() => slotProbabilities(classifierForward(classifier, config.classifier, cropBoxes(frame, detections.map((d) => d.box), config.classifier))));
      const flat = (await probsT.data()) as Float32Array;
      probsT.dispose();
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
