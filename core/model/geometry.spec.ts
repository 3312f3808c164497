import { describe, expect, it } from 'vitest';
import { decodeBox, encodeBox, iou, type Box } from './boxes';
import { bestCell, cellsAbove, retrieve, topK } from './decode';
import { band, offsetClass, pickSwap, regionMap, regionOf, swapMatrix } from './regions';
import { Rng } from './rng';

describe('regions and the offset label', () => {
  it('splits S=7 into symmetric 2-3-2 bands, regions numbered row-major', () => {
    expect(Array.from({ length: 7 }, (_, i) => band(i, 7))).toEqual([0, 0, 1, 1, 1, 2, 2]);
    const m = regionMap(7);
    expect(m.slice(0, 7)).toEqual([0, 0, 1, 1, 1, 2, 2]);
    expect(m.slice(21, 28)).toEqual([3, 3, 4, 4, 4, 5, 5]); // row 3 (middle band)
    expect(m.slice(42, 49)).toEqual([6, 6, 7, 7, 7, 8, 8]);
    expect(new Set(m).size).toBe(9);
    expect(regionOf(6, 0, 7)).toBe(6);
  });

  it('S=4 gives bands {0} {1,2} {3}', () => {
    expect([0, 1, 2, 3].map((i) => band(i, 4))).toEqual([0, 1, 1, 2]);
  });

  it('offset class is |q − p| − 1 for every pair of regions 0..8', () => {
    for (let q = 0; q < 9; q++) {
      for (let p = 0; p < 9; p++) {
        if (p === q) expect(() => offsetClass(q, p)).toThrow();
        else expect(offsetClass(q, p)).toBe(Math.abs(q - p) - 1);
      }
    }
    expect(offsetClass(5, 4)).toBe(0); // the paper's Fig. 5 example |5 − 4| = 1
    expect(offsetClass(0, 8)).toBe(7);
  });

  it('swaps with a cell of another region and builds the matching permutation', () => {
    const rng = new Rng(3);
    const m = regionMap(7);
    for (let i = 0; i < 200; i++) {
      const from = rng.int(49);
      const s = pickSwap(from, 7, rng);
      expect(m[s.to]).not.toBe(m[from]);
      expect(s.label).toBe(Math.abs(m[from]! - m[s.to]!) - 1);
    }
    const P = swapMatrix(4, { from: 1, to: 3, label: 0 });
    const v = [10, 11, 12, 13];
    const out = [0, 1, 2, 3].map((r) => [0, 1, 2, 3].reduce((s, c) => s + P[r * 4 + c]! * v[c]!, 0));
    expect(out).toEqual([10, 13, 12, 11]);
  });
});

describe('box encoding', () => {
  it('round-trips boxes through the responsible cell', () => {
    const rng = new Rng(9);
    for (let i = 0; i < 500; i++) {
      const W = 224;
      const l = rng.uniform(0, 200);
      const t = rng.uniform(0, 200);
      const box: Box = [l, t, l + rng.uniform(1, W - l), t + rng.uniform(1, W - t)];
      const e = encodeBox(box, W, W, 7);
      expect(e.x).toBeGreaterThanOrEqual(0);
      expect(e.x).toBeLessThanOrEqual(1);
      const back = decodeBox(e.cell, e, W, W, 7);
      back.forEach((v, k) => expect(v).toBeCloseTo(box[k]!, 3));
    }
  });

  it('assigns the cell containing the centre', () => {
    const e = encodeBox([100, 40, 124, 100], 224, 224, 7); // centre (112, 70) → col 3, row 2
    expect([e.row, e.col, e.cell]).toEqual([2, 3, 17]);
    expect(e.x).toBeCloseTo(0.5, 6);
    expect(e.y).toBeCloseTo(70 / 32 - 2, 6);
    expect(e.w).toBeCloseTo(24 / 224, 6);
  });
});

describe('inference decoding', () => {
  const grid = 3;
  const confidence = [0.1, 0.7, 0.2, 0.65, 0.05, 0.3, 0.0, 0.1, 0.9];
  const boxes = Array.from({ length: 9 }, () => [0.5, 0.5, 0.2, 0.4]).flat();
  const p = { grid, confidence, boxes, inputWidth: 90, inputHeight: 90 };

  it('picks the most confident cell and its box; absent below the threshold', () => {
    const b = bestCell(p);
    expect(b.cell).toBe(8);
    expect(b.box).toEqual([75 - 9, 75 - 18, 75 + 9, 75 + 18]);
    expect(retrieve(p).present).toBe(true);
    expect(retrieve(p, 0.95).present).toBe(false);
  });

  it('top-k and fuzzy retrieval', () => {
    expect(topK(p, 3).map((h) => h.cell)).toEqual([8, 1, 3]);
    expect(cellsAbove(p, 0.6).map((h) => h.cell)).toEqual([8, 1, 3]);
    expect(iou([0, 0, 10, 10], [5, 0, 15, 10])).toBeCloseTo(1 / 3, 6);
  });
});
