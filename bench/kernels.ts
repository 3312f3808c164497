/**
 * npm run bench:kernels [-- --reps N --cpu-size S | --cpu-full | --skip-cpu | --cpu-naive]
 *                       [-- --baseline REV [--only-baseline]]
 *
 * 1. Per gradient kernel at the shapes of a batch-8, 224×224 CNN: the wasm backend's stock kernel
 *    ("wasm-naive") against ours ("wasm-fast"), one thread. Where wasm has no kernel at all,
 *    --cpu-naive times the cpu backend's JS kernel instead (marked *; ~20 min on a loaded machine).
 * 2. A full training step (forward + backward + SGD) of the ~0.2-GMAC reference CNN at batch 8,
 *    224×224: wasm with our kernels, wasm with only the filter-gradient kernel ours (stock input
 *    gradient), and the pure-JS cpu backend (one step at a smaller input, scaled by pixel count,
 *    unless --cpu-full).
 * 3. --baseline REV: the conv-gradient kernels of REV (bench/baseline.ts) against the working tree's
 *    at the FastPR compact model's batch-8 shapes, interleaved (old, new, forward conv; 7 rounds,
 *    medians of CPU time).
 * Prints Markdown. The machine is shared: the load average is printed with the results.
 */
import { cpus, loadavg } from 'node:os';
import * as tf from '../core/tf/tf';
import { initBackend, loadBackendForComparison, wasmThreadsCount } from '../core/tf/backend';
import { conv2dBackpropFilterConfig } from '../core/tf/kernels/conv2dBackpropFilter';
import { stockWasmKernel, useFastWasmKernels } from '../core/tf/kernels/index';
import { referenceMacs, referenceParams, referenceStep } from './referenceCnn';
import { loadBaseline, useKernels } from './baseline';
import { WASM_GRADIENT_KERNELS } from '../core/tf/kernels/index';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const REPS = opt('--reps', 3);
const CPU_SIZE = args.includes('--cpu-full') ? 224 : opt('--cpu-size', 56);
const SKIP_CPU = args.includes('--skip-cpu');
const CPU_NAIVE = args.includes('--cpu-naive');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/**
 * Process CPU time (user + system) in ms. On a shared, oversubscribed machine the wall time of a
 * single-threaded computation is inflated by waiting for a core; its CPU time is much closer to
 * what an idle core would take, so both are reported.
 */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

export interface Timing { wall: number; cpu: number }

/** Median wall and CPU time of fn (its result is read back, so the work is really done). */
function timeMs(fn: () => tf.Tensor, reps: number, warmUp = true): Timing {
  if (warmUp) fn().dispose(); // XNNPACK operator creation, heap growth
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    const c0 = cpuMs();
    const r = fn();
    r.dataSync();
    wall.push(performance.now() - t0);
    cpu.push(cpuMs() - c0);
    r.dispose();
  }
  return { wall: median(wall), cpu: median(cpu) };
}

const fmtT = (t: Timing) => `${t.cpu.toFixed(1)} (${t.wall.toFixed(0)})`;

type Shape4 = [number, number, number, number];
interface OpCase { op: string; x: Shape4; f: Shape4; s: number }

const CASES: OpCase[] = [
  { op: 'Conv2DBackpropFilter', x: [8, 224, 224, 3], f: [7, 7, 3, 16], s: 2 },
  { op: 'Conv2DBackpropFilter', x: [8, 56, 56, 24], f: [3, 3, 24, 24], s: 1 },
  { op: 'Conv2DBackpropFilter', x: [8, 56, 56, 24], f: [3, 3, 24, 48], s: 2 },
  { op: 'Conv2DBackpropFilter', x: [8, 56, 56, 24], f: [1, 1, 24, 48], s: 2 },
  { op: 'Conv2DBackpropFilter', x: [8, 14, 14, 96], f: [3, 3, 96, 96], s: 1 },
  { op: 'Conv2DBackpropInput', x: [8, 56, 56, 24], f: [3, 3, 24, 24], s: 1 },
  { op: 'Conv2DBackpropInput', x: [8, 56, 56, 24], f: [3, 3, 24, 48], s: 2 },
  { op: 'Conv2DBackpropInput', x: [8, 56, 56, 24], f: [1, 1, 24, 48], s: 2 },
  { op: 'Conv2DBackpropInput', x: [8, 14, 14, 96], f: [3, 3, 96, 96], s: 1 },
  { op: 'Conv2DBackpropInput', x: [8, 7, 7, 192], f: [3, 3, 192, 192], s: 1 },
  { op: 'DepthwiseConv2dNativeBackpropFilter', x: [8, 56, 56, 32], f: [3, 3, 32, 1], s: 1 },
  { op: 'DepthwiseConv2dNativeBackpropFilter', x: [8, 56, 56, 32], f: [3, 3, 32, 1], s: 2 },
  { op: 'DepthwiseConv2dNativeBackpropInput', x: [8, 56, 56, 32], f: [3, 3, 32, 1], s: 1 },
  { op: 'DepthwiseConv2dNativeBackpropInput', x: [8, 56, 56, 32], f: [3, 3, 32, 1], s: 2 },
];

