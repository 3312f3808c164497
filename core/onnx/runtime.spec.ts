/**
 * OnnxSession on a worker thread (`inWorker`, used by ingest so the encoder overlaps decoding):
 * the same outputs as a session on the calling thread, the caller's input array left intact,
 * onnxruntime's errors as ModelErrors, and disposal ends the worker.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ModelError } from '../errors';
import { OnnxSession } from './runtime';

const MODEL = new URL('../../models/default/encoder.onnx', import.meta.url).pathname;
// The shipped model's grid and width (S = 7 or 14 depending on the release).
const { grid, featureWidth } = JSON.parse(readFileSync(new URL('../../models/default/onnx.json', import.meta.url), 'utf8')) as { grid: number; featureWidth: number };

describe('OnnxSession inWorker', () => {
  it('gives the same outputs as a session on this thread, and keeps the caller\'s input', async () => {
    const local = await OnnxSession.create(MODEL, { provider: 'cpu', intraOpThreads: 1 });
    const worker = await OnnxSession.create(MODEL, { provider: 'cpu', intraOpThreads: 1, inWorker: true, spinning: false });
    try {
      expect(worker.inputs).toEqual(local.inputs);
      expect(worker.outputs).toEqual(local.outputs);
      const data = Float32Array.from({ length: 2 * 224 * 224 * 3 }, (_, i) => Math.sin(i));
      const a = await local.run({ image: { type: 'float32', data, dims: [2, 224, 224, 3] } });
      const b = await worker.run({ image: { type: 'float32', data, dims: [2, 224, 224, 3] } });
      expect(b.encoded!.dims).toEqual([2, grid, grid, featureWidth]);
      expect(Array.from(b.encoded!.data as Float32Array)).toEqual(Array.from(a.encoded!.data as Float32Array));
      expect(data.length).toBe(2 * 224 * 224 * 3); // not detached by the transfer
      const err = await worker.run({ image: { type: 'float32', data: new Float32Array(3), dims: [1, 1, 1, 3] } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ModelError);
      expect((err as Error).message).toMatch(/encoder\.onnx: inference failed/);
    } finally {
      await local.dispose();
      await worker.dispose();
    }
    await expect(worker.run({ image: { type: 'float32', data: new Float32Array(3), dims: [1, 1, 1, 3] } })).rejects.toThrow(/disposed/);
  }, 60_000);

  it('a file onnxruntime cannot load is a ModelError naming it', async () => {
    await expect(OnnxSession.create(new Uint8Array([1, 2, 3]), { provider: 'cpu', inWorker: true, label: 'broken.onnx' })).rejects.toThrow(/broken\.onnx: not a loadable ONNX model/);
  });
});
