/** The JS rasteriser (generator ≥ 1.2.0) covers what the coverage mask says, with anti-aliased edges. */
import { describe, expect, it } from 'vitest';
import { OwnerMask } from './mask';
import type { Prim, Shape, Xform } from './prims';
import { parseColour } from './cssColour';
import { PixelRaster } from './raster';

const W = 64, H = 48;

function render(shape: Shape, t: Xform, stride = W): { data: Uint8ClampedArray; alpha: (x: number, y: number) => number } {
  const data = new Uint8ClampedArray(4 * stride * H).fill(0);
  new PixelRaster(data, W, H, stride).fill(shape, t, 255, 255, 255, 1);
  return { data, alpha: (x, y) => data[4 * (y * stride + x)]! / 255 };
}

const shapes: Array<[string, Shape]> = [
  ['ellipse', { k: 'ell', cx: 0, cy: -6, rx: 5, ry: 9 }],
  ['capsule', { k: 'caps', x1: -4, y1: -12, x2: 6, y2: 3, r: 3.2 }],
  ['polygon', { k: 'poly', pts: [-7, -14, 6, -12, 8, 2, -2, 6, -9, -2] }],
];
const t: Xform = { a: 1.3, b: 0.35, e: 30.4, f: 28.7 };

describe('PixelRaster', () => {
  for (const [name, shape] of shapes) {
    it(`fills a ${name} where the mask has it, with partial coverage only along its edge`, () => {
      const { alpha } = render(shape, t);
      const mask = new OwnerMask(W, H);
      const prim: Prim = { shape, fill: 'rgb(255,255,255)' };
      mask.paint([prim], t, 1);
      let inside = 0, total = 0;
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          const a = alpha(x, y);
          total += a;
          if (mask.owner[y * W + x] === 1) {
            inside++;
            expect(a, `${x},${y}`).toBeGreaterThan(0.25); // pixel centre inside → mostly covered
          } else {
            expect(a, `${x},${y}`).toBeLessThan(0.75);
          }
        }
      }
      // Summed coverage is the shape's area (the mask's pixel count estimates it).
      expect(Math.abs(total - inside) / inside).toBeLessThan(0.06);
    });
  }

  it('draws into the top-left of a wider buffer without touching the rest', () => {
    const a = render(shapes[1]![1], t);
    const b = render(shapes[1]![1], t, W + 10);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) expect(b.alpha(x, y)).toBe(a.alpha(x, y));
      for (let x = W; x < W + 10; x++) expect(b.data[4 * (y * (W + 10) + x)]).toBe(0);
    }
  });

  it('composites with alpha and draws patterns in their colour', () => {
    const data = new Uint8ClampedArray(4 * W * H).fill(100);
    const R = new PixelRaster(data, W, H);
    R.fill({ k: 'poly', pts: [0, 0, 40, 0, 40, 40, 0, 40] }, { a: 1, b: 0, e: 2, f: 2 }, 200, 0, 0, 0.5);
    expect([data[4 * (20 * W + 20)], data[4 * (20 * W + 20) + 1]]).toEqual([150, 50]);
    // Vertical stripes (code 3) in blue over a red fill: both colours present inside, in bands.
    R.fill({ k: 'poly', pts: [0, 0, 40, 0, 40, 40, 0, 40] }, { a: 1, b: 0, e: 2, f: 2 }, 255, 0, 0, 1, { code: 3, colour: 'rgb(0,0,255)', spacing: 8 });
    const row = Array.from({ length: 40 }, (_, x) => data[4 * (20 * W + 2 + x) + 2]!);
    expect(row.filter((v) => v > 200).length).toBeGreaterThan(10);
    expect(row.filter((v) => v < 50).length).toBeGreaterThan(10);
    expect(data[4 * (1 * W + 20)]).toBe(100); // outside the square: untouched
  });

  it('parses the generator colours', () => {
    expect(parseColour('rgb(12,34,56)')).toEqual([12, 34, 56, 1]);
    expect(parseColour('rgba(0,0,0,0.225)')).toEqual([0, 0, 0, 0.225]);
    expect(() => parseColour('#fff')).toThrow();
  });
});
