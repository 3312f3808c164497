import { describe, expect, it } from 'vitest';
import { frameBoxToInput, inputBoxToFrame, NORM_MEAN, NORM_STD, preprocessFrame, type Box, type RawFrame } from './preprocess';

function solidFrame(width: number, height: number, rgb: [number, number, number], channels: 3 | 4 = 4): RawFrame {
  const data = new Uint8Array(width * height * channels);
  for (let i = 0; i < width * height; i++) {
    data.set(rgb, i * channels);
    if (channels === 4) data[i * channels + 3] = 255;
  }
  return { data, width, height, channels };
}

describe('preprocessFrame', () => {
  it('letterboxes a wide frame: content normalised, padding 0, transform maps boxes both ways', () => {
    const f = solidFrame(704, 576, [255, 0, 128]);
    const { data, transform: t } = preprocessFrame(f, { size: 224 });
    // 704×576 → 224×183, padded 20 rows on top.
    expect(t.scaleX).toBeCloseTo(224 / 704, 6);
    expect(t.offsetY).toBe(20);
    expect(data[0]).toBe(0); // top-left pixel is padding
    const mid = (112 * 224 + 112) * 3;
    expect(data[mid]).toBeCloseTo((1 - NORM_MEAN[0]) / NORM_STD[0], 4);
    expect(data[mid + 1]).toBeCloseTo((0 - NORM_MEAN[1]) / NORM_STD[1], 4);
    const box: Box = [100, 50, 300, 500];
    const back = inputBoxToFrame(t, frameBoxToInput(t, box));
    back.forEach((v, i) => expect(v).toBeCloseTo(box[i]!, 6));
  });

  it('crop + flip: a left-half marker ends up on the right, and boxes follow', () => {
    const f = solidFrame(100, 100, [0, 0, 0], 3);
    for (let y = 0; y < 100; y++) for (let x = 0; x < 20; x++) f.data[(y * 100 + x) * 3] = 255; // red strip at x<20
    const { data, transform: t } = preprocessFrame(f, { size: 50, mode: 'resize', crop: [0, 0, 100, 100], flip: true });
    const red = (x: number) => data[(25 * 50 + x) * 3]!;
    expect(red(49)).toBeGreaterThan(1); // strip now on the right
    expect(red(0)).toBeLessThan(0);
    expect(frameBoxToInput(t, [0, 0, 20, 100])).toEqual([40, 0, 50, 50]);
  });

  it('antialiases when shrinking: a 1-px checkerboard becomes flat grey', () => {
    const w = 64;
    const data = new Uint8Array(w * w * 3);
    for (let y = 0; y < w; y++) for (let x = 0; x < w; x++) data.fill((x + y) % 2 ? 255 : 0, (y * w + x) * 3, (y * w + x) * 3 + 3);
    const out = preprocessFrame({ data, width: w, height: w, channels: 3 }, { size: 16, mode: 'resize' }).data;
    const grey = (127.5 / 255 - NORM_MEAN[0]) / NORM_STD[0];
    for (let i = 16 * 3; i < out.length - 16 * 3; i += 3) expect(out[i]!).toBeCloseTo(grey, 1);
  });
});
