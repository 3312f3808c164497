/** Frames for inference: RGB/RGBA bytes with their size, from memory or image files. */
import { InputError } from '../errors';
import { loadRgba } from '../image/canvas';
import type { RawFrame } from '../model/preprocess';

export type Frame = RawFrame;

export function rgbaFrame(data: Uint8Array | Uint8ClampedArray, width: number, height: number): Frame {
  return { data, width, height, channels: 4 };
}

export function checkFrame(f: Frame, label: string): void {
  const need = f.width * f.height * f.channels;
  if (!(f.width > 0 && f.height > 0) || f.data.length !== need) {
    throw new InputError(`${label}: ${f.width}×${f.height}×${f.channels} frame needs ${need} bytes, got ${f.data.length}`);
  }
}

/** Decodes PNG/JPEG files (via core/image/canvas.ts) into RGBA frames; a bad file is an InputError naming it. */
export async function loadImageFrames(paths: readonly string[]): Promise<Frame[]> {
  const frames: Frame[] = [];
  for (const p of paths) {
    try {
      const img = await loadRgba(p);
      frames.push({ data: img.data, width: img.width, height: img.height, channels: 4 });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const why = e.code === 'ENOENT' ? 'file not found' : e.message;
      throw new InputError(`${p}: cannot read image (${why})`, { file: p });
    }
  }
  return frames;
}
