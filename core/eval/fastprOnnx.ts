/**
 * FastPR as an Evaluator through the product's inference path (core/infer, onnxruntime): each
 * frame is encoded once (encoder.onnx), then every query on it runs through head.onnx; decoding is
 * §3.4.2 (top-k cells for R@n; best cell below the model's threshold → absent).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadImageFrames, type Frame } from '../infer/frames';
import { OnnxRetriever, queryTokens, type EncoderChoice } from '../infer/onnxRetriever';
import { decodeFrame } from '../infer/decodeFrames';
import type { Tta } from '../infer/flipTta';
import { ONNX_MANIFEST_FILE } from '../onnx/export/manifest';
import { readReranker, type Reranker } from '../rerank/file';
import { BoxReader, type BoxLogLikelihood } from '../rerank/boxReader';
import { rerankCandidates } from '../rerank/rerank';
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
  /**
   * Crop-colour re-ranking (core/rerank): the model directory's reranker.json when present (default),
   * another one, or false for the paper's decoding (confidence order alone).
   */
  rerank?: Reranker | false;
}

/** A query's pooled candidates before ranking: confidence order, each with what its box reads (colour, crop network). */
export interface PooledPrediction {
  frameId: string;
  queryIndex: number;
  absent: boolean;
  candidates: ({ box: [number, number, number, number]; confidence: number } & BoxLogLikelihood)[];
}

export class FastprOnnxEvaluator implements Evaluator {
  readonly name: string;
  private constructor(
    private readonly retriever: OnnxRetriever, private readonly opts: FastprOnnxOptions, readonly reranker: Reranker | undefined,
    private readonly boxReader: BoxReader | undefined,
  ) {
    const int8 = retriever.encoderIdentity.precision === 'int8' ? ', int8 encoder' : '';
    const crops = reranker?.cropNet ? ` + crop network × ${reranker.cropNet.weight}` : '';
    const refiner = reranker?.boxRefiner ? `, boxes refined (${reranker.boxRefiner.passes} pass${reranker.boxRefiner.passes > 1 ? 'es' : ''})` : '';
    const rerank = reranker ? `, crop-colour${crops} re-ranking α ${reranker.alpha} of the top ${reranker.pool}${refiner} (reranker ${reranker.sha256.slice(0, 12)}…)` : '';
    this.name = `FastPR (onnxruntime ${retriever.provider}${int8}${opts.tta === 'flip' ? ', flip TTA' : ''}${rerank})`;
  }

  static async open(modelDir: string, opts: FastprOnnxOptions = {}): Promise<FastprOnnxEvaluator> {
    // Read before the sessions open, so a malformed reranker.json fails without leaking them.
    const reranker = opts.rerank === false ? undefined : opts.rerank ?? readReranker(modelDir);
    const boxReader = reranker ? await BoxReader.open(reranker, opts.threads) : undefined;
    try {
      return new FastprOnnxEvaluator(await OnnxRetriever.open(modelDir, { threads: opts.threads, batchSize: 8, encoder: opts.encoder }), opts, reranker, boxReader);
    } catch (err) {
      await boxReader?.dispose();
      throw err;
    }
  }

  async predict(frames: EvalFrame[], queries: EvalQuery[], signal?: AbortSignal): Promise<QueryPrediction[]> {
    const k = this.opts.topK ?? 10;
    if (!this.reranker || !this.boxReader) return (await this.decode(frames, queries, k, signal)).map((d) => d.prediction);
    const { reranker, boxReader } = this;
    const out: QueryPrediction[] = [];
    for (const { prediction, frame, query } of await this.decode(frames, queries, Math.max(k, reranker.pool), signal)) {
      const ranked = await rerankCandidates(prediction.candidates.map((c) => ({ box: c.box, confidence: c.score })), frame, query.attributes, reranker, boxReader);
      out.push({
        ...prediction,
        ...(prediction.candidates[0] ? { confidence: prediction.candidates[0].score } : {}),
        // The order is the ranking; each score stays the cell's confidence, which decides "absent".
        candidates: ranked.slice(0, k).map((c) => ({ box: c.box as [number, number, number, number], score: c.confidence })),
      });
    }
    return out;
  }

  /**
   * The `pool` most confident candidates of every query with what `reader` reads from each box,
   * unranked: choosing α (and the crop network's weight) means re-sorting these, not running the model again.
   */
  async predictPooled(frames: EvalFrame[], queries: EvalQuery[], reader: BoxReader, pool: number, signal?: AbortSignal): Promise<PooledPrediction[]> {
    const out: PooledPrediction[] = [];
    for (const { prediction, frame, query } of await this.decode(frames, queries, pool, signal)) {
      // Refined first where the reader has a box refiner, as rerankCandidates does.
      const boxes = await reader.refine(frame, prediction.candidates.map((c) => c.box));
      const read = await reader.read(frame, boxes, query.attributes);
      out.push({
        frameId: prediction.frameId, queryIndex: prediction.queryIndex, absent: prediction.absent,
        candidates: prediction.candidates.map((c, i) => ({ box: boxes[i] as [number, number, number, number], confidence: c.score, ...read[i]! })),
      });
    }
    return out;
  }

  /** Encoder once per frame, head once per query, top-`k` cells in confidence order. */
  private async decode(frames: EvalFrame[], queries: EvalQuery[], k: number, signal?: AbortSignal): Promise<{ prediction: QueryPrediction; frame: Frame; query: EvalQuery }[]> {
    const r = this.retriever;
    const images = await loadImageFrames(frames.map((f) => f.imagePath));
    const encoded = await r.encode(images, signal, { tta: this.opts.tta });
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
        { threshold, topK: k });
      return {
        prediction: { frameId: q.frameId, queryIndex: q.queryIndex, absent: !d.present, candidates: d.topK.map((h) => ({ box: h.box, score: h.confidence })) },
        frame: images[f]!, query: q,
      };
    });
  }

  async dispose(): Promise<void> {
    await this.retriever.dispose();
    await this.boxReader?.dispose();
  }
}
