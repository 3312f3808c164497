/**
 * npm run bench:table1 -- --data DATASET_DIR --fastpr MODEL_DIR --baseline BASELINE_DIR
 *                         [--split test|val|train|all] [--runs 10] [--warmup 3] [--threads 1] [--limit N]
 *
 * The paper's Table 1 on our data, measured in one run on a held-out split:
 * - the six recall columns (R@1, R@5 at IoU > 0.4 / 0.5 / 0.6; correct = a top-n box overlaps any
 *   person the query matches) for FastPR and the two-stage baseline (Cos-Sim, and the Per-Vis-like
 *   cascade);
 * - inference time per batch of 8 frames (one query each) as the paper measures it: the mean of
 *   `runs` timed runs after warm-up, from decoded frames (RGBA in memory) to ranked boxes, both
 *   engines on onnxruntime CPU with the same thread count (preprocessing, crop-and-resize and
 *   decoding included for both; image file decoding excluded for both);
 * - multiply-accumulates per frame (the baseline's at the mean number of detections it made).
 * The machine is shared: the load average is printed with the table.
 */
import { cpus, loadavg } from 'node:os';
import { z } from 'zod';
import { join } from 'node:path';
import { BaselineOnnxNets } from '../core/baseline/onnx';
import { classifierMacs, detectorMacs } from '../core/baseline/macs';
import { disposeBaseline, isBaselineDir, loadBaseline } from '../core/baseline/modelDir';
import { BaselinePredictor } from '../core/baseline/predictor';
import { rgbaToTensor } from '../core/baseline/frames';
import { splitNameSchema, type FrameAnnotation } from '../core/dataset/format';
import { framesOfSplit, readDataset } from '../core/dataset/reader';
import { evaluateDataset } from '../core/eval/evaluateDataset';
import { FastprOnnxEvaluator, isOnnxModelDir } from '../core/eval/fastprOnnx';
import { findCell } from '../core/eval/paper';
import { RECALL_IOUS, RECALL_NS, type EvalReport, type Evaluator } from '../core/eval/types';
import { loadImageFrames, type Frame } from '../core/infer/frames';
import { OnnxRetriever, queryTokens } from '../core/infer/onnxRetriever';
import { decodeFrame } from '../core/infer/decodeFrames';
import { initBackend } from '../core/tf/backend';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const num = (name: string, d: number) => (opt(name) === undefined ? d : Number(opt(name)));

const dataDir = opt('--data');
const fastprDir = opt('--fastpr');
const baselineDir = opt('--baseline');
const split = splitNameSchema.or(z.literal('all')).parse(opt('--split') ?? 'test');
const RUNS = num('--runs', 10);
const WARMUP = num('--warmup', 3);
const THREADS = num('--threads', 1);
const LIMIT = opt('--limit') === undefined ? undefined : Number(opt('--limit'));
const BATCH = 8;

if (!dataDir || !fastprDir || !baselineDir || !isOnnxModelDir(fastprDir) || !isBaselineDir(baselineDir)) {
  console.error([
    'bench:table1 needs a dataset, an exported FastPR model and a trained baseline, e.g.:',
    '  node bin/fastpr.mjs synth --out .bench/table1/data --frames 3000 --seed 101 --size 224x224',
    '  node bin/fastpr.mjs train --data .bench/table1/data --out .bench/table1/fastpr',
    '  node bin/fastpr.mjs export-onnx .bench/table1/fastpr',
    '  node bin/fastpr.mjs baseline train --data .bench/table1/data --out .bench/table1/baseline',
    '  npm run bench:table1 -- --data .bench/table1/data --fastpr .bench/table1/fastpr --baseline .bench/table1/baseline',
    `(got --data ${dataDir ?? '-'}, --fastpr ${fastprDir ?? '-'}${fastprDir && !isOnnxModelDir(fastprDir) ? ' (no onnx.json)' : ''}, ` +
      `--baseline ${baselineDir ?? '-'}${baselineDir && !isBaselineDir(baselineDir) ? ' (no baseline.json)' : ''})`,
  ].join('\n'));
  process.exit(2);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function timeRuns(fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < WARMUP; i++) await fn();
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return mean(ms);
}

