/**
 * The benchmarks' synthetic 704×576 footage with ground truth: one clip of `seconds` at 25 frames/s,
 * 3–8 people, rendered once per seed and length into `cacheDir` and reused (bench:video, bench:refit).
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { readDataset } from '../core/dataset/reader';
import { defaultOptions } from '../core/synth/options';
import { synthesize } from '../core/synth/synthesize';

export async function benchFootage(cacheDir: string, seed: number, seconds: number, log: (s: string) => void) {
  const dir = join(cacheDir, `synth-${seed}-${seconds}s`);
  if (!existsSync(join(dir, 'manifest.json'))) {
    log(`synthesising ${seconds} s of 704×576 footage at 25 frames/s (seed ${seed})…`);
    rmSync(dir, { recursive: true, force: true });
    await synthesize(dir, defaultOptions({ seed, frames: Math.round(seconds * 25), width: 704, height: 576, crowd: { min: 3, max: 8 }, video: { seconds, fps: 25, imageEvery: 1_000_000 } }));
  }
  const ds = readDataset(dir);
  const [sequence, videoRel] = Object.entries(ds.manifest.videos ?? {})[0]!;
  return { dir, ds, sequence, video: join(dir, videoRel) };
}
