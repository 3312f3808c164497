/**
 * YOLO-style box encoding on the S×S grid (paper §3.3.2): the cell containing the box centre is
 * responsible; (x, y) is the centre relative to that cell (0..1), (w, h) the size relative to the
 * whole input (0..1). Boxes here are [left, top, right, bottom] in model-input pixels.
 */
export type Box = [number, number, number, number];

export interface EncodedBox {
  /** Responsible cell, row-major index row·S + col. */
  cell: number;
  row: number;
  col: number;
  x: number;
  y: number;
  w: number;
  h: number;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

export function encodeBox(box: Box, inputWidth: number, inputHeight: number, grid: number): EncodedBox {
  const [l, t, r, b] = box;
  const cx = clamp((l + r) / 2 / inputWidth, 0, 1);
  const cy = clamp((t + b) / 2 / inputHeight, 0, 1);
  const col = Math.min(grid - 1, Math.floor(cx * grid));
  const row = Math.min(grid - 1, Math.floor(cy * grid));
  return {
    cell: row * grid + col,
    row,
    col,
    x: cx * grid - col,
    y: cy * grid - row,
    w: clamp((r - l) / inputWidth, 0, 1),
    h: clamp((b - t) / inputHeight, 0, 1),
  };
}

/** Inverse of encodeBox for the prediction (x, y, w, h) of cell `cell`. */
export function decodeBox(
  cell: number,
  pred: { x: number; y: number; w: number; h: number },
  inputWidth: number,
  inputHeight: number,
  grid: number,
): Box {
  const row = Math.floor(cell / grid);
  const col = cell % grid;
  const cx = ((col + pred.x) / grid) * inputWidth;
  const cy = ((row + pred.y) / grid) * inputHeight;
  const w = pred.w * inputWidth;
  const h = pred.h * inputHeight;
  return [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2];
}

/** The box clipped to [0, w] × [0, h]. */
export function clipBox(box: Box, w: number, h: number): Box {
  return [clamp(box[0], 0, w), clamp(box[1], 0, h), clamp(box[2], 0, w), clamp(box[3], 0, h)];
}

export function iou(a: Box, b: Box): number {
  const iw = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const ih = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = iw * ih;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
}
