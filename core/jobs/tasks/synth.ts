/** Synthetic data job: core/synth into a folder (the demo clip at first start, recipe datasets). */
import { synthesize } from '../../synth/synthesize';
import type { SynthOptions } from '../../synth/options';
import type { Task } from './types';

export interface SynthParams { outDir: string; options: SynthOptions }

export const synthTask: Task = async ({ job, signal, progress }) => {
  const p = job.params as unknown as SynthParams;
  const manifest = await synthesize(p.outDir, p.options, { signal, onProgress: progress, overwrite: true });
  return { outDir: p.outDir, frames: manifest.frameCount, videos: manifest.videos ?? {} };
};
