/**
 * What a re-ranker reads from boxes: the colour reader's Σ log P(stated value | box) (reader.ts, pure
 * TypeScript) and, when the re-ranker has one, the crop network's (cropNet.ts, onnxruntime), joined
 * as colour + weight · crop; and, when it has a box refiner, where a box's person really is. Open
 * one per search or evaluation and dispose it: the networks are onnxruntime sessions.
 */
import type { AttributeCodes } from '../attributes/schema';
import type { Frame } from '../infer/frames';
import { boxDescriptor, type Box } from './descriptor';
import { BoxRefinerSession } from './boxRefiner';
import { cropQueryLogLikelihood, CropNetSession } from './cropNet';
import type { Reranker } from './file';
import { queryLogLikelihood } from './reader';

/** A box's log-likelihoods under a query: the colour reader's, the crop network's (when read) and their join. */
export interface BoxLogLikelihood {
  colour: number;
  crop?: number;
  /** colour + weight · crop: what the re-ranking score adds α times. */
  total: number;
}

/** The re-ranking's log-likelihood: the colour reader's plus `weight` × the crop network's (when read). */
export function joinedLogLikelihood(colour: number, crop: number | undefined, weight: number): number {
  return crop === undefined ? colour : colour + weight * crop;
}

export class BoxReader {
  private constructor(
    private readonly reranker: Pick<Reranker, 'reader' | 'cropNet'>,
    private readonly net: CropNetSession | undefined,
    private readonly refiner: BoxRefinerSession | undefined,
  ) {}

  static async open(reranker: Pick<Reranker, 'reader' | 'cropNet' | 'boxRefiner'>, threads?: number): Promise<BoxReader> {
    const net = reranker.cropNet ? await CropNetSession.open(reranker.cropNet.file, reranker.cropNet.cropSize, threads) : undefined;
    try {
      const refiner = reranker.boxRefiner ? await BoxRefinerSession.open(reranker.boxRefiner.file, reranker.boxRefiner, threads) : undefined;
      return new BoxReader(reranker, net, refiner);
    } catch (err) {
      await net?.dispose();
      throw err;
    }
  }

  /** Whether the crop network takes part. */
  get readsCrops(): boolean { return this.net !== undefined; }

  /** Whether boxes are refined (the re-ranker has a box refiner). */
  get refinesBoxes(): boolean { return this.refiner !== undefined; }

  /** `boxes` moved onto their people by the box refiner; unchanged without one. */
  async refine(frame: Frame, boxes: readonly Box[]): Promise<Box[]> {
    return this.refiner ? await this.refiner.refine(frame, boxes) : [...boxes];
  }

  /** One entry per box of `frame`; the crop network runs once for all of them. */
  async read(frame: Frame, boxes: readonly Box[], codes: AttributeCodes): Promise<BoxLogLikelihood[]> {
    const { reader, cropNet } = this.reranker;
    const colour = boxes.map((box) => queryLogLikelihood(reader, boxDescriptor(frame, box, reader.descriptorVersion), codes));
    if (!this.net || !cropNet) return colour.map((c) => ({ colour: c, total: c }));
    const logProbs = await this.net.logProbabilities(frame, boxes);
    return colour.map((c, k) => {
      const crop = cropQueryLogLikelihood(logProbs[k]!, codes);
      return { colour: c, crop, total: joinedLogLikelihood(c, crop, cropNet.weight) };
    });
  }

  async dispose(): Promise<void> {
    await this.net?.dispose();
    await this.refiner?.dispose();
  }
}
