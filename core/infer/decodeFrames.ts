/**
 * Decoding of the head's outputs per frame (§3.4.2) with core/model/decode.ts, boxes mapped from
 * model-input pixels back to frame pixels (undoing the letterbox/resize of preprocessing).
 */
import { attentionMaps, cellsAbove, confidenceMap, DEFAULT_THRESHOLD, predictionOf, retrieve, topK, type CellHit } from '../model/decode';
import { clipBox } from '../model/boxes';
import { inputBoxToFrame, type Box, type InputTransform } from '../model/preprocess';

export interface Hit {
  cell: number;
  row: number;
  col: number;
  confidence: number;
  /** [left, top, right, bottom] in frame pixels, clipped to the frame. */
  box: Box;
}

export interface FramePrediction {
  /** False when the best cell's confidence is below the threshold: the target is judged absent. */
  present: boolean;
  /** The most confident cell, whether or not present. */
  best: Hit;
  /** The k most confident cells, best first (R@k). */
  topK: Hit[];
  /** Every cell at or above the threshold, best first (fuzzy retrieval), after box NMS. */
  above: Hit[];
  /** S rows of S confidences. */
  confidenceMap: number[][];
  /** Per query slot, S rows of S attention weights (only when asked for). */
  attention?: number[][][];
}

export interface DecodeOptions {
  threshold?: number;
  topK?: number;
  /** IoU above which a weaker cell's box is dropped from `above` (default 0.5). */
  nmsIou?: number;
  attention?: boolean;
}

export interface HeadOutputs {
  /** [N·S²]. */
  confidence: Float32Array;
  /** [N·S²·4]. */
  boxes: Float32Array;
  /** [N·T·S²]. */
  attention: Float32Array;
}

export function toFrameHit(h: CellHit, t: InputTransform, frameW: number, frameH: number): Hit {
  return { cell: h.cell, row: h.row, col: h.col, confidence: h.confidence, box: clipBox(inputBoxToFrame(t, h.box), frameW, frameH) };
}

/** Frame b of a batch of head outputs. */
export function decodeFrame(
  out: HeadOutputs, b: number, grid: number, slots: number, inputSize: number,
  transform: InputTransform, frameW: number, frameH: number, opts: DecodeOptions = {},
): FramePrediction {
  const p = predictionOf(out, b, grid, inputSize, inputSize);
  const map = (h: CellHit) => toFrameHit(h, transform, frameW, frameH);
  const threshold = opts.threshold ?? DEFAULT_THRESHOLD;
  const r = retrieve(p, threshold);
  const cells = grid * grid;
  const result: FramePrediction = {
    present: r.present,
    best: map(r.best),
    topK: topK(p, opts.topK ?? 5).map(map),
    above: cellsAbove(p, threshold, opts.nmsIou ?? 0.5).map(map),
    confidenceMap: confidenceMap(p),
  };
  if (opts.attention) result.attention = attentionMaps(out.attention.subarray(b * slots * cells, (b + 1) * slots * cells), slots, grid);
  return result;
}