function runOp(c: OpCase, x: tf.Tensor4D, w: tf.Tensor4D, dy: tf.Tensor4D): tf.Tensor {
  const attrs = { strides: [c.s, c.s], pad: 'same', dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined };
  const inputs: tf.NamedTensorMap = c.op.endsWith('Filter') ? { x, dy } : { dy, filter: w };
  const extra = c.op.endsWith('Filter') ? { filterShape: c.f } : { inputShape: c.x };
  return tf.engine().runKernel(c.op, inputs, { ...attrs, ...extra } as never) as tf.Tensor;
}

async function opTable(): Promise<string[]> {
  const rows = [
    'Times: CPU ms (wall ms in brackets), median. Ratio from CPU times.',
    '',
    '| op | x · filter · stride | GMAC | wasm-naive ms | wasm-fast ms | ratio |',
    '|---|---|---:|---:|---:|---:|',
  ];
  for (const c of CASES) {
    const depthwise = c.op.startsWith('Depthwise');
    const naiveOnCpu = !stockWasmKernel(c.op);
    const make = () => {
      const x = tf.randomNormal(c.x, 0, 1, 'float32', 1) as tf.Tensor4D;
      const w = tf.randomNormal(c.f, 0, 1, 'float32', 2) as tf.Tensor4D;
      const outC = depthwise ? c.f[2] * c.f[3] : c.f[3];
      const dyShape: Shape4 = [c.x[0], Math.ceil(c.x[1] / c.s), Math.ceil(c.x[2] / c.s), outC]; // 'same'
      return { x, w, dy: tf.randomNormal(dyShape, 0, 1, 'float32', 3) as tf.Tensor4D };
    };
    await tf.setBackend('wasm');
    useFastWasmKernels(true);
    let t = make();
    const fast = timeMs(() => runOp(c, t.x, t.w, t.dy), REPS);
    let naive: Timing | undefined;
    if (naiveOnCpu && !CPU_NAIVE) {
      naive = undefined;
    } else if (naiveOnCpu) {
      await tf.setBackend('cpu');
      t = make();
      naive = timeMs(() => runOp(c, t.x, t.w, t.dy), 1, false);
      await tf.setBackend('wasm');
    } else {
      useFastWasmKernels(false);
      naive = timeMs(() => runOp(c, t.x, t.w, t.dy), 1, false);
      useFastWasmKernels(true);
    }
    const [, oh, ow] = t.dy.shape;
    const gmac = (c.x[0] * oh! * ow! * c.f[0] * c.f[1] * c.f[2] * (depthwise ? 1 : c.f[3])) / 1e9;
    rows.push(`| ${c.op} | ${c.x.join('×')} · ${c.f.slice(0, 2).join('×')}×${c.f[2]}→${depthwise ? c.f[2] : c.f[3]} · s${c.s} | ${gmac.toFixed(3)} | ` +
      `${naive ? `${fmtT(naive)}${naiveOnCpu ? '*' : ''}` : 'none in wasm'} | ${fmtT(fast)} | ${naive ? `${(naive.cpu / fast.cpu).toFixed(1)}×` : '—'} |`);
    console.error(`  measured ${c.op} ${c.x.join('x')} s${c.s}`);
  }
  return rows;
}

