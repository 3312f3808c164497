/**
 * npm run bench:train [-- --backends wasm,cpu --backbones compact,resnet50 --steps N --batch B --recipe FILE]
 *                     [-- --baseline GIT_REV [--reps N] [--profile] [--only-compare]]
 *
 * Training images/s (one full FastPR step: every loss term, gradients of all weights, Adam) and
 * inference images/s (the inference graph) per backend and backbone at 224×224, with the MAC
 * counts, so throughput reads as GMAC/s. Defaults keep the run short on a shared 2-core machine:
 * the cpu backend trains only the compact backbone, at batch 1, for one step, and resnet50 runs a
 * smaller batch. The issue's goal: compact, wasm, one thread: ≥ 15 training images/s.
 * Timing: two untimed steps first (the first builds XNNPACK operators and grows the wasm heap, the
 * second is still ~1.5× a steady step: measured 1 Dec, 1.61 / 0.70 / then 0.44–0.51 CPU-s), then
 * `--steps` (default 10) timed steps: the median and the fastest and slowest are printed.
 *
 * --baseline REV: old against new in the same process (bench/baseline.ts: `core/` of REV's wasm
 * kernels, Adam and trainStep next to the working tree's); the compact wasm training step (batch 8, 224×224) then runs interleaved,
 * old, new, old, new… (`--reps`, default 5, after one warm-up each), and the medians of CPU and wall
 * time per step are printed with their ratios and the load average. --profile adds the per-kernel
 * CPU time of one step of each (self time: inner kernels of our composite kernels excluded).
 */
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import * as tf from '../core/tf/tf';
import { describeBackendChoice, initBackend, wasmThreadsCount } from '../core/tf/backend';
import { parseModelConfig, type ModelConfig } from '../core/model/config';
import { createModel, forward, type FastprModel } from '../core/model/fastpr';
import { countMacs } from '../core/model/macs';
import { Rng } from '../core/model/rng';
import { Adam } from '../core/train/adam';
import { assembleBatch, batchTensors, disposeBatch, prepareSample, type BatchTensors } from '../core/train/batch';
import { parseTrainConfig } from '../core/train/config';
import { buildSamples } from '../core/train/samples';
import { trainStep } from '../core/train/step';
import { toyDataset } from '../core/train/testing/toyData';
import { WASM_GRADIENT_KERNELS } from '../core/tf/kernels/index';
import { loadBaseline, useKernels } from './baseline';
import { profileKernels, type KernelProfile } from './kernelProfile';

const args = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const STEPS = Number(arg('--steps') ?? 10);
const BATCH = arg('--batch') ? Number(arg('--batch')) : undefined;
const BACKBONES = (arg('--backbones') ?? 'compact,resnet50').split(',') as Array<'compact' | 'resnet50'>;

/**
 * The shipped recipe's model settings (loss weights, confidence objective, proxies), so the step
 * measured is the one `fastpr train --config models/recipes/default.json` runs; the backbone is
 * set per row. Without the recipe file, the model defaults.
 */
const RECIPE = arg('--recipe') ?? fileURLToPath(new URL('../models/recipes/default.json', import.meta.url));
const RECIPE_NAME = arg('--recipe') ?? 'models/recipes/default.json';
const recipe = existsSync(RECIPE) ? (JSON.parse(readFileSync(RECIPE, 'utf8')) as { model?: Record<string, unknown>; training?: Record<string, unknown> }) : {};
const recipeModel: Record<string, unknown> = recipe.model ?? {};
/** The recipe's batch settings that change the step's work: queries per image (query rows = batch × it) and box targets. */
const recipeTrain = parseTrainConfig({ batchSize: 8, ...(recipe.training?.queriesPerImage !== undefined ? { queriesPerImage: recipe.training.queriesPerImage } : {}), ...(recipe.training?.boxTargets !== undefined ? { boxTargets: recipe.training.boxTargets } : {}) });

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** A batch of `size` toy images; training batches ask the recipe's queries per image, inference ones one. */
function makeBatch(config: ModelConfig, size: number, seed: number, queriesPerImage = 1): BatchTensors {
  const train = parseTrainConfig({ batchSize: size });
  const { frames, images } = toyDataset(size, 320, 240, seed);
  const samples = buildSamples(frames).slice(0, size);
  const rng = new Rng(seed);
  const parts = samples.map((s) => prepareSample(s, images[s.frame]!, config, train, rng));
  return batchTensors(assembleBatch(parts, config, rng, {
    boxTargets: recipeTrain.boxTargets, queriesPerImage, ...(queriesPerImage > 1 ? { queryRng: new Rng(seed + 1) } : {}),
  }), config);
}

