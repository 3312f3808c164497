/** Writes a whole synthetic dataset (still or video mode) atomically through DatasetWriter. */
import { DatasetWriter } from '../dataset/writer';
import type { DatasetManifest } from '../dataset/format';
import { ProgressMeter, throwIfCancelled, type ProgressListener } from '../jobs/progress';
import { generateStillFrame } from './generate';
import { GENERATOR_NAME, generatorVersion, sequenceId, syntheticCreatedAt, type SynthOptions } from './options';
import type { TextFormatter } from './queries';
import { queryTextFormatter } from './queryText';
import { generateClip, clipPlan } from './video';

export interface SynthRun {
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  overwrite?: boolean;
  /** Query wording; default: core/query's formatQuery. */
  format?: TextFormatter;
}

/** Splits by sequence: ~80/10/10, at least one val and one test sequence when there are ≥ 3. */
export function splitSequences(ids: string[]): DatasetManifest['splits'] {
  const n = ids.length;
  const held = n >= 3 ? Math.max(1, Math.round(n * 0.1)) : 0;
  return { train: ids.slice(0, n - 2 * held), val: ids.slice(n - 2 * held, n - held), test: ids.slice(n - held) };
}

export function manifestParameters(o: SynthOptions): Record<string, unknown> {
  // The version is the manifest's generator.version, not a parameter (so a 1.0.0 reproduction's
  // manifest is the very bytes 1.0.0 wrote).
  const { generatorVersion: _version, ...parameters } = o;
  return JSON.parse(JSON.stringify(parameters)) as Record<string, unknown>;
}

export async function synthesize(outDir: string, o: SynthOptions, run: SynthRun = {}): Promise<DatasetManifest> {
  const writer = DatasetWriter.create(outDir, {
    source: 'synthetic',
    generator: { name: GENERATOR_NAME, version: generatorVersion(o), parameters: manifestParameters(o) },
    seed: o.seed,
    overwrite: run.overwrite,
  });
  const meter = new ProgressMeter(`synth-${o.seed}`, 'synth', run.onProgress ?? (() => {}), 'frames');
  const format = run.format ?? queryTextFormatter();
  let done = 0;
  try {
    const sequences: string[] = [];
    if (o.video) {
      for (const clip of clipPlan(o)) {
        sequences.push(clip.sequence);
        await generateClip(o, clip, writer, (n) => {
          throwIfCancelled(run.signal, 'synthesis');
          done += n;
          meter.update(done, o.frames);
        }, format);
      }
    } else {
      for (let k = 0; k < o.frames; k++) {
        throwIfCancelled(run.signal, 'synthesis');
        const { annotation, image } = generateStillFrame(o, k, format);
        await writer.addFile(annotation.image, image);
        writer.addFrame(annotation);
        if (sequences[sequences.length - 1] !== annotation.sequence) sequences.push(annotation.sequence);
        done = k + 1;
        if (done % 8 === 0 || done === o.frames) meter.update(done, o.frames);
      }
    }
    const manifest = writer.finish(splitSequences(sequences), syntheticCreatedAt(o.seed));
    meter.finish('done', done, o.frames);
    return manifest;
  } catch (err) {
    writer.abort();
    meter.finish((err as Error).name === 'CancelledError' ? 'cancelled' : 'failed', done, o.frames, (err as Error).message);
    throw err;
  }
}

export { sequenceId };
