/**
 * npm run bench:train-parallel [-- --replicas N --steps N --reps N --recipe FILE --init MODEL_DIR --data DIR]
 *
 * Data-parallel training (core/train/parallel) against one thread, interleaved in one run: the same
 * recipe (default: the shipped model's last stage, models/recipes/grid14-q4-pixel-logbox-continue2.json,
 * batch 8, four queries per image), fine-tuned from the same model (default models/default), on the
 * same synthetic frames, `--steps` steps per run (default 12), 1 replica and N replicas alternating
 * `--reps` times (default 2). Prints per run the median images per second of the steps after the
 * first two (a step's wall time, data loading included, from metrics.jsonl), the wall and CPU time of
 * the whole run, and the losses of the first step (the same batch: one mean over 8 samples against
 * the mean of N shard means), then the medians and their ratio.
 *
 * Without --data it writes 200 frames of the training generator (352×288, seed 2001) to a temp folder.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseModelConfig } from '../core/model/config';
import { synthesize } from '../core/synth/synthesize';
import { defaultOptions } from '../core/synth/options';
import { initBackend } from '../core/tf/backend';
import { parseTrainConfig } from '../core/train/config';
import { trainFromDataset } from '../core/train/run';
import { METRICS_FILE, type StepRecord } from '../core/train/trainer';

const args = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const REPLICAS = Number(arg('--replicas') ?? Math.min(2, availableParallelism()));
const STEPS = Number(arg('--steps') ?? 12);
const REPS = Number(arg('--reps') ?? 2);
const RECIPE = resolve(arg('--recipe') ?? fileURLToPath(new URL('../models/recipes/grid14-q4-pixel-logbox-continue2.json', import.meta.url)));
const INIT = resolve(arg('--init') ?? fileURLToPath(new URL('../models/default', import.meta.url)));

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const cpuSeconds = () => {
  const u = process.cpuUsage(); // the whole process: every worker thread's time too
  return (u.user + u.system) / 1e6;
};

interface RunFigures { replicas: number; imagesPerSecond: number; wall: number; cpu: number; first: StepRecord }

async function main(): Promise<void> {
  if (!Number.isInteger(REPLICAS) || REPLICAS < 2) throw new Error(`--replicas: expected an integer ≥ 2, got ${REPLICAS}`);
  const backend = await initBackend({ prefer: 'wasm', purpose: 'train' });
  const scratch = mkdtempSync(join(tmpdir(), 'fastpr-bench-parallel-'));
  try {
    let data = arg('--data');
    if (!data) {
      data = join(scratch, 'data');
      await synthesize(data, defaultOptions({ seed: 2001, frames: 200, width: 352, height: 288 }));
    }
    const recipe = JSON.parse(readFileSync(RECIPE, 'utf8')) as { model?: Record<string, unknown>; training?: Record<string, unknown> };
    const started = JSON.parse(readFileSync(join(INIT, 'config.json'), 'utf8')) as { model?: Record<string, unknown> };
    const model = parseModelConfig({ ...(started.model ?? {}), ...(recipe.model ?? {}) }, RECIPE);
    // The recipe's schedule squeezed into the short run (a step's work does not depend on it); no checkpoints but the last.
    const train = parseTrainConfig({ ...(recipe.training ?? {}), steps: STEPS, checkpointEvery: 1_000_000 }, RECIPE);
    if (train.batchSize % REPLICAS !== 0) throw new Error(`batch size ${train.batchSize} does not split into ${REPLICAS} replicas`);
    console.log(`# data-parallel training: ${REPLICAS} replicas against 1, ${STEPS} steps per run, ${REPS} reps (interleaved)`);
    console.log(`recipe ${RECIPE} (batch ${train.batchSize}, ${train.queriesPerImage} queries per image), from ${INIT}; data ${data}`);
    console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, backend ${backend.name}; load average at start ${loadavg().map((x) => x.toFixed(2)).join(' / ')}\n`);

    const runs: RunFigures[] = [];
    let n = 0;
    for (let rep = 0; rep < REPS; rep++) {
      // Alternate which goes first, so a drift of the machine's speed does not favour one.
      const order = rep % 2 === 0 ? [1, REPLICAS] : [REPLICAS, 1];
      for (const replicas of order) {
        const outDir = join(scratch, `run-${n++}`);
        const cpu0 = cpuSeconds();
        const t0 = performance.now();
        const result = await trainFromDataset({ dataDir: data, outDir, model, train, initFrom: INIT, backend: backend.name, replicas });
        const wall = (performance.now() - t0) / 1000;
        const cpu = cpuSeconds() - cpu0;
        if (result.state !== 'done') throw new Error(`run ${outDir} ended ${result.state}`);
        const steps = readFileSync(join(outDir, METRICS_FILE), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as StepRecord);
        const figures = { replicas, imagesPerSecond: median(steps.slice(2).map((s) => s.imagesPerSecond)), wall, cpu, first: steps[0]! };
        runs.push(figures);
        console.log(`rep ${rep + 1}, ${replicas} replica${replicas > 1 ? 's' : ''}: ${figures.imagesPerSecond.toFixed(2)} images/s (median of steps 3–${STEPS}), ` +
          `run ${wall.toFixed(1)} s wall, ${cpu.toFixed(1)} CPU-s; step 1 total loss ${figures.first.total.toFixed(4)}, L_con ${figures.first.con.toFixed(4)}, L_loc ${figures.first.loc.toFixed(4)}; load ${loadavg()[0]!.toFixed(2)}`);
        rmSync(outDir, { recursive: true, force: true });
      }
    }
    const of = (r: number) => runs.filter((x) => x.replicas === r);
    const one = of(1);
    const many = of(REPLICAS);
    const speed1 = median(one.map((r) => r.imagesPerSecond));
    const speedN = median(many.map((r) => r.imagesPerSecond));
    const pairs = one.map((r, i) => (many[i]!.imagesPerSecond / r.imagesPerSecond).toFixed(2));
    console.log('\n| replicas | training images/s (median) | run wall s (median) | CPU-s per image (median) |');
    console.log('|---:|---:|---:|---:|');
    for (const [r, set] of [[1, one], [REPLICAS, many]] as const) {
      console.log(`| ${r} | ${median(set.map((x) => x.imagesPerSecond)).toFixed(2)} | ${median(set.map((x) => x.wall)).toFixed(1)} | ` +
        `${median(set.map((x) => x.cpu / (STEPS * train.batchSize))).toFixed(3)} |`);
    }
    console.log(`\n${REPLICAS} replicas / 1: **${(speedN / speed1).toFixed(2)}×** training images per second (pairs ${pairs.join(', ')}); ` +
      `load average at the end ${loadavg().map((x) => x.toFixed(2)).join(' / ')}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
