/**
 * `npx tsx bench/indexRecall.ts [-- --data DIR] [-- --split all|test] [-- --model DIR] [-- --limit N] [-- --pca D:STEP,…]`:
 * R@1 / R@5 (paper protocol, any-match, IoU > 0.5) of the same model with its encoder features
 * stored as float32, float16, int8 and pca (index storage, core/index/quantize.ts + pcaCodec.ts),
 * all in one run from one encoding of the frames. The pca basis is fitted on the first 32 frames of
 * the set (a video index fits it on its own first frames; still frames of many scenes are harder).
 */
import { parseArgs } from 'node:util';
import { readDataset, framesOfSplit } from '../core/dataset/reader';
import { evaluateDataset, toEvalFrame } from '../core/eval/evaluateDataset';
import type { EvalFrame, EvalQuery, Evaluator, QueryPrediction } from '../core/eval/types';
import { decodeFrame } from '../core/infer/decodeFrames';
import { loadImageFrames } from '../core/infer/frames';
import { OnnxRetriever, queryTokens } from '../core/infer/onnxRetriever';
import type { InputTransform } from '../core/model/preprocess';
import { fitBasis, PCA_DEFAULTS, projectCodes, reconstruct } from '../core/index/pcaCodec';
import { decodeFeatures, encodeFeatures, featureBytes, type ScalarDtype } from '../core/index/quantize';

const { values } = parseArgs({ options: {
  data: { type: 'string', default: '/work/data/test-9001' }, split: { type: 'string', default: 'all' }, model: { type: 'string', default: 'models/default' },
  limit: { type: 'string' },
  // More pca storages to compare, as components:step pairs (e.g. 32:0.04,48:0.04).
  pca: { type: 'string' },
} });
const ds = readDataset(values.data!);
const split = values.split as 'all' | 'test';
let frames = (split === 'all' ? ds.frames : framesOfSplit(ds, split)).filter((f) => f.labelled);
if (values.limit) frames = frames.slice(0, Number(values.limit));
const retriever = await OnnxRetriever.open(values.model!, { batchSize: 16 });
const per = retriever.grid * retriever.grid * retriever.manifest.featureWidth;
const cells = retriever.grid * retriever.grid;
const M = retriever.manifest.featureWidth;

// One encoding of every frame.
const feats = new Map<string, { x: Float32Array; t: InputTransform; w: number; h: number }>();
for (let s = 0; s < frames.length; s += 16) {
  const batch = frames.slice(s, s + 16).map((f) => toEvalFrame(ds, f));
  const enc = await retriever.encode(await loadImageFrames(batch.map((f) => f.imagePath)));
  batch.forEach((f, i) => feats.set(f.id, { x: enc.features.slice(i * per, (i + 1) * per), t: enc.transforms[i]!, w: enc.sizes[i]!.width, h: enc.sizes[i]!.height }));
  process.stderr.write(`\rencoded ${Math.min(s + 16, frames.length)}/${frames.length}`);
}
process.stderr.write('\n');
const fitN = Math.min(32, frames.length);
const fitData = new Float32Array(fitN * per);
frames.slice(0, fitN).forEach((f, i) => fitData.set(feats.get(f.id)!.x, i * per));

type Storage = (x: Float32Array) => Float32Array;
const scalar = (dtype: ScalarDtype): Storage => (x) => {
  const buf = Buffer.alloc(featureBytes(dtype, cells, M));
  encodeFeatures(dtype, x, cells, M, buf, 0);
  const out = new Float32Array(per);
  decodeFeatures(dtype, buf, 0, cells, M, out, 0);
  return out;
};
const pca = (d: number, stepRel: number): Storage => {
  const b = fitBasis(fitData, fitN * cells, M, d, stepRel);
  return (x) => {
    const out = new Float32Array(per);
    reconstruct(b, projectCodes(b, x, cells, new Int16Array(cells * b.d)), cells, out, 0);
    return out;
  };
};

class StoredEvaluator implements Evaluator {
  constructor(readonly name: string, private readonly store: Storage) {}
  async predict(batch: EvalFrame[], queries: EvalQuery[]): Promise<QueryPrediction[]> {
    const asked = queries.filter((q) => feats.has(q.frameId));
    if (asked.length === 0) return [];
    const stored = new Map(batch.map((f) => [f.id, this.store(feats.get(f.id)!.x)]));
    const x = new Float32Array(asked.length * per);
    asked.forEach((q, i) => x.set(stored.get(q.frameId)!, i * per));
    const out = await retriever.queryFeatures(x, asked.length, asked.map((q) => queryTokens(q.attributes)));
    return asked.map((q, i) => {
      const f = feats.get(q.frameId)!;
      const d = decodeFrame(out, i, retriever.grid, retriever.slots, retriever.inputSize, f.t, f.w, f.h, { threshold: retriever.manifest.threshold, topK: 10 });
      return { frameId: q.frameId, queryIndex: q.queryIndex, absent: !d.present, candidates: d.topK.map((h) => ({ box: h.box, score: h.confidence })) };
    });
  }
}

const variants: Array<[string, Storage]> = [
  ['float32', (x) => x], ['float16', scalar('float16')], ['int8', scalar('int8')],
  [`pca d=${PCA_DEFAULTS.dims} step ${PCA_DEFAULTS.stepRel} (default)`, pca(PCA_DEFAULTS.dims, PCA_DEFAULTS.stepRel)],
  ['pca d=64 step 0.01', pca(64, 0.01)], ['pca d=96 step 0.005', pca(96, 0.005)],
  ...(values.pca ?? '').split(',').filter(Boolean).map((pair): [string, Storage] => {
    const [d, step] = pair.split(':').map(Number);
    if (!(d! >= 1) || !(step! > 0)) throw new Error(`--pca: expected components:step pairs such as 32:0.04, got '${pair}'`);
    return [`pca d=${d} step ${step}`, pca(d!, step!)];
  }),
];
const rows: string[] = [];
let ref: number[] | null = null;
for (const [name, st] of variants) {
  const rep = await evaluateDataset(ds, split, new StoredEvaluator(name, st), { protocol: 'paper', ...(values.limit ? { limit: Number(values.limit) } : {}) });
  const cell = (n: number) => rep.paper!.anyMatch.find((c) => c.n === n && c.iou === 0.5)!;
  const r = [cell(1).recall, cell(5).recall];
  ref ??= r;
  rows.push(`| ${name} | ${(100 * r[0]!).toFixed(2)}% (${cell(1).hits}/${cell(1).total}) | ${(100 * r[1]!).toFixed(2)}% | ${(100 * (r[0]! - ref[0]!)).toFixed(2)} / ${(100 * (r[1]! - ref[1]!)).toFixed(2)} points |`);
  process.stderr.write(`${name} done\n`);
}
await retriever.dispose();
console.log([
  `## index storage vs R@n — ${values.data} (${split}, ${frames.length} labelled frames), model ${values.model}; pca basis fitted on the first ${fitN} frames`,
  '', '| storage | R@1 (IoU > 0.5, any match) | R@5 | Δ vs float32 (R@1 / R@5) |', '|---|---|---|---|', ...rows,
].join('\n'));
