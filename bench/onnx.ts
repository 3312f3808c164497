/**
 * `npm run bench:onnx`: onnxruntime throughput of the exported FastPR graphs on this machine.
 * Exports a randomly initialised model of the default configuration (compact backbone, 224×224,
 * S=7, M=256 — speed does not depend on the weight values; float32 weights), and also times the
 * shipped models/default/encoder.onnx (float16 weights + Cast, which onnxruntime folds to float32
 * at load: same speed) and its int8 copy encoder.int8.onnx when listed (what ingest runs). Encoder at batch 1, 8 and 16 with 1 thread, 2 threads (onnxruntime's
 * spin-waiting pool) and 2 threads without spinning; head at batch 1 and 8 with 1 and 2 threads.
 * Each configuration: 3 warm-up runs, then `--runs` timed runs, repeated `--reps` times
 * interleaved with the other configurations; the median repetition is printed.
 *
 * Wall time AND process CPU time are printed: the machine is shared (2 cores, other engineers'
 * benchmarks), and wall time under load mostly measures the load — an intra-op pool whose second
 * thread waits for a busy core stalls every op (2 threads then run slower than 1). CPU time per
 * image is what the work costs; GMAC per CPU-second is the figure to hold against the conv peak.
 *
 *   npm run bench:onnx [-- --backbone resnet50] [-- --runs 10] [-- --reps 3]
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { queryTokens } from '../core/infer/onnxRetriever';
import { parseModelConfig } from '../core/model/config';
import { createModel } from '../core/model/fastpr';
import { countMacs } from '../core/model/macs';
import { saveModelDir } from '../core/model/modelDir';
import { exportModelDir } from '../core/onnx/export/exportModel';
import { readGraphFile } from '../core/onnx/export/manifest';
import { OnnxSession, int64Tensor, onnxRuntimeVersion, type HostTensor } from '../core/onnx/runtime';
import { initBackend } from '../core/tf/backend';
import { DEFAULT_MODEL_DIR } from '../core/index/modelDirDefault';

const { values } = parseArgs({ options: { backbone: { type: 'string', default: 'compact' }, runs: { type: 'string', default: '10' }, reps: { type: 'string', default: '3' } } });
const runs = Math.max(1, Number(values.runs));
const reps = Math.max(1, Number(values.reps));
const load0 = loadavg();

await initBackend({ purpose: 'infer' });
const config = parseModelConfig({ backbone: values.backbone });
const dir = mkdtempSync(join(tmpdir(), 'fastpr-bench-onnx-'));
try {
  saveModelDir(dir, createModel(config, 1));
  const t0 = performance.now();
  const m = await exportModelDir(dir);
  const exportSeconds = (performance.now() - t0) / 1000;
  const { inputSize: s, grid: S, featureWidth: M, slots: T } = config;
  const macs = countMacs(config);

  interface Timing { wallMs: number; cpuMs: number }
  interface Config { threads: number; spinning: boolean }
  async function time(bytes: Uint8Array, cfg: Config, feeds: Record<string, HostTensor>): Promise<Timing> {
    const session = await OnnxSession.create(bytes, { intraOpThreads: cfg.threads, spinning: cfg.spinning, provider: 'cpu' });
    try {
      for (let i = 0; i < 3; i++) await session.run(feeds);
      const c0 = process.cpuUsage();
      const start = performance.now();
      for (let i = 0; i < runs; i++) await session.run(feeds);
      const wallMs = (performance.now() - start) / runs;
      const c = process.cpuUsage(c0);
      return { wallMs, cpuMs: (c.user + c.system) / 1000 / runs };
    } finally {
      await session.dispose();
    }
  }
  const medianBy = (ts: Timing[]) => [...ts].sort((a, b) => a.wallMs - b.wallMs)[Math.floor(ts.length / 2)]!;

  const encBytes = readGraphFile(dir, m.encoder);
  const headBytes = readGraphFile(dir, m.head);
  const shippedFile = join(DEFAULT_MODEL_DIR, 'encoder.onnx');
  const shipped = values.backbone === 'compact' && existsSync(shippedFile) ? new Uint8Array(readFileSync(shippedFile)) : undefined;
  const tokens = queryTokens({ gender: 1, torsoColour: 8, legColour: 1, legType: 0 });
  const image = (batch: number): HostTensor => ({ type: 'float32', data: Float32Array.from({ length: batch * s * s * 3 }, (_, i) => Math.sin(i)), dims: [batch, s, s, 3] });
  const encConfigs: Config[] = [{ threads: 1, spinning: true }, { threads: 2, spinning: true }, { threads: 2, spinning: false }];
  // The shipped model may have another grid than the exported one: its own manifest gives its MACs.
  const shippedMacs = shipped ? (JSON.parse(readFileSync(join(DEFAULT_MODEL_DIR, 'onnx.json'), 'utf8')) as { grid: number; encoder: { macsPerImage: number }; encoderInt8?: { file: string } }) : undefined;
  // The shipped int8 copy (`fastpr quantize-encoder`), which ingest runs by default, side by side with its float source.
  const shippedInt8 = shippedMacs?.encoderInt8 ? new Uint8Array(readFileSync(join(DEFAULT_MODEL_DIR, shippedMacs.encoderInt8.file))) : undefined;
  const shippedName = shippedMacs ? `shipped float16 (models/default, S=${shippedMacs.grid})` : '';
  const encModels: Array<{ name: string; bytes: Uint8Array; macs: number }> = [
    { name: 'exported float32', bytes: encBytes, macs: m.encoder.macsPerImage },
    ...(shipped && shippedMacs ? [{ name: shippedName, bytes: shipped, macs: shippedMacs.encoder.macsPerImage }] : []),
    ...(shippedInt8 && shippedMacs ? [{ name: `shipped int8 (models/default ${shippedMacs.encoderInt8!.file})`, bytes: shippedInt8, macs: shippedMacs.encoder.macsPerImage }] : []),
  ];
  const encCells: Array<{ key: string; model: string; bytes: Uint8Array; macs: number; batch: number; cfg: Config; times: Timing[] }> = [];
  for (const em of encModels) for (const batch of [1, 8, 16]) for (const cfg of encConfigs) encCells.push({ key: `${em.name}|${batch}|${cfg.threads}|${cfg.spinning}`, model: em.name, bytes: em.bytes, macs: em.macs, batch, cfg, times: [] });
  const headCells: Array<{ batch: number; threads: number; times: Timing[] }> = [];
  for (const batch of [1, 8]) for (const threads of [1, 2]) headCells.push({ batch, threads, times: [] });
  const images = new Map([1, 8, 16].map((b) => [b, image(b)]));
  for (let r = 0; r < reps; r++) {
    for (const c of encCells) c.times.push(await time(c.bytes, c.cfg, { image: images.get(c.batch)! }));
    for (const c of headCells) {
      const encoded: HostTensor = { type: 'float32', data: Float32Array.from({ length: c.batch * S * S * M }, (_, i) => Math.cos(i)), dims: [c.batch, S, S, M] };
      c.times.push(await time(headBytes, { threads: c.threads, spinning: true }, { encoded, tokens: int64Tensor(tokens, [1, T]) }));
    }
  }
  const ips = (batch: number, ms: number) => ((batch * 1000) / ms).toFixed(1);
  const gmacs = (mac: number, batch: number, ms: number) => ((mac * batch) / (ms / 1000) / 1e9).toFixed(1);
  const encRows = encCells.map((c) => {
    const t = medianBy(c.times);
    const mac = c.macs;
    return `| ${c.model} | ${c.batch} | ${c.cfg.threads}${c.cfg.threads > 1 ? (c.cfg.spinning ? ' (spin)' : ' (no spin)') : ''} | ${t.wallMs.toFixed(2)} | **${ips(c.batch, t.wallMs)}** | ${gmacs(mac, c.batch, t.wallMs)} | ${t.cpuMs.toFixed(2)} | **${ips(c.batch, t.cpuMs)}** | ${gmacs(mac, c.batch, t.cpuMs)} |`;
  });
  const headRows = headCells.map((c) => {
    const t = medianBy(c.times);
    return `| ${c.batch} | ${c.threads} | ${t.wallMs.toFixed(2)} | ${ips(c.batch, t.wallMs)} | ${gmacs(m.head.macsPerImage, c.batch, t.wallMs)} | ${t.cpuMs.toFixed(2)} | ${ips(c.batch, t.cpuMs)} |`;
  });
  const g = (x: number) => (x / 1e9).toFixed(3);
  console.log(`## onnxruntime ${onnxRuntimeVersion()} (cpu), FastPR ${config.backbone} ${s}×${s}, S=${S}, M=${M}; mean of ${runs} runs after 3 warm-up runs, median of ${reps} repetitions\n`);
  console.log(`MACs per image: encoder ${g(m.encoder.macsPerImage)} G (model count: backbone ${g(macs.backbone)} G${shippedMacs ? `; shipped S=${shippedMacs.grid} encoder ${g(shippedMacs.encoder.macsPerImage)} G` : ''}), head ${g(m.head.macsPerImage)} G (model count: alignment + localisation ${g(macs.alignment - T * S * S * M + macs.localisation)} G, no pooled readout).`);
  console.log(`Files: encoder.onnx ${(m.encoder.bytes / 1e6).toFixed(2)} MB, head.onnx ${(m.head.bytes / 1e6).toFixed(2)} MB; export took ${exportSeconds.toFixed(1)} s; export parity max abs diff ${Math.max(...Object.values(m.parity?.maxAbsDiff ?? {})).toExponential(1)}.\n`);
  console.log(`Load average (1 / 5 / 15 min) at start ${load0.map((x) => x.toFixed(1)).join(' / ')}, at end ${loadavg().map((x) => x.toFixed(1)).join(' / ')} (2 cores). Median of ${reps} interleaved repetitions.\n`);
  console.log('### encoder');
  console.log('| file | batch | intra-op threads | wall ms/batch | images/s (wall) | GMAC/s (wall) | CPU ms/batch | images per CPU-s | GMAC per CPU-s |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of encRows) console.log(r);
  console.log('\n### head (1 query)');
  console.log('| batch | threads | wall ms/batch | images/s (wall) | GMAC/s (wall) | CPU ms/batch | images per CPU-s |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of headRows) console.log(r);
  console.log('\nThe machine is shared with other engineers: wall figures are indicative; CPU figures are the cost.');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
