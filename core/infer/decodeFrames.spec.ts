/** Decoding of hand-made head outputs, boxes mapped back through a letterbox to frame pixels. */
import { describe, expect, it } from 'vitest';
import { decodeFrame, type HeadOutputs } from './decodeFrames';
import type { InputTransform } from '../model/preprocess';

// S = 2, one slot, input 100×100. Frame 200×100 letterboxed: scale 0.5, content 100×50 at y 25..75.
const letterbox: InputTransform = { scaleX: 0.5, scaleY: 0.5, offsetX: 0, offsetY: 25, flip: false, inputWidth: 100, inputHeight: 100 };

function outputs(conf: number[], boxes: number[][]): HeadOutputs {
  return { confidence: Float32Array.from(conf), boxes: Float32Array.from(boxes.flat()), attention: Float32Array.from([0.1, 0.2, 0.3, 0.4]) };
}

describe('decodeFrame', () => {
  // Cell 3 (row 1, col 1): centre at ((1+0.5)/2·100, (1+0.5)/2·100) = (75, 75), size 20×40 input px.
  const out = outputs([0.1, 0.7, 0.2, 0.9], [[0.5, 0.5, 0.2, 0.2], [0.5, 0.5, 0.6, 0.2], [0.5, 0.5, 0.1, 0.1], [0.5, 0.5, 0.2, 0.4]]);

  it('best cell, present above 0.6, box in frame pixels', () => {
    const p = decodeFrame(out, 0, 2, 1, 100, letterbox, 200, 100, { topK: 2, attention: true });
    expect(p.present).toBe(true);
    expect(p.best.cell).toBe(3);
    expect(p.best.confidence).toBeCloseTo(0.9);
    // Input box [65, 55, 85, 95] → frame: x / 0.5, (y − 25) / 0.5 = [130, 60, 170, 140] → clipped to height 100.
    p.best.box.forEach((v, i) => expect(v).toBeCloseTo([130, 60, 170, 100][i]!, 4));
    expect(p.topK.map((h) => h.cell)).toEqual([3, 1]);
    expect(p.confidenceMap).toEqual([[0.1, 0.7], [0.2, 0.9]].map((r) => r.map(Math.fround)));
    expect(p.attention).toEqual([[[0.1, 0.2], [0.3, 0.4]].map((r) => r.map(Math.fround))]);
  });

  it('absent below the threshold; the fuzzy list holds every cell above it', () => {
    expect(decodeFrame(out, 0, 2, 1, 100, letterbox, 200, 100, { threshold: 0.95 }).present).toBe(false);
    expect(decodeFrame(out, 0, 2, 1, 100, letterbox, 200, 100).above.map((h) => h.cell)).toEqual([3, 1]);
    expect(decodeFrame(out, 0, 2, 1, 100, letterbox, 200, 100, { threshold: 0.05 }).above.map((h) => h.cell)).toEqual([3, 1, 2, 0]);
  });

  it('reads frame b of a batch', () => {
    const two: HeadOutputs = {
      confidence: Float32Array.from([0, 0, 0, 0, 0.8, 0, 0, 0]),
      boxes: Float32Array.from([...out.boxes, ...out.boxes]),
      attention: new Float32Array(8),
    };
    const p = decodeFrame(two, 1, 2, 1, 100, letterbox, 200, 100);
    expect(p.best.cell).toBe(0);
    expect(p.present).toBe(true);
  });
});