async function main(): Promise<void> {
  const backend = await initBackend({ purpose: 'infer' });
  const dataset = readDataset(dataDir!);
  const labelled = (split === 'all' ? dataset.frames : framesOfSplit(dataset, split)).filter((f) => f.labelled && f.queries.some((q) => q.matches.length));
  const batchFrames: FrameAnnotation[] = labelled.slice(0, BATCH);
  if (batchFrames.length < BATCH) throw new Error(`split ${split} has fewer than ${BATCH} labelled frames with a present target`);
  const decoded: Frame[] = await loadImageFrames(batchFrames.map((f) => join(dataset.dir, f.image)));
  const batchQueries = batchFrames.map((f) => f.queries.find((q) => q.matches.length)!.attributes);

  // Engines.
  const fastpr = await FastprOnnxEvaluator.open(fastprDir!, { threads: THREADS });
  const retriever = await OnnxRetriever.open(fastprDir!, { threads: THREADS, batchSize: BATCH });
  const baseline = loadBaseline(baselineDir!);
  const nets = await BaselineOnnxNets.open(baselineDir!, THREADS);
  const cosSim = new BaselinePredictor(baseline, { nets, method: 'cos-sim' });
  const cascade = new BaselinePredictor(baseline, { nets, method: 'cascade' });

  // Recall on the whole split.
  const reports: Array<{ name: string; report: EvalReport }> = [];
  for (const e of [fastpr, cosSim, cascade] as Evaluator[]) {
    reports.push({ name: e.name, report: await evaluateDataset(dataset, split, e, { protocol: 'paper', ...(LIMIT ? { limit: LIMIT } : {}) }) });
  }

  // Time per batch of 8, decoded frames → ranked boxes.
  const fastprMs = await timeRuns(async () => {
    const enc = await retriever.encode(decoded);
    const out = await retriever.queryFeatures(enc.features, BATCH, batchQueries.map((q) => queryTokens(q)));
    return decoded.map((f, b) => decodeFrame(out, b, retriever.grid, retriever.slots, retriever.inputSize, enc.transforms[b]!, f.width, f.height, { topK: 5 }));
  });
  let detections: number[] = [];
  const baselineMs = await timeRuns(async () => {
    const tensors = decoded.map((f) => rgbaToTensor(f.data, f.width, f.height));
    const analyses = await cosSim.analyse(tensors);
    tensors.forEach((t) => t.dispose());
    detections = analyses.map((a) => a.detections.length);
    return analyses.map((a, i) => cosSim.rank(a, { frameId: '', queryIndex: 0, attributes: batchQueries[i]! }));
  });

  const m = retriever.manifest;
  const fastprMacs = m.encoder.macsPerImage + m.head.macsPerImage;
  const meanDets = mean(detections);
  const baselineMacs = detectorMacs(baseline.config.detector) + meanDets * classifierMacs(baseline.config.classifier);

  const cols = RECALL_NS.flatMap((n) => RECALL_IOUS.map((iou) => `R@${n} IoU>${iou}`));
  const lines = [
    `| Model | ${cols.join(' | ')} | Time per batch of 8 (ms) | × FastPR time | GMAC per frame |`,
    `|---|${cols.map(() => '---:').join('|')}|---:|---:|---:|`,
  ];
  for (const { name, report } of reports) {
    const recall = RECALL_NS.flatMap((n) => RECALL_IOUS.map((iou) => (100 * findCell(report.paper!.anyMatch, n, iou)!.recall).toFixed(2)));
    const isFast = name.startsWith('FastPR');
    const ms = isFast ? fastprMs : baselineMs;
    const macs = isFast ? fastprMacs : baselineMacs;
    lines.push(`| ${name} | ${recall.join(' | ')} | ${ms.toFixed(1)} | ${(ms / fastprMs).toFixed(1)} | ${(macs / 1e9).toFixed(3)} |`);
  }
  const first = reports[0]!.report;
  console.log(`## Table 1 on ${dataset.manifest.source} data (${dataDir}, split ${split}: ${first.paper!.queries} present-target queries)\n`);
  console.log(lines.join('\n'));
  console.log(
    `\nTimes: mean of ${RUNS} runs after ${WARMUP} warm-up runs, batch of ${BATCH} frames with one query each, onnxruntime CPU, ` +
      `${THREADS} intra-op thread(s); frame resizing and crops of the baseline on TF.js ${backend.name}. The baseline ranked ` +
      `${meanDets.toFixed(1)} detections per frame on average. Cos-Sim and the cascade share stage 1 and 2, so one time is given for both.` +
      `\nMachine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load average ${loadavg().map((x) => x.toFixed(1)).join(' / ')} (shared; indicative).`,
  );
  await fastpr.dispose();
  await retriever.dispose();
  await nets.dispose();
  disposeBaseline(baseline);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