/** Median step time of the reference CNN on the active backend. */
function stepMs(size: number, steps: number): Timing {
  return tf.tidy(() => {
    const p = referenceParams();
    const sgd = tf.train.sgd(0.01);
    const images = tf.randomUniform([8, size, size, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    const labels = tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32');
    if (steps > 1) referenceStep(p, sgd, images, labels); // warm-up
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      const c0 = cpuMs();
      referenceStep(p, sgd, images, labels);
      wall.push(performance.now() - t0);
      cpu.push(cpuMs() - c0);
    }
    [...p.values()].forEach((v) => v.dispose());
    return { wall: median(wall), cpu: median(cpu) };
  });
}

async function stepTable(): Promise<string[]> {
  const gmac = referenceMacs(224) / 1e9;
  const rows = [
    `Reference CNN: ${gmac.toFixed(3)} GMAC forward per 224×224 image; a training step is ≈3× that ` +
      `(forward + input and filter gradients) × 8 images = ${(3 * gmac * 8).toFixed(2)} GMAC.`,
    '',
    'Step time: CPU ms (wall ms in brackets); images/s and GMAC/s from the CPU time.',
    '',
    '| backend · kernels | input | step ms (batch 8) | images/s | GMAC/s (3× fwd) |',
    '|---|---|---:|---:|---:|',
  ];
  const row = (label: string, input: string, t: Timing) =>
    rows.push(`| ${label} | ${input} | ${t.cpu.toFixed(0)} (${t.wall.toFixed(0)}) | ${(8000 / t.cpu).toFixed(1)} | ${((3 * gmac * 8) / (t.cpu / 1000)).toFixed(2)} |`);
  await tf.setBackend('wasm');
  useFastWasmKernels(true);
  row('wasm · our kernels', '224²', stepMs(224, REPS));
  useFastWasmKernels(false);
  // Stock wasm has no Conv2DBackpropFilter at all: keep ours for it, stock for the rest.
  tf.registerKernel(conv2dBackpropFilterConfig);
  row('wasm · only filter-gradient kernel ours (stock input gradient)', '224²', stepMs(224, 1));
  tf.unregisterKernel('Conv2DBackpropFilter', 'wasm');
  useFastWasmKernels(true);
  console.error('  measured wasm steps');
  if (!SKIP_CPU) {
    await tf.setBackend('cpu');
    const small = stepMs(CPU_SIZE, 1);
    const k = (224 / CPU_SIZE) ** 2;
    const ms = { wall: small.wall * k, cpu: small.cpu * k };
    row(`cpu (pure JS)${CPU_SIZE === 224 ? '' : ` — measured at ${CPU_SIZE}², scaled ×${((224 / CPU_SIZE) ** 2).toFixed(0)} by pixels`}`, '224²', ms);
    await tf.setBackend('wasm');
  }
  return rows;
}

/** The compact FastPR model's conv gradients at batch 8, 224×224 (F = filter, I = input gradient). */
const MODEL_CASES: Array<OpCase & { layer: string }> = [
  { layer: 'stem', op: 'Conv2DBackpropFilter', x: [8, 224, 224, 3], f: [3, 3, 3, 16], s: 2 },
  { layer: 'stage1.down', op: 'Conv2DBackpropFilter', x: [8, 112, 112, 16], f: [3, 3, 16, 32], s: 2 },
  { layer: 'stage1.down', op: 'Conv2DBackpropInput', x: [8, 112, 112, 16], f: [3, 3, 16, 32], s: 2 },
  { layer: 'stage2.block1', op: 'Conv2DBackpropFilter', x: [8, 28, 28, 48], f: [3, 3, 48, 48], s: 1 },
  { layer: 'stage2.block1', op: 'Conv2DBackpropInput', x: [8, 28, 28, 48], f: [3, 3, 48, 48], s: 1 },
  { layer: 'stage3.block1', op: 'Conv2DBackpropFilter', x: [8, 14, 14, 96], f: [3, 3, 96, 96], s: 1 },
  { layer: 'stage4.block1', op: 'Conv2DBackpropFilter', x: [8, 7, 7, 128], f: [3, 3, 128, 128], s: 1 },
  { layer: 'align.fuse', op: 'Conv2DBackpropFilter', x: [8, 7, 7, 4096], f: [1, 1, 4096, 256], s: 1 },
  { layer: 'align.fuse', op: 'Conv2DBackpropInput', x: [8, 7, 7, 4096], f: [1, 1, 4096, 256], s: 1 },
  { layer: 'loc.fc2 etc.', op: 'Conv2DBackpropFilter', x: [8, 7, 7, 256], f: [1, 1, 256, 256], s: 1 },
  { layer: 'loc.fc2 etc.', op: 'Conv2DBackpropInput', x: [8, 7, 7, 256], f: [1, 1, 256, 256], s: 1 },
];

async function baselineTable(rev: string): Promise<string[]> {
  const base = await loadBaseline(rev);
  const all = new Set([...base.kernels, ...WASM_GRADIENT_KERNELS].map((k) => k.kernelName));
  const rows = [
    `Our kernels at ${base.hash} ("old") against the working tree ("new"), and the layer's forward conv, ` +
      'interleaved, 7 rounds; CPU ms, median.',
    '',
    '| layer | op | x · filter · stride | forward ms | old ms | new ms | old / new |',
    '|---|---|---|---:|---:|---:|---:|',
  ];
  for (const c of MODEL_CASES) {
    const x = tf.randomNormal(c.x, 0, 1, 'float32', 1) as tf.Tensor4D;
    const w = tf.randomNormal(c.f, 0, 1, 'float32', 2) as tf.Tensor4D;
    const dyShape: Shape4 = [c.x[0], Math.ceil(c.x[1] / c.s), Math.ceil(c.x[2] / c.s), c.f[3]];
    const dy = tf.randomNormal(dyShape, 0, 1, 'float32', 3) as tf.Tensor4D;
    const t: Record<'fwd' | 'old' | 'new', number[]> = { fwd: [], old: [], new: [] };
    const once = (fn: () => tf.Tensor) => {
      const c0 = cpuMs();
      const r = fn();
      r.dataSync();
      const dt = cpuMs() - c0;
      r.dispose();
      return dt;
    };
    for (let round = 0; round < 7; round++) {
      for (const [label, ks] of [['old', base.kernels], ['new', WASM_GRADIENT_KERNELS]] as const) {
        useKernels(ks, all);
        t[label].push(once(() => runOp(c, x, w, dy)));
      }
      t.fwd.push(once(() => tf.conv2d(x, w, c.s, 'same')));
    }
    useKernels(WASM_GRADIENT_KERNELS, all);
    const m = { fwd: median(t.fwd), old: median(t.old), new: median(t.new) };
    rows.push(`| ${c.layer} | ${c.op} | ${c.x.join('×')} · ${c.f.join('×')} · s${c.s} | ${m.fwd.toFixed(1)} | ${m.old.toFixed(1)} | ${m.new.toFixed(1)} | ${(m.old / m.new).toFixed(2)}× |`);
    tf.dispose([x, w, dy]);
    console.error(`  measured ${c.layer} ${c.op}`);
  }
  return rows;
}

async function main(): Promise<void> {
  const backend = await initBackend({ prefer: 'wasm', purpose: 'train', threads: 1 });
  const baseline = args[args.indexOf('--baseline') + 1];
  if (args.includes('--baseline') && baseline) {
    const load = loadavg().map((l) => l.toFixed(1)).join(', ');
    const rows = await baselineTable(baseline);
    console.log(['# bench:kernels — conv gradients, old against new', '', `Load average ${load} at the start, ` +
      `${loadavg().map((l) => l.toFixed(1)).join(', ')} at the end (2 cores, shared).`, '', ...rows].join('\n'));
    if (args.includes('--only-baseline')) return;
  }
  await loadBackendForComparison('cpu');
  const load = loadavg().map((l) => l.toFixed(1)).join(', ');
  const out: string[] = [
    '# bench:kernels — wasm gradient kernels',
    '',
    `Backend: ${backend.name}, ${wasmThreadsCount()} thread(s). Machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ` +
      `load average at start ${load}. **The machine is shared with other engineers: figures are indicative.**`,
    '',
    '## Kernels',
    '',
    ...(await opTable()),
    '',
    '\\* wasm has no stock kernel for this op; the cpu backend\'s JavaScript kernel stands in as "naive" (--cpu-naive).',
    '',
    '## Training step',
    '',
    ...(await stepTable()),
    '',
    `Load average at end: ${loadavg().map((l) => l.toFixed(1)).join(', ')}.`,
  ];
  console.log(out.join('\n'));
}

await main();