const cpuSec = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/**
 * Median seconds per call of fn over `reps` calls after `warmups` untimed calls: CPU seconds (the run
 * is single-threaded; on a shared, oversubscribed machine CPU time is much closer to an idle core's
 * wall time than the wall time is) and wall seconds, with the fastest and slowest call's CPU seconds.
 */
interface Timing { cpu: number; wall: number; cpuMin: number; cpuMax: number }
function timeSec(fn: () => void, reps: number, warmups = 1): Timing {
  for (let i = 0; i < warmups; i++) fn();
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    const c0 = cpuSec();
    fn();
    cpu.push(cpuSec() - c0);
    wall.push((performance.now() - t0) / 1000);
  }
  return { cpu: median(cpu), wall: median(wall), cpuMin: Math.min(...cpu), cpuMax: Math.max(...cpu) };
}

interface Row {
  backend: string; backbone: string; trainIps?: number; trainWallIps?: number; trainBatch?: number;
  /** Training images per CPU-second of the slowest and the fastest timed step. */
  trainIpsRange?: [number, number]; trainSteps?: number;
  inferIps: number; inferWallIps: number; note: string; macs: ReturnType<typeof countMacs>;
}

function measure(backend: string, backbone: 'compact' | 'resnet50'): Row {
  const config = parseModelConfig({ ...recipeModel, backbone });
  const macs = countMacs(config);
  const cpu = backend === 'cpu';
  const trainBatch = BATCH ?? (cpu ? 1 : backbone === 'resnet50' ? 2 : 8);
  const inferBatch = BATCH ?? (cpu ? 1 : 8);
  const reps = cpu || backbone === 'resnet50' ? 1 : STEPS;
  const model: FastprModel = createModel(config, 1);
  let trainIps: number | undefined;
  let trainWallIps: number | undefined;
  let trainIpsRange: [number, number] | undefined;
  let note = recipeTrain.queriesPerImage > 1 ? `training asks ${recipeTrain.queriesPerImage} queries per image; the MAC columns count one` : '';
  if (!(cpu && backbone === 'resnet50')) {
    const batch = makeBatch(config, trainBatch, 3, recipeTrain.queriesPerImage);
    const adam = new Adam(model.weights, { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, clipNorm: 0 });
    const sec = timeSec(() => void trainStep(model, batch, 'joint', adam), reps, cpu ? 1 : 2);
    trainIps = trainBatch / sec.cpu;
    trainIpsRange = [trainBatch / sec.cpuMax, trainBatch / sec.cpuMin];
    trainWallIps = trainBatch / sec.wall;
    disposeBatch(batch);
  } else {
    note = 'cpu training of resnet50 not measured (minutes per step)';
  }
  const ib = makeBatch(config, inferBatch, 4);
  const isec = timeSec(() => tf.tidy(() => {
    const f = forward(model, { image: ib.image, tokens: ib.tokens, known: ib.known });
    f.confidence.dataSync();
  }), cpu ? 1 : STEPS);
  disposeBatch(ib);
  for (const w of model.weights.values()) w.dispose();
  return { backend, backbone, trainIps, trainWallIps, trainBatch, trainIpsRange, trainSteps: reps, inferIps: inferBatch / isec.cpu, inferWallIps: inferBatch / isec.wall, note, macs };
}

// ---------------------------------------------------------------------------------------------
// Old against new (--baseline).

interface Variant {
  label: string;
  kernels: readonly KernelConfig[];
  Adam: typeof Adam;
  trainStep: typeof trainStep;
}

