/**
 * Activation ranges for static quantisation: the float graph runs on calibration inputs with the
 * planned tensors as extra outputs; each tensor's range is the mean over images of its per-image
 * minimum and maximum. (The mean of per-image ranges, not the global extreme, measured best on the
 * shipped model: one bright image does not widen every image's quantisation step — core/onnx/README.md.)
 */
import { CancelledError } from '../../errors';
import { OnnxSession } from '../runtime';
import { withObservedOutputs, type TensorRange } from './qdq';

export interface CalibrationInput {
  /** NHWC float input [count·size·size·3], preprocessed exactly as inference does. */
  data: Float32Array;
  count: number;
  size: number;
}

/**
 * The ranges of `tensors` over the calibration inputs; with `output`, also that graph output for
 * every input (concatenated in input order), so a caller comparing the float graph with its
 * quantised copy need not run the float graph a second time.
 */
export async function calibrateRanges(
  modelBytes: Uint8Array, inputName: string, tensors: readonly string[], input: CalibrationInput,
  opts: { batchSize?: number; threads?: number; signal?: AbortSignal; onProgress?: (done: number, total: number) => void; output?: string } = {},
): Promise<{ ranges: Map<string, TensorRange>; output: Float32Array | null }> {
  const session = await OnnxSession.create(withObservedOutputs(modelBytes, tensors), { intraOpThreads: opts.threads, label: 'calibration graph' });
  const sums = new Map(tensors.map((t) => [t, { min: 0, max: 0 }]));
  const per = input.size * input.size * 3;
  const batch = Math.max(1, opts.batchSize ?? 8);
  const outputs: Float32Array[] = [];
  try {
    for (let start = 0; start < input.count; start += batch) {
      if (opts.signal?.aborted) throw new CancelledError('calibration cancelled');
      const n = Math.min(batch, input.count - start);
      const out = await session.run(
        { [inputName]: { type: 'float32', data: input.data.subarray(start * per, (start + n) * per), dims: [n, input.size, input.size, 3] } },
        opts.output ? [...tensors, opts.output] : tensors,
      );
      if (opts.output) outputs.push(out[opts.output]!.data as Float32Array);
      for (const t of tensors) {
        const values = out[t]!.data as Float32Array;
        const each = values.length / n;
        const acc = sums.get(t)!;
        for (let i = 0; i < n; i++) {
          let lo = Infinity;
          let hi = -Infinity;
          for (let j = i * each; j < (i + 1) * each; j++) {
            const v = values[j]!;
            if (v < lo) lo = v;
            if (v > hi) hi = v;
          }
          acc.min += lo;
          acc.max += hi;
        }
      }
      opts.onProgress?.(start + n, input.count);
    }
  } finally {
    await session.dispose();
  }
  const ranges = new Map([...sums].map(([t, s]) => [t, { min: s.min / input.count, max: s.max / input.count }]));
  if (!opts.output) return { ranges, output: null };
  const all = new Float32Array(outputs.reduce((n, o) => n + o.length, 0));
  let at = 0;
  for (const o of outputs) { all.set(o, at); at += o.length; }
  return { ranges, output: all };
}

