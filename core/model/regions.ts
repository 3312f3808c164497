/**
 * The target-centric offset proxy's 3×3 region split of the S×S grid (paper §3.3.3, Fig. 5).
 *
 * Rows and columns are split into three bands by cell centre: band(i) = floor((i + 0.5)·3 / S).
 * The split is symmetric, so a horizontal flip maps regions onto regions. For S = 7 the bands are
 * {0,1}, {2,3,4}, {5,6} (2-3-2 cells); for S = 4: {0}, {1,2}, {3}. Region q = 3·rowBand + colBand,
 * numbered 0..8 row-major as in the paper's figure. The offset of a swap is |q − p| ∈ 1..8, and the
 * class index fed to the cross-entropy is |q − p| − 1 (8 classes).
 */
import type { Rng } from './rng';

export const OFFSET_CLASSES = 8;

export function band(i: number, grid: number): number {
  return Math.min(2, Math.floor(((i + 0.5) * 3) / grid));
}

/** Region (0..8) of cell (row, col). */
export function regionOf(row: number, col: number, grid: number): number {
  return 3 * band(row, grid) + band(col, grid);
}

/** Region of every cell, row-major (length S²). */
export function regionMap(grid: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < grid; r++) for (let c = 0; c < grid; c++) out.push(regionOf(r, c, grid));
  return out;
}

/** Class index of the offset between regions q and p (q ≠ p): |q − p| − 1. */
export function offsetClass(q: number, p: number): number {
  const d = Math.abs(q - p);
  if (d < 1 || d > 8) throw new Error(`regions ${q} and ${p} give no offset class`);
  return d - 1;
}

export interface Swap {
  /** Target's cell (row-major index). */
  from: number;
  /** Partner cell in another region. */
  to: number;
  /** |q − p| − 1. */
  label: number;
}

/** Picks a partner cell uniformly among cells of the other regions. */
export function pickSwap(targetCell: number, grid: number, rng: Rng): Swap {
  const regions = regionMap(grid);
  const q = regions[targetCell]!;
  const candidates: number[] = [];
  regions.forEach((r, i) => {
    if (r !== q) candidates.push(i);
  });
  const to = candidates[rng.int(candidates.length)]!;
  return { from: targetCell, to, label: offsetClass(q, regions[to]!) };
}

/**
 * The swap as a permutation matrix P [S², S²] (row-major Float32Array) so that Ī_s = P · Ī for the
 * flattened grid: a matMul, differentiable on every backend.
 */
export function swapMatrix(cells: number, swap: Swap | undefined): Float32Array {
  const m = new Float32Array(cells * cells);
  for (let i = 0; i < cells; i++) {
    let src = i;
    if (swap && i === swap.from) src = swap.to;
    else if (swap && i === swap.to) src = swap.from;
    m[i * cells + src] = 1;
  }
  return m;
}