async function compare(rev: string, reps: number, profile: boolean): Promise<string[]> {
  await initBackend({ prefer: 'wasm', purpose: 'train', threads: 1 });
  const base = await loadBaseline(rev);
  const variants: Variant[] = [{ label: `old (${base.hash})`, ...base }, { label: 'new (working tree)', kernels: WASM_GRADIENT_KERNELS, Adam, trainStep }];
  const all = new Set(variants.flatMap((v) => v.kernels.map((k) => k.kernelName)));
  const config = parseModelConfig({ ...recipeModel, backbone: 'compact' });
  const size = BATCH ?? 8;
  const batch = makeBatch(config, size, 3, recipeTrain.queriesPerImage);
  const opts = { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, clipNorm: 0 };
  const runs = variants.map((v) => {
    const model = createModel(config, 1);
    return { v, model, adam: new v.Adam(model.weights, opts), cpu: [] as number[], wall: [] as number[], losses: [] as number[] };
  });
  const step = (r: (typeof runs)[number]) => {
    useKernels(r.v.kernels, all);
    return r.v.trainStep(r.model, batch, 'joint', r.adam);
  };
  const load0 = loadavg();
  for (const r of runs) r.losses.push(step(r).total); // warm-up: XNNPACK operators, heap growth
  const mem0 = tf.memory();
  for (let i = 0; i < reps; i++) {
    for (const r of runs) {
      useKernels(r.v.kernels, all);
      const t0 = performance.now();
      const c0 = cpuSec();
      r.losses.push(r.v.trainStep(r.model, batch, 'joint', r.adam).total);
      r.cpu.push(cpuSec() - c0);
      r.wall.push((performance.now() - t0) / 1000);
    }
  }
  const load1 = loadavg();
  const mem1 = tf.memory();
  const [old, neu] = runs as [(typeof runs)[number], (typeof runs)[number]];
  const med = (r: (typeof runs)[number]) => ({ cpu: median(r.cpu), wall: median(r.wall) });
  const mo = med(old), mn = med(neu);
  const out = [
    `## Old against new, interleaved in one process (compact, wasm, 1 thread, batch ${size}, 224×224, ${reps} steps each after a warm-up)`,
    '',
    `Load average ${load0.map((l) => l.toFixed(1)).join(', ')} at the start, ${load1.map((l) => l.toFixed(1)).join(', ')} at the end (2 cores, shared).`,
    '',
    '| variant | CPU s/step | images per CPU-s | wall s/step | images/s (wall) | CPU s of each step | loss of each step (eq. 6 total) |',
    '|---|---:|---:|---:|---:|---|---|',
    ...runs.map((r) => {
      const m = med(r);
      return `| ${r.v.label} | ${m.cpu.toFixed(3)} | ${(size / m.cpu).toFixed(2)} | ${m.wall.toFixed(3)} | ${(size / m.wall).toFixed(2)} | ` +
        `${r.cpu.map((c) => c.toFixed(2)).join(' ')} | ${r.losses.map((l) => l.toFixed(4)).join(' ')} |`;
    }),
    `| **old / new** | **${(mo.cpu / mn.cpu).toFixed(2)}×** | | **${(mo.wall / mn.wall).toFixed(2)}×** | | | |`,
    '',
    `Live tensors after the warm-up ${mem0.numTensors} (${(mem0.numBytes / 2 ** 20).toFixed(1)} MiB), after the timed steps ` +
      `${mem1.numTensors} (${(mem1.numBytes / 2 ** 20).toFixed(1)} MiB): ${mem0.numTensors === mem1.numTensors && mem0.numBytes === mem1.numBytes ? 'no growth' : 'GROWTH'}.`,
  ];
  out.push('', ...adamTable(runs[1]!.model, 5));
  if (profile) {
    const profiles = runs.map((r) => {
      useKernels(r.v.kernels, all);
      return profileKernels('wasm', () => r.v.trainStep(r.model, batch, 'joint', r.adam), new Set(['Conv2D', 'FusedConv2D', 'Transpose', 'Sum', 'BatchMatMul', 'Identity']));
    });
    out.push('', ...profileTable(runs.map((r) => r.v.label), profiles));
  }
  disposeBatch(batch);
  return out;
}

/** The Adam update alone on the model's weights: the host loop against the tensor-op update, interleaved. */
function adamTable(model: FastprModel, reps: number): string[] {
  const opts = { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, clipNorm: 0 };
  const grads = new Map([...model.weights].map(([k, w]) => [k, tf.randomNormal(w.shape, 0, 1e-3, 'float32', 1)]));
  const modes = ['host', 'ops'] as const;
  const adams = modes.map((m) => new Adam(model.weights, opts, m));
  const cpu: number[][] = modes.map(() => []);
  adams.forEach((a) => a.apply(grads));
  for (let i = 0; i < reps; i++) {
    adams.forEach((a, j) => {
      const c0 = cpuSec();
      a.apply(grads);
      cpu[j]!.push(cpuSec() - c0);
    });
  }
  adams.forEach((a) => a.dispose());
  tf.dispose([...grads.values()]);
  let n = 0;
  for (const w of model.weights.values()) n += w.size;
  return [
    `Adam update alone (${(n / 1e6).toFixed(2)} M weights), interleaved, median of ${reps}: host loop ` +
      `${(median(cpu[0]!) * 1000).toFixed(0)} CPU-ms, tensor ops ${(median(cpu[1]!) * 1000).toFixed(0)} CPU-ms (the default on wasm is now ops).`,
  ];
}

