/**
 * The box refiner: a small CNN that moves a candidate box onto the person it lies on. The one-stage
 * model finds the right person far more often than it draws a box tight enough to count (session 28,
 * val: its re-ranked top box lies on a matching person at IoU > 0.3 for 67.3 % of queries, at
 * IoU > 0.5 for 55.4 %). The refiner reads the box with context around it (`context` × its width and
 * height, resampled to `cropSize`) and regresses where the person's box is, relative to the
 * candidate: centre offsets as shares of its width and height, log width and height ratios (the
 * R-CNN parametrisation), divided by OFFSET_SCALE. The network is the crop network's (classifier.ts)
 * with four linear outputs; it runs through onnxruntime (`reranker-boxes.onnx` beside reranker.json).
 */
import { ModelError } from '../errors';
import type { Frame } from '../infer/frames';
import { OnnxSession } from '../onnx/runtime';
import { cropBatch } from './crop';
import { mirrorCrops, type CropNetConfig } from './cropNet';
import type { Box } from './descriptor';

export const BOX_REFINER_FILE = 'reranker-boxes.onnx';

export interface BoxRefinerConfig extends CropNetConfig {
  /** The region read around a box: its width and height times these, about its centre. */
  context: readonly [width: number, height: number];
}

/** The crop network's layers at 64×32 over 2 × 1.5 the box (a person fills about the middle half). */
export const BOX_REFINER_DEFAULTS: BoxRefinerConfig = {
  cropSize: [64, 32],
  context: [2, 1.5],
  layers: [
    { out: 24, stride: 2, k: 3 }, { out: 32, stride: 1, k: 3 }, { out: 48, stride: 2, k: 3 },
    { out: 48, stride: 1, k: 3 }, { out: 64, stride: 2, k: 3 },
  ],
  hidden: 128,
};

/** Offsets are regressed divided by this: the model's typical box error is about 0.2 of its size. */
export const OFFSET_SCALE = 0.2;
/** Refinements larger than this (in log size or centre share) are clipped: a refiner moves boxes, it does not replace them. */
const MAX_OFFSET = 1;

export type BoxOffsets = [dx: number, dy: number, logWidth: number, logHeight: number];

/** The region the refiner reads around `box`. */
export function refinerRegion(box: Box, context: BoxRefinerConfig['context']): Box {
  const cx = (box[0]! + box[2]!) / 2, cy = (box[1]! + box[3]!) / 2;
  const w = (box[2]! - box[0]!) * context[0], h = (box[3]! - box[1]!) * context[1];
  return [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2];
}

/** Where `truth` lies relative to `candidate` (what the refiner learns to predict). */
export function boxOffsets(candidate: Box, truth: Box): BoxOffsets {
  const cw = candidate[2]! - candidate[0]!, ch = candidate[3]! - candidate[1]!;
  const tw = truth[2]! - truth[0]!, th = truth[3]! - truth[1]!;
  return [
    ((truth[0]! + truth[2]!) - (candidate[0]! + candidate[2]!)) / 2 / cw,
    ((truth[1]! + truth[3]!) - (candidate[1]! + candidate[3]!)) / 2 / ch,
    Math.log(tw / cw), Math.log(th / ch),
  ];
}

/** `box` moved by `offsets` (the inverse of boxOffsets). */
export function applyOffsets(box: Box, offsets: readonly number[]): [number, number, number, number] {
  const cw = box[2]! - box[0]!, ch = box[3]! - box[1]!;
  const cx = (box[0]! + box[2]!) / 2 + offsets[0]! * cw, cy = (box[1]! + box[3]!) / 2 + offsets[1]! * ch;
  const w = cw * Math.exp(offsets[2]!), h = ch * Math.exp(offsets[3]!);
  return [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2];
}

/** An open box refiner: all the boxes of a frame in one run. */
export interface RefinerRunConfig extends Pick<BoxRefinerConfig, 'cropSize' | 'context'> {
  /** How many times a box is refined, each pass reading the region around the last pass's box (default 1). */
  passes?: number;
}

export class BoxRefinerSession {
  private constructor(private readonly session: OnnxSession, readonly config: RefinerRunConfig) {}

  static async open(file: string, config: RefinerRunConfig, threads?: number): Promise<BoxRefinerSession> {
    const session = await OnnxSession.create(file, { provider: 'cpu', label: file, ...(threads ? { intraOpThreads: threads } : {}) });
    if (!session.input('crops') || !session.output('offsets')) {
      await session.dispose();
      throw new ModelError(`${file}: not a box refiner (needs input "crops" and output "offsets")`, { file });
    }
    return new BoxRefinerSession(session, config);
  }

  /**
   * Each box moved onto its person, clipped to the frame, `passes` times. Each pass reads the region
   * together with its mirror image and averages the two predictions (the mirror's horizontal offset
   * negated): one run of 2n crops per pass.
   */
  async refine(frame: Frame, boxes: readonly Box[]): Promise<[number, number, number, number][]> {
    let moved: [number, number, number, number][] = boxes.map((b) => [b[0]!, b[1]!, b[2]!, b[3]!]);
    for (let pass = 0; pass < (this.config.passes ?? 1); pass++) moved = await this.refineOnce(frame, moved);
    return moved;
  }

  private async refineOnce(frame: Frame, boxes: readonly Box[]): Promise<[number, number, number, number][]> {
    const n = boxes.length;
    if (n === 0) return [];
    const [h, w] = this.config.cropSize;
    const crops = new Float32Array(2 * n * h * w * 3);
    crops.set(cropBatch(frame, boxes.map((b) => refinerRegion(b, this.config.context)), this.config.cropSize));
    mirrorCrops(crops, n, this.config.cropSize);
    const { offsets } = await this.session.run({ crops: { type: 'float32', data: crops, dims: [2 * n, h, w, 3] } });
    const out = offsets!.data as Float32Array;
    if (out.length !== 2 * n * 4) throw new ModelError(`${this.session.label}: ${out.length / (2 * n)} outputs per crop, a box refiner has 4`, { file: this.session.label });
    const clip = (v: number) => Math.max(-MAX_OFFSET, Math.min(MAX_OFFSET, v * OFFSET_SCALE));
    return boxes.map((box, k) => {
      const a = k * 4, m = (n + k) * 4;
      const moved = applyOffsets(box, [clip((out[a]! - out[m]!) / 2), clip((out[a + 1]! + out[m + 1]!) / 2), clip((out[a + 2]! + out[m + 2]!) / 2), clip((out[a + 3]! + out[m + 3]!) / 2)]);
      const clipped: [number, number, number, number] = [Math.max(0, moved[0]), Math.max(0, moved[1]), Math.min(frame.width, moved[2]), Math.min(frame.height, moved[3])];
      // A box pushed off the frame keeps where it was.
      return clipped[2] > clipped[0] && clipped[3] > clipped[1] ? clipped : [box[0]!, box[1]!, box[2]!, box[3]!];
    });
  }

  async dispose(): Promise<void> {
    await this.session.dispose();
  }
}
