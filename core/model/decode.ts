/**
 * Inference decoding (paper §3.4.2) as pure functions on arrays, shared by the TF.js and ONNX paths.
 * One image's prediction: confidences [S²] and per-cell boxes [S²·4] (x, y, w, h), row-major.
 */
import { decodeBox, iou, type Box } from './boxes';

export const DEFAULT_THRESHOLD = 0.6;

export interface GridPrediction {
  grid: number;
  confidence: Float32Array | number[];
  boxes: Float32Array | number[];
  inputWidth: number;
  inputHeight: number;
}

export interface CellHit {
  cell: number;
  row: number;
  col: number;
  confidence: number;
  /** [left, top, right, bottom] in model-input pixels. */
  box: Box;
}

export function cellHit(p: GridPrediction, cell: number): CellHit {
  const b = 4 * cell;
  const box = decodeBox(cell, { x: p.boxes[b]!, y: p.boxes[b + 1]!, w: p.boxes[b + 2]!, h: p.boxes[b + 3]! }, p.inputWidth, p.inputHeight, p.grid);
  return { cell, row: Math.floor(cell / p.grid), col: cell % p.grid, confidence: p.confidence[cell]!, box };
}

/** The cell with the highest confidence and its box. */
export function bestCell(p: GridPrediction): CellHit {
  let best = 0;
  for (let i = 1; i < p.grid * p.grid; i++) if (p.confidence[i]! > p.confidence[best]!) best = i;
  return cellHit(p, best);
}

export interface Retrieval {
  /** False when the best confidence is below the threshold: the target is judged absent. */
  present: boolean;
  best: CellHit;
}

export function retrieve(p: GridPrediction, threshold = DEFAULT_THRESHOLD): Retrieval {
  const best = bestCell(p);
  return { present: best.confidence >= threshold, best };
}

/** The k most confident cells, best first (R@k). */
export function topK(p: GridPrediction, k: number): CellHit[] {
  const order = Array.from({ length: p.grid * p.grid }, (_, i) => i).sort((a, b) => p.confidence[b]! - p.confidence[a]! || a - b);
  return order.slice(0, k).map((c) => cellHit(p, c));
}

/**
 * Fuzzy retrieval: every cell at or above the threshold, best first. With `nmsIou` set, a cell whose
 * box overlaps a better one by more than that IoU is dropped (one person often lights up two cells).
 */
export function cellsAbove(p: GridPrediction, threshold = DEFAULT_THRESHOLD, nmsIou?: number): CellHit[] {
  const hits = topK(p, p.grid * p.grid).filter((h) => h.confidence >= threshold);
  if (nmsIou === undefined) return hits;
  const kept: CellHit[] = [];
  for (const h of hits) if (kept.every((k) => iou(k.box, h.box) <= nmsIou)) kept.push(h);
  return kept;
}

/** Confidence map as S rows of S values. */
export function confidenceMap(p: GridPrediction): number[][] {
  return Array.from({ length: p.grid }, (_, r) => Array.from({ length: p.grid }, (_, c) => p.confidence[r * p.grid + c]!));
}

/** Per-slot attention maps (S rows of S values each) from one image's attention [T·S²]. */
export function attentionMaps(attention: Float32Array | number[], slots: number, grid: number): number[][][] {
  const cells = grid * grid;
  return Array.from({ length: slots }, (_, t) =>
    Array.from({ length: grid }, (_, r) => Array.from({ length: grid }, (_, c) => attention[t * cells + r * grid + c]!)),
  );
}

/** Image b's GridPrediction out of batched arrays ([B·S²] confidences, [B·S²·4] boxes). */
export function predictionOf(
  batch: { confidence: Float32Array; boxes: Float32Array },
  b: number,
  grid: number,
  inputWidth: number,
  inputHeight: number,
): GridPrediction {
  const cells = grid * grid;
  return {
    grid,
    inputWidth,
    inputHeight,
    confidence: batch.confidence.subarray(b * cells, (b + 1) * cells),
    boxes: batch.boxes.subarray(b * cells * 4, (b + 1) * cells * 4),
  };
}