function profileTable(labels: string[], profiles: Array<KernelProfile<unknown>>): string[] {
  const names = new Map<string, number>();
  for (const p of profiles) for (const k of p.kernels) names.set(k.name, Math.max(names.get(k.name) ?? 0, k.selfCpu));
  const order = [...names.entries()].sort((a, b) => b[1] - a[1]).map(([n]) => n);
  const cell = (p: KernelProfile<unknown>, n: string) => {
    const k = p.kernels.find((x) => x.name === n);
    return k ? `${k.selfCpu.toFixed(1)} (${k.calls})` : '—';
  };
  const out = [
    '### Per-kernel CPU ms of one step (self time; calls in brackets)',
    '',
    `| kernel | ${labels.join(' | ')} |`,
    `|---|${labels.map(() => '---:').join('|')}|`,
    ...order.filter((n) => profiles.some((p) => (p.kernels.find((k) => k.name === n)?.selfCpu ?? 0) >= 0.5)).map((n) => `| ${n} | ${profiles.map((p) => cell(p, n)).join(' | ')} |`),
    `| sum of kernels | ${profiles.map((p) => p.kernels.reduce((a, k) => a + k.selfCpu, 0).toFixed(0)).join(' | ')} |`,
    `| whole step (kernels + JS: tape, tidy, kernel set-up) | ${profiles.map((p) => p.cpu.toFixed(0)).join(' | ')} |`,
  ];
  profiles.forEach((p, i) => {
    out.push('', `#### Largest single kernel shapes — ${labels[i]}`, '', '| CPU ms | calls | kernel (caller) inputs attrs |', '|---:|---:|---|');
    for (const d of p.details.slice(0, 25)) out.push(`| ${d.selfCpu.toFixed(1)} | ${d.calls} | ${d.key} |`);
  });
  return out;
}

async function main(): Promise<void> {
  const baseline = arg('--baseline');
  if (baseline) {
    const cmp = await compare(baseline, Number(arg('--reps') ?? 5), args.includes('--profile'));
    console.log(['# bench:train — old against new', '', ...cmp].join('\n'));
    if (args.includes('--only-compare')) return;
  }
  const choice = await describeBackendChoice({ purpose: 'train' });
  const available = choice.candidates.filter((c) => c.available).map((c) => c.name);
  const backends = (arg('--backends')?.split(',') ?? available).filter((b) => available.includes(b));
  const rows: Row[] = [];
  const notes: string[] = [];
  for (const b of backends) {
    const init = await initBackend({ prefer: b, purpose: 'train', allowCpuTraining: true, threads: 1 });
    notes.push(`- ${init.name}: ${init.reason}${init.name === 'wasm' ? ` (threads: ${wasmThreadsCount()})` : ''}`);
    for (const bb of BACKBONES) {
      console.error(`  measuring ${b} ${bb}…`);
      rows.push(measure(b, bb));
    }
  }
  const g = (n: number) => (n / 1e9).toFixed(3);
  const out = [
    '# bench:train — FastPR training and inference throughput (224×224)',
    '',
    `Machine: ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(', ')}. ` +
      '**Shared with other engineers: figures are indicative.**',
    '',
    'Backends:',
    ...notes,
    ...choice.candidates.filter((c) => !c.available).map((c) => `- ${c.name}: unavailable — ${c.reason}`),
    '',
    `Model settings: ${existsSync(RECIPE) ? RECIPE_NAME : 'model defaults (no recipe file)'} ` +
      `(confidence ${String(recipeModel.confidenceObjective ?? 'sse')}, λ ${JSON.stringify(recipeModel.lossWeights ?? {})}), every proxy on; ` +
      `${recipeTrain.queriesPerImage} quer${recipeTrain.queriesPerImage === 1 ? 'y' : 'ies'} per image (query rows = batch × ${recipeTrain.queriesPerImage}).`,
    '',
    'images/s from CPU time: the median step (wall time in brackets; slowest–fastest step after it), over the timed steps that follow two untimed ones; GMAC/s from CPU time.',
    '',
    '| backend | backbone | backbone GMAC/img | train fwd GMAC/img | train img/s | batch | train GMAC/s (≈3× fwd) | infer GMAC/img | infer img/s | infer GMAC/s | note |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...rows.map((r) => `| ${r.backend} | ${r.backbone} | ${g(r.macs.backbone)} | ${g(r.macs.training)} | ` +
      `${r.trainIps !== undefined ? `${r.trainIps.toFixed(2)} (${r.trainWallIps!.toFixed(2)}; ${r.trainIpsRange![0].toFixed(1)}–${r.trainIpsRange![1].toFixed(1)}, ${r.trainSteps} steps)` : '—'} | ${r.trainBatch} | ` +
      `${r.trainIps !== undefined ? ((3 * r.macs.training * r.trainIps) / 1e9).toFixed(2) : '—'} | ${g(r.macs.inference)} | ` +
      `${r.inferIps.toFixed(2)} (${r.inferWallIps.toFixed(2)}) | ${((r.macs.inference * r.inferIps) / 1e9).toFixed(2)} | ${r.note} |`),
    '',
    'Goal (issue 4): compact backbone, wasm, one thread: ≥ 15 training images/s.',
  ];
  console.log(out.join('\n'));
}

await main();
