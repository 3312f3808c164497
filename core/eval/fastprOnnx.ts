/**
 * FastPR as an Evaluator through the product's inference path (core/infer, onnxruntime): each
 * frame is encoded once (encoder.onnx), then every query on it runs through head.onnx; decoding is
 * §3.4.2 (top-k cells for R@n; best cell below the model's threshold → absent).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadImageFrames } from '../infer/frames';
import { OnnxRetriever, queryTokens, type EncoderChoice } from '../infer/onnxRetriever';
import { decodeFrame } from '../infer/decodeFrames';
import type { Tta } from '../infer/flipTta';
import { ONNX_MANIFEST_FILE } from '../onnx/export/manifest';
import type { EvalFrame, EvalQuery, Evaluator, QueryPrediction } from './types';

export function isOnnxModelDir(dir: string): boolean {
  return existsSync(join(dir, ONNX_MANIFEST_FILE));
}

export interface FastprOnnxOptions {
  threads?: number;
  /** Candidates per query (≥ 5 for R@5). */
  topK?: number;
  /** Override the exported threshold (the paper's 0.6 by default). */
  threshold?: number;
  /** 'flip': each frame's outputs merged with its mirror image's (core/infer/flipTta.ts). */
  tta?: Tta;
  /** Which encoder graph (default float). */
  encoder?: EncoderChoice;
}

export class FastprOnnxEvaluator implements Evaluator {
  readonly name: string;
  private constructor(private readonly retriever: OnnxRetriever, private readonly opts: FastprOnnxOptions) {
    const int8 = retriever.encoderIdentity.precision === 'int8' ? ', int8 encoder' : '';
    this.name = `FastPR (onnxruntime ${retriever.provider}${int8}${opts.tta === 'flip' ? ', flip TTA' : ''})`;
  }

  static async open(modelDir: string, opts: FastprOnnxOptions = {}): Promise<FastprOnnxEvaluator> {
    return new FastprOnnxEvaluator(await OnnxRetriever.open(modelDir, { threads: opts.threads, batchSize: 8, encoder: opts.encoder }), opts);
  }

  async predict(frames: EvalFrame[], queries: EvalQuery[], signal?: AbortSignal): Promise<QueryPrediction[]> {
    const r = this.retriever;
    const encoded = await r.encode(await loadImageFrames(frames.map((f) => f.imagePath)), signal, { tta: this.opts.tta });
    const index = new Map(frames.map((f, i) => [f.id, i]));
    const asked = queries.filter((q) => index.has(q.frameId));
    if (asked.length === 0) return [];
    // One head row per query: its frame's features and its own tokens.
    const per = encoded.features.length / encoded.count;
    const rowsOf = (all: Float32Array) => {
      const rows = new Float32Array(asked.length * per);
      asked.forEach((q, i) => { const f = index.get(q.frameId)!; rows.set(all.subarray(f * per, (f + 1) * per), i * per); });
      return rows;
    };
    const perQuery = {
      count: asked.length, features: rowsOf(encoded.features),
      ...(encoded.mirroredFeatures ? { mirroredFeatures: rowsOf(encoded.mirroredFeatures) } : {}),
    };
    const out = await r.queryEncoded(perQuery, asked.map((q) => queryTokens(q.attributes)), signal);
    const threshold = this.opts.threshold ?? r.manifest.threshold;
    return asked.map((q, i) => {
      const f = index.get(q.frameId)!;
      const d = decodeFrame(out, i, r.grid, r.slots, r.inputSize, encoded.transforms[f]!, encoded.sizes[f]!.width, encoded.sizes[f]!.height,
        { threshold, topK: this.opts.topK ?? 10 });
      return { frameId: q.frameId, queryIndex: q.queryIndex, absent: !d.present, candidates: d.topK.map((h) => ({ box: h.box, score: h.confidence })) };
    });
  }

  async dispose(): Promise<void> {
    await this.retriever.dispose();
  }
}
