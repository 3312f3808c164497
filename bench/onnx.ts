/**
 * `npm run bench:onnx`: onnxruntime throughput of the exported FastPR graphs on this machine.
 * Exports a randomly initialised model of the default configuration (compact backbone, 224×224,
 * S=7, M=256 — speed does not depend on the weight values), then times encoder.onnx and head.onnx
 * at batch 1 and 8 with 1 and 2 intra-op threads: mean of 10 runs after 3 warm-up runs.
 *
 *   npm run bench:onnx [-- --backbone resnet50] [-- --runs 10]
 *
 * The machine is shared: figures are indicative.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

const { values } = parseArgs({ options: { backbone: { type: 'string', default: 'compact' }, runs: { type: 'string', default: '10' } } });
const runs = Math.max(1, Number(values.runs));

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

  async function time(bytes: Uint8Array, threads: number, feeds: Record<string, HostTensor>): Promise<number> {
    const session = await OnnxSession.create(bytes, { intraOpThreads: threads, provider: 'cpu' });
    try {
      for (let i = 0; i < 3; i++) await session.run(feeds);
      const start = performance.now();
      for (let i = 0; i < runs; i++) await session.run(feeds);
      return (performance.now() - start) / runs;
    } finally {
      await session.dispose();
    }
  }

  const encBytes = readGraphFile(dir, m.encoder);
  const headBytes = readGraphFile(dir, m.head);
  const tokens = queryTokens({ gender: 1, torsoColour: 8, legColour: 1, legType: 0 });
  const rows: string[] = [];
  for (const batch of [1, 8]) {
    const image: HostTensor = { type: 'float32', data: Float32Array.from({ length: batch * s * s * 3 }, (_, i) => Math.sin(i)), dims: [batch, s, s, 3] };
    const encoded: HostTensor = { type: 'float32', data: Float32Array.from({ length: batch * S * S * M }, (_, i) => Math.cos(i)), dims: [batch, S, S, M] };
    for (const threads of [1, 2]) {
      const encMs = await time(encBytes, threads, { image });
      const headMs = await time(headBytes, threads, { encoded, tokens: int64Tensor(tokens, [1, T]) });
      const ips = (ms: number) => ((batch * 1000) / ms).toFixed(1);
      const gmacs = (mac: number, ms: number) => ((mac * batch) / (ms / 1000) / 1e9).toFixed(2);
      rows.push(`| ${batch} | ${threads} | ${encMs.toFixed(2)} | ${ips(encMs)} | ${gmacs(m.encoder.macsPerImage, encMs)} | ${headMs.toFixed(2)} | ${ips(headMs)} | ${gmacs(m.head.macsPerImage, headMs)} | ${ips(encMs + headMs)} |`);
    }
  }
  const g = (x: number) => (x / 1e9).toFixed(3);
  console.log(`## onnxruntime ${onnxRuntimeVersion()} (cpu), FastPR ${config.backbone} ${s}×${s}, S=${S}, M=${M}; mean of ${runs} runs after 3 warm-up runs\n`);
  console.log(`MACs per image: encoder ${g(m.encoder.macsPerImage)} G (model count: backbone ${g(macs.backbone)} G), head ${g(m.head.macsPerImage)} G (model count: alignment + localisation ${g(macs.alignment - T * S * S * M + macs.localisation)} G, no pooled readout).`);
  console.log(`Files: encoder.onnx ${(m.encoder.bytes / 1e6).toFixed(2)} MB, head.onnx ${(m.head.bytes / 1e6).toFixed(2)} MB; export took ${exportSeconds.toFixed(1)} s; export parity max abs diff ${Math.max(...Object.values(m.parity?.maxAbsDiff ?? {})).toExponential(1)}.\n`);
  console.log('| batch | threads | encoder ms/batch | encoder images/s | encoder GMAC/s | head ms/batch (1 query) | head images/s | head GMAC/s | end-to-end images/s |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
  console.log('\nThe machine is shared with other engineers: figures are indicative.');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
