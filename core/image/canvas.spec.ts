import { describe, expect, it } from 'vitest';
import { canvasFromRgba, decodeToRgba, encodeCanvas, encodeCanvasAsync } from './canvas';

describe('encodeCanvasAsync', () => {
  it('gives the bytes encodeCanvas gives, PNG and JPEG, several at once', async () => {
    const width = 37, height = 23;
    const data = new Uint8ClampedArray(width * height * 4);
    for (let i = 0; i < width * height; i++) data.set([(i * 7) % 256, (i * 13) % 256, (i * 29) % 256, 255], i * 4);
    const canvas = canvasFromRgba({ width, height, data });
    const pngs = await Promise.all([0, 1, 2].map(() => encodeCanvasAsync(canvas, 'png')));
    for (const png of pngs) expect(png.equals(encodeCanvas(canvas, 'png'))).toBe(true);
    expect(decodeToRgba(pngs[0]!).data).toEqual(data); // lossless: the pixels back
    expect((await encodeCanvasAsync(canvas, 'jpeg', 80)).equals(encodeCanvas(canvas, 'jpeg', 80))).toBe(true);
  });
});
