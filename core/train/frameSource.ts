/** Decoded frames for training, with a byte-budgeted LRU cache (PNG/JPEG decode is not free). */
import { join } from 'node:path';
import { DatasetError } from '../errors';
import type { FrameAnnotation } from '../dataset/format';
import { loadRgba } from '../image/canvas';
import type { RawFrame } from '../model/preprocess';

export interface FrameSource {
  /** Frame `index` of the list the samples were built from. */
  load(index: number): Promise<RawFrame>;
}

/** In-memory frames (tests, benches). */
export class MemoryFrameSource implements FrameSource {
  constructor(private readonly frames: readonly RawFrame[]) {}
  async load(index: number): Promise<RawFrame> {
    const f = this.frames[index];
    if (!f) throw new Error(`no frame ${index}`);
    return f;
  }
}

/** Frames of a dataset folder, decoded through core/image/canvas. */
export class DatasetFrameSource implements FrameSource {
  private readonly cache = new Map<number, RawFrame>();
  private bytes = 0;
  constructor(
    private readonly dir: string,
    private readonly frames: readonly FrameAnnotation[],
    private readonly budgetBytes: number,
  ) {}

  async load(index: number): Promise<RawFrame> {
    const hit = this.cache.get(index);
    if (hit) {
      this.cache.delete(index);
      this.cache.set(index, hit); // most recently used last
      return hit;
    }
    const f = this.frames[index];
    if (!f) throw new Error(`no frame ${index}`);
    const file = join(this.dir, f.image);
    let img;
    try {
      img = await loadRgba(file);
    } catch (e) {
      throw new DatasetError(`${file}: cannot read image (${(e as Error).message})`, { file });
    }
    if (img.width !== f.width || img.height !== f.height) {
      throw new DatasetError(`${file}: image is ${img.width}×${img.height}, annotation says ${f.width}×${f.height}`, { file });
    }
    const frame: RawFrame = { data: img.data, width: img.width, height: img.height, channels: 4 };
    if (frame.data.byteLength <= this.budgetBytes) {
      this.cache.set(index, frame);
      this.bytes += frame.data.byteLength;
      while (this.bytes > this.budgetBytes) {
        const [oldest, old] = this.cache.entries().next().value as [number, RawFrame];
        this.cache.delete(oldest);
        this.bytes -= old.data.byteLength;
      }
    }
    return frame;
  }
}
