/**
 * `npm run bench:video`: video ingest and search on synthetic 704×576 footage with ground truth.
 * Prints ingest speed as a multiple of real time at 5 frames/s sampling, the decode / preprocess /
 * encoder shares of that time, re-query throughput in indexed frames per second (head.onnx over a
 * ~10-minute index), index bytes per hour of footage and as a share of the video file, the
 * int8/float16 storage error against float32, the coarse-to-fine recall cost, and sighting recall
 * against ground truth (meaningful only with a trained model: --model DIR).
 *
 *   npm run bench:video [-- --model DIR | --random] [-- --seconds 12] [-- --seed 5] [-- --threads 2] [-- --batch 8] [-- --reps 3] [-- --quick] [-- --encoder-worker]
 *
 * --encoder-worker runs the new pipeline's encoder on a worker thread (opt-in: see IngestOptions.encoderInWorker).
 *
 * Old and new paths are measured side by side in one run (the machine is shared, so their ratio is
 * the meaningful figure). Ingest: the old pipeline (ffmpeg converts whole kept frames to RGB before
 * shrinking them; onnxruntime's default thread pool, 2 threads here) and the new one (ffmpeg shrinks
 * from YUV; one encoder thread), interleaved, several repetitions, with wall time AND CPU time per
 * footage-second split into ffmpeg (decode + scale), the node main thread (pipe, normalise, JPEG,
 * index writes) and node's other threads (onnxruntime's encoder, GC) — CPU time is what a loaded
 * 2-core machine really spends, and its sum gives the 2-core ceiling; also the reference JS
 * preprocessing ('js') once. Re-query: the exported head vs the query-folded head. --quick uses a
 * 1,000-frame re-query index and one repetition of everything.
 *
 * The model is --model DIR, else the shipped models/default (compact, 224×224, S=7, M=256, float16
 * weights); --random uses a random-init model of the same architecture (speed and size figures are
 * the same, recall is not meaningful). The machine is shared: figures are indicative.
 */
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchFootage } from './footage';
import type { AttributeCodes } from '../core/attributes/schema';
import { clipTruth, framesOnTarget, scoreSightings } from '../core/index/groundTruth';
import { IndexFile } from '../core/index/indexFile';
import { IndexFileWriter } from '../core/index/indexWriter';
import { coefficientCache } from '../core/index/coefficientCache';
import { warmIndexFiles } from '../core/index/warmIndexes';
import { ingestVideo, type IngestOptions } from '../core/index/ingest';
import { skipsNonReferenceFrames } from '../core/index/buildIndex';
import { resolveModelDir } from '../core/index/modelDirDefault';
import { PCA_DEFAULTS } from '../core/index/pcaCodec';
import type { FeatureDtype } from '../core/index/quantize';
import type { IndexHeader } from '../core/index/format';
import { normaliseScaled, scaledGeometry } from '../core/index/scaledInput';
import { searchIndex } from '../core/index/search';
import { thumbSize } from '../core/index/thumbnail';
import { timeIou, type Sighting } from '../core/index/sightings';
import { makeRandomOnnxModel } from '../core/index/testing/randomModel';
import { OnnxRetriever } from '../core/infer/onnxRetriever';
import { preprocessFrame } from '../core/model/preprocess';
import { createCase, openStore } from '../core/store/index';
import { FrameStream } from '../core/video/decode';
import { probeVideo } from '../core/video/probe';

const { values } = parseArgs({ options: {
  model: { type: 'string' }, random: { type: 'boolean', default: false }, seconds: { type: 'string', default: '12' }, seed: { type: 'string', default: '5' },
  threads: { type: 'string' }, batch: { type: 'string', default: '8' }, reps: { type: 'string' }, quick: { type: 'boolean', default: false },
  'encoder-worker': { type: 'boolean', default: false },
} });
const ingestReps = Math.max(1, Number(values.reps ?? (values.quick ? 1 : 3)));
const load0 = loadavg();
const encBatch = Number(values.batch);
const seconds = Number(values.seconds);
const seed = Number(values.seed);
const threads = values.threads ? Number(values.threads) : undefined;
const cache = join(tmpdir(), 'fastpr-bench-video');
mkdirSync(cache, { recursive: true });
const log = (s: string) => process.stderr.write(s + '\n');
const loadStart = loadavg();

// 1. Footage (cached per seed and length) and model.
const { ds, sequence, video } = await benchFootage(cache, seed, seconds, log);
const trained = !values.random;
const modelDir = values.random ? await makeRandomOnnxModel(join(cache, 'model-compact'), 'compact') : resolveModelDir(values.model);
const videoBytes = statSync(video).size;

// CPU time from /proc (Linux): ffmpeg and ffprobe are reaped children (cutime + cstime); node's
// main thread runs the JS (pipe, normalise, JPEG, index writes), its other threads onnxruntime's
// encoder and V8's GC. Undefined where /proc is missing: the bench then prints wall time only.
const TICK = 0.01; // s per clock tick (USER_HZ 100 on Linux)
interface Cpu { main: number; other: number; ffmpeg: number }
function ticks(statLine: string): number[] { return statLine.slice(statLine.lastIndexOf(')') + 2).split(' ').map(Number); }
function cpuNow(): Cpu | undefined {
  try {
    const all = ticks(readFileSync('/proc/self/stat', 'utf8'));
    const main = ticks(readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8'));
    const total = (all[11]! + all[12]!) * TICK;
    const m = (main[11]! + main[12]!) * TICK;
    return { main: m, other: total - m, ffmpeg: (all[13]! + all[14]!) * TICK };
  } catch {
    return undefined;
  }
}
function cpuSince(c0: Cpu | undefined): Cpu | undefined {
  const c1 = cpuNow();
  return c0 && c1 ? { main: c1.main - c0.main, other: c1.other - c0.other, ffmpeg: c1.ffmpeg - c0.ffmpeg } : undefined;
}

// 2. Decode alone: the sampled frames exactly as ingest pulls them (shrunk in ffmpeg, old and new colour path).
const info0 = await probeVideo(video);
const pre0 = (JSON.parse(readFileSync(join(modelDir, 'onnx.json'), 'utf8')) as { preprocessing: { size: number; mode: 'letterbox' | 'resize' } }).preprocessing;
const geom0 = scaledGeometry(info0.width, info0.height, pre0.size, pre0.mode);
const thumb0 = thumbSize(info0.width, info0.height);
// The frames ingest samples: at 5 frames/s from 25, the decoder skips non-reference frames
// (buildIndex.ts skipsNonReferenceFrames), so each bin's first *decoded* frame. Every reference
// decode below samples the same frames.
const skipNonReference = skipsNonReferenceFrames(info0, 5);
const SAMPLED = { fps: 5, skipNonReference } as const;
async function decodeAlone(rgbFirst: boolean, skip = skipNonReference) {
  const c0 = cpuNow();
  const t0 = performance.now();
  const st = FrameStream.start(video, { ...SAMPLED, skipNonReference: skip, scaled: { width: geom0.width, height: geom0.height, thumbWidth: thumb0.width, thumbHeight: thumb0.height, rgbFirst } });
  let frames = 0;
  for (let f = await st.next(); f; f = await st.next()) frames++;
  return { frames, wall: (performance.now() - t0) / 1000, cpu: cpuSince(c0) };
}
const decodeRuns: Record<'old' | 'new' | 'every', Array<Awaited<ReturnType<typeof decodeAlone>>>> = { old: [], new: [], every: [] };
for (let r = 0; r < ingestReps; r++) {
  decodeRuns.old.push(await decodeAlone(true));
  decodeRuns.new.push(await decodeAlone(false));
  decodeRuns.every.push(await decodeAlone(false, false));
}

// 3. Ingest into a fresh case store: old and new pipeline interleaved, then the reference JS preprocessing once.
const storeDir = join(cache, `store-${process.pid}`);
async function ingestWith(tag: string, opts: IngestOptions) {
  rmSync(storeDir, { recursive: true, force: true });
  const store = openStore(storeDir, { actor: 'bench' });
  const caseId = createCase(store, 'bench').id;
  const c0 = cpuNow();
  const t0 = performance.now();
  const r = await ingestVideo(store, caseId, video, modelDir, opts);
  const wall = (performance.now() - t0) / 1000;
  const cpuAll = cpuSince(c0);
  // The same call again finds the complete index: probe, one-frame decode, hash, model load and
  // database only. Its CPU is subtracted so `cpu` is the build's (decode → encoder → index file).
  const c1 = cpuNow();
  await ingestVideo(store, caseId, video, modelDir, opts);
  const fixed = cpuSince(c1);
  const cpu = cpuAll && fixed ? { main: cpuAll.main - fixed.main, other: cpuAll.other - fixed.other, ffmpeg: cpuAll.ffmpeg - fixed.ffmpeg } : undefined;
  store.close();
  const keep = join(cache, `index-${tag}-${process.pid}.fpi`);
  copyFileSync(r.index.filePath, keep);
  return { ing: r, wall, cpu, path: keep };
}
type IngestRun = Awaited<ReturnType<typeof ingestWith>>;
// The old pipeline as it was: batch 16, onnxruntime's default pool (threads 0: one per core) on the main thread, RGB-first shrink.
const OLD_INGEST: IngestOptions = { inputScaling: 'ffmpeg', scaleFromRgb: true, threads: 0, batchSize: 16, readOffThread: false, encoder: 'float' };
// The shipped default: the model's int8 encoder when it has one (`fastpr quantize-encoder`), else its float one.
const NEW_INGEST: IngestOptions = { inputScaling: 'ffmpeg', threads: 1, batchSize: encBatch, encoderInWorker: values['encoder-worker'] === true, encoder: 'auto' };
// The same with the float encoder (encoder.onnx): the comparisons of input paths below use it, so they measure the paths alone.
const FLOAT_INGEST: IngestOptions = { ...NEW_INGEST, encoder: 'float' };
// The new pipeline with ffmpeg's pipe read on the main thread (the default before 30 Nov 10:00).
const INLINE_INGEST: IngestOptions = { ...NEW_INGEST, readOffThread: false };
// The new pipeline decoding every frame, non-reference ones too (the default before 2 Dec 2026).
const EVERY_INGEST: IngestOptions = { ...NEW_INGEST, skipNonReference: false };
const runs: Record<'old' | 'new' | 'inline' | 'float' | 'every', IngestRun[]> = { old: [], new: [], inline: [], float: [], every: [] };
for (let r = 0; r < ingestReps; r++) {
  log(`ingest ${r + 1}/${ingestReps}: old pipeline (RGB-first shrink, default onnxruntime threads, batch 16), then new (YUV shrink, 1 encoder thread, batch ${encBatch}), then new with the pipe read on the main thread, with the float encoder, decoding every frame…`);
  runs.old.push(await ingestWith(`old${r}`, OLD_INGEST));
  runs.new.push(await ingestWith(`new${r}`, NEW_INGEST));
  runs.inline.push(await ingestWith(`inline${r}`, INLINE_INGEST));
  runs.float.push(await ingestWith(`float${r}`, FLOAT_INGEST));
  runs.every.push(await ingestWith(`every${r}`, EVERY_INGEST));
}
log('ingest, reference JS preprocessing (batch 8)…');
const ingJs = await ingestWith('js', { inputScaling: 'js', batchSize: 8, threads: 1, encoder: 'float' });
const ingFf = runs.new[runs.new.length - 1]!;
const ingOld = runs.old[runs.old.length - 1]!;
const load1 = loadavg();
const ing = ingFf.ing;
const bJs = ingJs.ing.build!;
const idx = IndexFile.open(ingFf.path);
const idxJs = IndexFile.open(ingJs.path);
const idxOld = IndexFile.open(ingOld.path);
const idxFloat = IndexFile.open(runs.float[runs.float.length - 1]!.path);
const newEncoder = idx.header.encoderPrecision ?? 'float';
const thumbBytes = idx.storage().thumbnailBytes / idx.frameCount;

// 4. Float32 features of every sampled frame (the storage reference), then one index per storage
// written from exactly these features, and re-query throughput on a ~10-minute index (the clip
// repeated) in the previous default storage (float16) and the new one (pca), interleaved.
const truth = clipTruth(ds, sequence);
const codes = truth?.query ?? { gender: 1 };
const searcher = await OnnxRetriever.open(modelDir, { batchSize: 256, threads });
const cells = searcher.grid * searcher.grid;
const M = searcher.manifest.featureWidth;
const per32 = cells * M;
const ref32: Float32Array[] = [];
{
  const st = FrameStream.start(video, SAMPLED);
  let pending: Array<{ data: Buffer; width: number; height: number }> = [];
  const flush = async () => {
    if (pending.length === 0) return;
    const e = await searcher.encode(pending.map((f) => ({ data: f.data, width: f.width, height: f.height, channels: 3 as const })));
    for (let i = 0; i < e.count; i++) ref32.push(e.features.slice(i * per32, (i + 1) * per32));
    pending = [];
  };
  for (let f = await st.next(); f; f = await st.next()) { pending.push(f); if (pending.length === 16) await flush(); }
  await flush();
}
const nRef = Math.min(ref32.length, idx.frameCount);
interface Variant { name: string; dtype: FeatureDtype; thumbIntervalS: number; pca?: IndexHeader['pca'] }
const PCA = { ...PCA_DEFAULTS };
const variants: Variant[] = [
  { name: 'float32, thumbnail every frame (reference)', dtype: 'float32', thumbIntervalS: 0 },
  { name: 'float16, thumbnail every frame (format 1 default)', dtype: 'float16', thumbIntervalS: 0 },
  { name: 'int8, thumbnail every frame', dtype: 'int8', thumbIntervalS: 0 },
  { name: `pca d=${PCA.dims} step ${PCA.stepRel} hold ${PCA.hold}, thumbnail per second (format 2 default)`, dtype: 'pca', thumbIntervalS: 1, pca: PCA },
  { name: `pca d=${PCA.dims} step ${PCA.stepRel} hold ${PCA.hold}, thumbnail every frame`, dtype: 'pca', thumbIntervalS: 0, pca: PCA },
  { name: `pca d=${PCA.dims} step ${PCA.stepRel}, no hold, thumbnail per second (the default before 30 Nov)`, dtype: 'pca', thumbIntervalS: 1, pca: { ...PCA, hold: 0 } },
  { name: `pca d=${PCA.dims} step ${PCA.stepRel} hold 2, thumbnail per second`, dtype: 'pca', thumbIntervalS: 1, pca: { ...PCA, hold: 2 } },
  { name: 'pca d=64 step 0.01 hold 1, thumbnail per second', dtype: 'pca', thumbIntervalS: 1, pca: { ...PCA, dims: 64, stepRel: 0.01, hold: 1 } },
  { name: 'pca d=96 step 0.005, no hold, thumbnail per second', dtype: 'pca', thumbIntervalS: 1, pca: { ...PCA, dims: 96, stepRel: 0.005, hold: 0 } },
];
/** An index of `count` frames in storage v written from the reference features (the clip repeated). */
function writeVariant(path: string, v: Variant, count: number): IndexFile {
  const w = IndexFileWriter.create(path, { ...idx.header, dtype: v.dtype, pca: v.pca, thumbIntervalS: v.thumbIntervalS, formatVersion: undefined, complete: false, frameCount: 0 });
  for (let i = 0; i < count; i++) {
    const k = i % nRef;
    w.append(count === nRef ? idx.ptsUs(k) : Math.round(i * 200_000), ref32[k]!, idx.thumbnail(k));
    if ((i + 1) % 64 === 0) w.checkpoint();
  }
  w.finish();
  return IndexFile.open(path);
}
const variantIdx = variants.map((v, i) => writeVariant(join(cache, `variant-${i}-${process.pid}.fpi`), v, nRef));
const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
const hourFrames = 5 * 3600;
const videoPerHour = (videoBytes / info0.durationS) * 3600;
/** Bytes per hour of footage: the fixed part (header, pca basis) once, the rest per frame. */
function perHour(f: IndexFile): { mb: number; pct: number; perFrame: number; thumbShare: number; st: ReturnType<IndexFile['storage']> } {
  const st = f.storage();
  const fixed = st.headerBytes + st.basisBytes;
  const perFrame = (f.byteLength - fixed) / f.frameCount;
  const bytes = fixed + perFrame * hourFrames;
  return { mb: bytes / 1e6, pct: bytes / videoPerHour, perFrame, thumbShare: st.thumbnailBytes / (f.byteLength - fixed), st };
}

const target = values.quick ? 1000 : 3000;
/** A code states a value when it is ≥ 0 (−1 or missing: unknown; 0 is a value like any other). */
const stated = (c: number | undefined): c is number => c !== undefined && c >= 0;
const activeOf = (c: AttributeCodes) => Object.values(c).filter(stated).length;
const reps = values.quick ? 2 : 3;
const bigOld = writeVariant(join(cache, `big-old-${process.pid}.fpi`), variants[1]!, target);
const bigNew = writeVariant(join(cache, `big-new-${process.pid}.fpi`), variants[3]!, target);
// A typical investigator query states 2–3 attributes (the ground-truth query above states most of them):
// the target's own torso and leg colours, so it describes someone who is there (a fixed pair when the
// clip has no ground truth; it once coincided with the absent query below, which picks a colour nobody wears).
const shortQuery: AttributeCodes = stated(codes.torsoColour) && stated(codes.legColour) ? { torsoColour: codes.torsoColour, legColour: codes.legColour } : { torsoColour: 2, legColour: 2 };
const timing: Record<string, number[]> = {};
let foldedUsed = true;
// 'newNoExtend': the pca index without hysteresis (cells scored down to the threshold only, as before 1 Dec).
const noExtend = { extendConfidence: searcher.manifest.threshold, linkSpeed: 0 };
const modes = [
  ['old', bigOld, { exhaustive: true }], ['new', bigNew, {}], ['newExhaustive', bigNew, { exhaustive: true }], ['newNoExtend', bigNew, noExtend],
  ['newCold', bigNew, {}],
] as const;
// 'newCold': the default search with the coefficient cache emptied first, so it decodes the index
// (what the first search of an index costs, or every search of more footage than the cache holds).
const search = async (name: string, big: IndexFile, q: AttributeCodes, opts: object) => {
  if (name === 'newCold') coefficientCache.clear();
  return searchIndex(big, searcher, q, { batchSize: 256, ...opts });
};
let prefilterUsed = true;
// What an investigator waits for when typing a new description: the first search, with the query's
// heads built, checked and the prefilter fitted (the warm-up below), against a repeated one.
const firstSearchS: Record<string, number> = {};
for (const q of [codes, shortQuery]) for (const [name, big, opts] of modes) {
  const w = await search(name, big, q, opts); // warm-up (+ folded-head / prefilter build and check)
  if (name === 'new') firstSearchS[q === codes ? 'full' : 'short'] = w.seconds;
  foldedUsed = w.foldedHead && foldedUsed;
  if (!('exhaustive' in opts)) prefilterUsed = w.prefilter && prefilterUsed;
}
log(`re-query timing: ${reps} interleaved repetitions, old (float16) and new (pca) index…`);
for (let r = 0; r < reps; r++) {
  for (const [qn, q] of [['full', codes], ['short', shortQuery]] as const) {
    for (const [name, big, opts] of modes) {
      (timing[`${qn}-${name}`] ??= []).push((await search(name, big, q, opts)).seconds);
    }
  }
}
// Searches in a row, as when an investigator refines a description: the interleaved repetitions
// above each follow a heavier search (exhaustive, old index), after which a shared VM's idle
// second core is slow to wake for a while (core/index/README.md, *Search speed, 1 Dec (afternoon)*).
const ROW_REPS = 10;
const inRow: Record<string, number[]> = {};
log(`re-query timing: ${ROW_REPS} searches in a row per query on the pca index…`);
for (const [qn, q] of [['full', codes], ['short', shortQuery]] as const) {
  for (let r = 0; r < ROW_REPS; r++) (inRow[qn] ??= []).push((await search('new', bigNew, q, {})).seconds);
}
// What the Search screen's warm-up (search.warm) buys the first search of an index: the index decoded
// into the cache in the background while the description is typed, then the search.
const warmRuns: Array<{ warmS: number; searchS: number; coldS: number }> = [];
log('re-query timing: warm-up (search.warm) against a cold first search…');
for (let r = 0; r < 3; r++) {
  coefficientCache.clear();
  const coldS = (await search('new', bigNew, shortQuery, {})).seconds;
  coefficientCache.clear();
  const w = await warmIndexFiles([bigNew]);
  warmRuns.push({ coldS, warmS: w.seconds, searchS: (await search('new', bigNew, shortQuery, {})).seconds });
}
const rowRates = (qn: string) => inRow[qn]!.map((x) => target / x).sort((a, b) => a - b);
const rowMedian = (qn: string) => { const r = rowRates(qn); return (r[(r.length - 1) >> 1]! + r[r.length >> 1]!) / 2; };
const rowRange = (qn: string) => { const r = rowRates(qn); return `${Math.round(r[0]!).toLocaleString('en')}–${Math.round(r[r.length - 1]!).toLocaleString('en')}`; };
const rateOf = (k: string) => target / (timing[k]!.reduce((a, c) => a + c, 0) / timing[k]!.length);
const spread = (k: string) => timing[k]!.map((x) => Math.round(target / x)).join(', ');

/** Same sightings: same count, and pairwise the same frames, times and boxes, scores within 1e-5. */
function sameSightings(a: Sighting[], c: Sighting[]): string {
  const key = (s: Sighting) => `${s.startS.toFixed(6)}|${s.endS.toFixed(6)}|${s.peakFrame}|${s.track.map((p) => p.frame).join(',')}`;
  const sa = [...a].sort((x, y) => key(x).localeCompare(key(y)));
  const sc = [...c].sort((x, y) => key(x).localeCompare(key(y)));
  if (sa.length !== sc.length) return `${sa.length} vs ${sc.length} sightings`;
  let dScore = 0;
  let dBox = 0;
  let same = 0;
  sa.forEach((x, i) => {
    const y = sc[i]!;
    if (key(x) === key(y)) same++;
    dScore = Math.max(dScore, Math.abs(x.score - y.score));
    x.peakBox.forEach((v, j) => { dBox = Math.max(dBox, Math.abs(v - y.peakBox[j]!)); });
  });
  return `${same}/${sa.length} sightings identical in frames and times; max |Δscore| ${dScore.toExponential(1)}, max |Δ peak box| ${dBox.toFixed(2)} px`;
}

// 4b. Results: folded vs exported head (same index); new vs old ffmpeg colour path and ffmpeg vs JS input scaling (same head).
const probeQueries: AttributeCodes[] = [codes, ...(truth?.absentQuery ? [truth.absentQuery] : []), { gender: 0, torsoColour: 3, hair: 1 }];
const headCmp: string[] = [];
const scaleCmp: string[] = [];
const pathCmp: string[] = [];
const encoderCmp: string[] = [];
const maxDiff = (x: Float32Array, y: Float32Array) => { let d = 0; for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i]! - y[i]!)); return d; };
for (const cq of probeQueries) {
  const ex = await searchIndex(idx, searcher, cq, { head: 'exported' });
  const fo = await searchIndex(idx, searcher, cq, { head: 'folded' });
  const js = await searchIndex(idxJs, searcher, cq, { head: 'exported' });
  const old = await searchIndex(idxOld, searcher, cq, { head: 'exported' });
  const fl = await searchIndex(idxFloat, searcher, cq, { head: 'exported' });
  headCmp.push(`${JSON.stringify(cq)}: ${sameSightings(ex.sightings, fo.sightings)}; best-confidence max |Δ| ${maxDiff(ex.bestConfidence, fo.bestConfidence).toExponential(1)}`);
  scaleCmp.push(`${JSON.stringify(cq)}: ${sameSightings(js.sightings, fl.sightings)}; best-confidence max |Δ| ${maxDiff(fl.bestConfidence, js.bestConfidence).toExponential(1)}`);
  pathCmp.push(`${JSON.stringify(cq)}: ${sameSightings(old.sightings, fl.sightings)}; best-confidence max |Δ| ${maxDiff(fl.bestConfidence, old.bestConfidence).toExponential(1)}`);
  encoderCmp.push(`${JSON.stringify(cq)}: ${sameSightings(fl.sightings, ex.sightings)}; best-confidence max |Δ| ${maxDiff(fl.bestConfidence, ex.bestConfidence).toExponential(1)}`);
}

// 4c. Model input and encoder features, ffmpeg-scaled (new and old colour path) vs preprocessFrame on
// the full-size RGB stream, over every sampled frame of the clip.
const mode = searcher.manifest.preprocessing.mode;
const inSize = searcher.inputSize;
const per = inSize * inSize * 3;
const fullFrames: Array<{ data: Buffer; width: number; height: number }> = [];
const fsFull = FrameStream.start(video, SAMPLED);
for (let f = await fsFull.next(); f; f = await fsFull.next()) fullFrames.push(f);
const geom = scaledGeometry(fullFrames[0]!.width, fullFrames[0]!.height, inSize, mode);
const refIn = new Float32Array(fullFrames.length * per);
fullFrames.forEach((f, i) => refIn.set(preprocessFrame({ data: f.data, width: f.width, height: f.height, channels: 3 }, { size: inSize, mode }).data, i * per));
async function scaledInputs(rgbFirst: boolean): Promise<Float32Array> {
  const out = new Float32Array(fullFrames.length * per);
  const st = FrameStream.start(video, { ...SAMPLED, scaled: { width: geom.width, height: geom.height, rgbFirst } });
  let i = 0;
  for (let f = await st.next(); f && i < fullFrames.length; f = await st.next(), i++) normaliseScaled(f.data, geom, out, i * per);
  return out;
}
const encRef = await searcher.encodePreprocessed(refIn, fullFrames.length);
let fScale = 0;
for (let i = 0; i < encRef.length; i++) fScale = Math.max(fScale, Math.abs(encRef[i]!));
const GREY = 1 / 255 / 0.225; // one grey level in normalised units (green/blue std)
const inputCmp: Record<'new' | 'old', string> = { new: '', old: '' };
const encByPath: Record<'new' | 'old', Float32Array> = { new: new Float32Array(0), old: new Float32Array(0) };
for (const path of ['new', 'old'] as const) {
  const x = await scaledInputs(path === 'old');
  let inMax = 0;
  let inSum = 0;
  for (let i = 0; i < refIn.length; i++) { const d = Math.abs(refIn[i]! - x[i]!); inMax = Math.max(inMax, d); inSum += d; }
  encByPath[path] = await searcher.encodePreprocessed(x, fullFrames.length);
  inputCmp[path] = `input max |Δ| ${inMax.toFixed(3)} (${(inMax / GREY).toFixed(1)} grey levels), mean ${(inSum / refIn.length).toFixed(4)} (${(inSum / refIn.length / GREY).toFixed(2)} levels); encoder features max |Δ| ${maxDiff(encRef, encByPath[path]).toExponential(2)}`;
}
const fNewOld = maxDiff(encByPath.new, encByPath.old);

// 5. Storage vs float32 on this clip's frames: the same searches (folded head) on every variant.
const storage: string[] = [];
for (let vi = 1; vi < variants.length; vi++) {
  const v = variants[vi]!;
  let same = 0;
  let tot = 0;
  let dMax = 0;
  const sight: string[] = [];
  for (const cq of probeQueries) {
    const a = await searchIndex(variantIdx[0]!, searcher, cq);
    const c = await searchIndex(variantIdx[vi]!, searcher, cq);
    for (let i = 0; i < nRef; i++) {
      tot++;
      if (a.bestCell[i] === c.bestCell[i]) same++;
      dMax = Math.max(dMax, Math.abs(a.bestConfidence[i]! - c.bestConfidence[i]!));
    }
    const ss = sameSightings(a.sightings, c.sightings);
    sight.push(ss.startsWith(`${a.sightings.length}/${a.sightings.length} `) ? `${a.sightings.length}/${a.sightings.length}` : ss.split(';')[0]!);
  }
  const h = perHour(variantIdx[vi]!);
  storage.push(`| ${v.name} | ${(h.perFrame / 1024).toFixed(2)} KiB/frame (thumbnails ${pct(h.thumbShare)}${h.st.basisBytes ? `, + ${(h.st.basisBytes / 1024).toFixed(0)} KiB basis once` : ''}) → ${h.mb.toFixed(1)} MB/h, **${(100 * h.pct).toFixed(1)}% of the video** | same best cell ${same}/${tot}; best confidence max |Δ| ${dMax.toExponential(1)}; sightings identical: ${sight.join(', ')} |`);
}

// 5b. Prefilter vs exhaustive search on the default pca index of this clip.
const prefilterCmp: string[] = [];
for (const cq of [...probeQueries, shortQuery]) {
  const ex = await searchIndex(variantIdx[3]!, searcher, cq, { exhaustive: true });
  const pf = await searchIndex(variantIdx[3]!, searcher, cq);
  const hk = (r: typeof ex) => new Set(r.frames.flatMap((f) => f.hits.map((h) => `${f.frame}:${h.cell}`)));
  const he = hk(ex);
  const hp = hk(pf);
  const keptHits = [...he].filter((x) => hp.has(x)).length;
  let sameBest = 0;
  let framesBest = 0;
  for (let i = 0; i < nRef; i++) if (ex.bestConfidence[i]! >= searcher.manifest.threshold) { framesBest++; if (pf.bestCell[i] === ex.bestCell[i]) sameBest++; }
  prefilterCmp.push(`${JSON.stringify(cq)}: exact head on ${(100 * pf.cellsEvaluated / ex.cellsEvaluated).toFixed(1)}% of cells; keeps ${keptHits}/${he.size} hits (extra ${hp.size - keptHits}); best cell kept in ${sameBest}/${framesBest} frames with a hit; sightings: ${sameSightings(ex.sightings, pf.sightings).split(';')[0]}`);
}

// 6. Coarse-to-fine recall cost and sighting recall.
const full = await searchIndex(idx, searcher, codes);
const coarse = await searchIndex(idx, searcher, codes, { coarseStride: 3 });
const key = (f: number, c: number) => `${f}:${c}`;
const fullHits = new Set(full.frames.flatMap((f) => f.hits.map((h) => key(f.frame, h.cell))));
const coarseHits = new Set(coarse.frames.flatMap((f) => f.hits.map((h) => key(f.frame, h.cell))));
const kept = [...fullHits].filter((k) => coarseHits.has(k)).length;
let recallLine = 'no ground-truth query in this clip';
let absentLine = '';
let linkLine = '';
if (truth) {
  const r = scoreSightings(full.sightings, truth, idx.timesS);
  recallLine = `frame recall ${(100 * r.frameRecall).toFixed(1)}% (box IoU ≥ 0.5, ${r.framesScored} sampled frames with the target), range recall ${(100 * r.rangeRecall).toFixed(1)}% of ${truth.ranges.length} visibility range(s); ${full.sightings.length} sighting(s)`;
  const rs = [];
  for (const vi of [0, 1, 3]) {
    const sv = await searchIndex(variantIdx[vi]!, searcher, codes);
    const rv = scoreSightings(sv.sightings, truth, variantIdx[vi]!.timesS);
    rs.push(`${variants[vi]!.dtype} ${(100 * rv.frameRecall).toFixed(1)}% / ${(100 * rv.rangeRecall).toFixed(1)}%`);
  }
  recallLine += `; same features stored as ${rs.join(', ')} (frame / range recall)`;
  const plain = await searchIndex(idx, searcher, codes, noExtend);
  const linking = (ss: Sighting[]) => {
    const r = scoreSightings(ss, truth, idx.timesS);
    const first = ss.findIndex((x) => framesOnTarget(truth, x) >= x.track.length / 2);
    const bestT = Math.max(0, ...ss.slice(0, 3).flatMap((x) => truth.ranges.map((rg) => timeIou([x.startS, x.endS], rg, 0.2))));
    return `${ss.length} sightings, frame recall ${(100 * r.frameRecall).toFixed(1)}%, first sighting on the target (half its boxes at IoU ≥ 0.5) at rank ${first < 0 ? '—' : first + 1}, best top-3 time IoU ${bestT.toFixed(2)}`;
  };
  linkLine = `with hysteresis + motion links + ranking by support (default): ${linking(full.sightings)}; without (hits ≥ threshold, IoU links, as before 1 Dec; ranked by support): ${linking(plain.sightings)}`;
  if (truth.absentQuery) {
    const a = await searchIndex(idx, searcher, truth.absentQuery);
    absentLine = `absent query (${JSON.stringify(truth.absentQuery)}): ${a.sightings.length === 0 ? 'absent ✓' : `${a.sightings.length} false sighting(s), best ${a.sightings[0]!.score.toFixed(3)}`}`;
  }
}
await searcher.dispose();
for (const f of [bigOld, bigNew, ...variantIdx]) rmSync(f.path, { force: true });
for (const r of [...runs.old, ...runs.new, ...runs.inline, ...runs.float, ...runs.every, ingJs]) rmSync(r.path, { force: true });
rmSync(storeDir, { recursive: true, force: true });

const dur = ing.info.durationS;
const median = (xs: number[]) => { const v = [...xs].sort((p, q) => p - q); return v.length % 2 ? v[(v.length - 1) / 2]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2; };
const buildS = (r: IngestRun) => r.ing.build!.seconds.total;
/** CPU-ms per footage-second, mean over the repetitions (undefined without /proc). */
function cpuPerS(list: Array<{ cpu?: Cpu }>): Cpu & { total: number } | undefined {
  if (list.some((r) => !r.cpu)) return undefined;
  const sum = (k: keyof Cpu) => (1000 * list.reduce((a, r) => a + r.cpu![k], 0)) / list.length / dur;
  const c = { main: sum('main'), other: sum('other'), ffmpeg: sum('ffmpeg') };
  return { ...c, total: c.main + c.other + c.ffmpeg };
}
function ingestLine(which: 'old' | 'new' | 'inline' | 'float' | 'every'): string {
  const rs = runs[which];
  const t = median(rs.map(buildS));
  const sh = (k: 'decodeWait' | 'prepare' | 'encode') => pct(median(rs.map((r) => r.ing.build!.seconds[k] / buildS(r))));
  return `**${(dur / t).toFixed(2)}× real time** (median build ${t.toFixed(2)} s of ${rs.length}: ${rs.map((r) => buildS(r).toFixed(2)).join(', ')}); waiting for decode ${sh('decodeWait')}, normalise + thumbnail ${sh('prepare')}, waiting for the encoder ${sh('encode')}`;
}
function cpuLine(c: ReturnType<typeof cpuPerS>): string {
  if (!c) return 'n/a (no /proc)';
  return `ffmpeg ${c.ffmpeg.toFixed(0)} (${pct(c.ffmpeg / c.total)}), node main thread ${c.main.toFixed(0)} (${pct(c.main / c.total)}), node other threads (onnxruntime, GC) ${c.other.toFixed(0)} (${pct(c.other / c.total)}) → **${c.total.toFixed(0)} CPU-ms per footage-second**; 2-core ceiling ${(2000 / c.total).toFixed(1)}× real time`;
}
const cpuOld = cpuPerS(runs.old);
const cpuNew = cpuPerS(runs.new);
/** A variant's median build time over the new pipeline's, and the same per interleaved pair: "**1.23×** (per pair: …)". */
function againstNew(which: 'old' | 'inline' | 'float' | 'every'): string {
  const pairs = runs[which].map((o, i) => buildS(o) / buildS(runs.new[i]!));
  return `**${(median(runs[which].map(buildS)) / median(runs.new.map(buildS))).toFixed(2)}×** (per pair: ${pairs.map((x) => x.toFixed(2)).join(', ')})`;
}
function decodeLine(which: 'old' | 'new' | 'every'): string {
  const rs = decodeRuns[which];
  const w = median(rs.map((r) => r.wall));
  const c = rs.every((r) => r.cpu) ? (1000 * rs.reduce((a, r) => a + r.cpu!.ffmpeg, 0)) / rs.length / dur : undefined;
  return `${(dur / w).toFixed(1)}× real time (median ${w.toFixed(2)} s for ${rs[0]!.frames} frames)${c !== undefined ? `, ffmpeg ${c.toFixed(0)} CPU-ms per footage-second` : ''}`;
}
const la = (l: number[]) => l.map((x) => x.toFixed(1)).join(' / ');
const sizeOld = perHour(variantIdx[1]!);
const sizeNew = perHour(variantIdx[3]!);
// What ingest itself wrote (its encoder's features: int8 when the model lists one); the variants
// above are written from the float encoder's features, which code a little smaller.
const sizeIngested = perHour(idx);
const loadEnd = loadavg();
const lines = [
  `## bench:video — ${new Date().toISOString().slice(0, 10)}, ${trained ? `model ${modelDir}` : 'random-init compact model (224×224, S=7, M=256)'}`,
  '',
  `Footage: synthetic ${ing.info.width}×${ing.info.height}, ${dur.toFixed(1)} s at ${ing.info.fps} frames/s, ${(videoBytes / 1e6).toFixed(2)} MB (${((videoBytes * 8) / dur / 1e6).toFixed(2)} Mbit/s); sampled at 5 frames/s → ${idx.frameCount} frames.`,
  '',
  '| measure | value |',
  '|---|---|',
  `| load average (1 / 5 / 15 min) at start; after the ingest runs | ${la(load0)}; ${la(load1)} (2 cores) |`,
  `| ingest speed, NEW pipeline (ffmpeg shrinks from YUV, ${newEncoder} encoder${newEncoder === 'int8' ? ' (the default: the model has one)' : ''}, 1 encoder thread${NEW_INGEST.encoderInWorker ? ' on a worker thread' : ' on the main thread'}, batch ${encBatch}) | ${ingestLine('new')} |`,
  `| ingest speed, new pipeline with the float encoder (encoder.onnx), same run, interleaved | ${ingestLine('float')} → default/float ${againstNew('float')}; CPU ${cpuLine(cpuPerS(runs.float))} |`,
  `| ingest speed, new pipeline decoding every frame (non-reference frames too, each bin's first frame kept: the default before 2 Dec 2026), same run, interleaved | ${ingestLine('every')} → skipping / decoding every frame ${againstNew('every')}; CPU ${cpuLine(cpuPerS(runs.every))} |`,
  `| ingest speed, OLD pipeline (RGB-first shrink, onnxruntime default threads on the main thread, batch 16; the same frames decoded as new), same run, interleaved | ${ingestLine('old')} → new/old ${againstNew('old')} |`,
  `| ingest speed, new pipeline with ffmpeg's pipe read on the main thread (as before 30 Nov 10:00: the encoder's synchronous run stalls ffmpeg on a full pipe), same run, interleaved | ${ingestLine('inline')} → pipe read on a worker thread / on the main thread ${againstNew('inline')}; CPU ${cpuLine(cpuPerS(runs.inline))} |`,
  `| build CPU per footage-second, new | ${cpuLine(cpuNew)} |`,
  `| build CPU per footage-second, old | ${cpuLine(cpuOld)} |`,
  `| ingest, reference JS preprocessing (full frames through preprocessFrame), batch 8, 1 thread | ${(dur / bJs.seconds.total).toFixed(2)}× real time (${bJs.seconds.total.toFixed(2)} s); ${cpuLine(cpuPerS([ingJs]))} |`,
  `| whole ingest incl. probe, hash, model load, database (median) | new ${(dur / median(runs.new.map((r) => r.wall))).toFixed(2)}×, old ${(dur / median(runs.old.map((r) => r.wall))).toFixed(2)}× real time |`,
  `| decode alone, sampled frames shrunk as ingest pulls them, new (YUV) | ${decodeLine('new')} |`,
  `| decode alone, old (RGB-first) | ${decodeLine('old')} |`,
  `| decode alone, new, every frame decoded (non-reference frames too: before 2 Dec 2026) | ${decodeLine('every')}${skipNonReference ? '' : ' (this footage is not sampled below a quarter of its frame rate: nothing skipped either way)'} |`,
  `| model input vs preprocessFrame on the full-size RGB stream, all ${fullFrames.length} sampled frames, new path | ${inputCmp.new} (features up to ${fScale.toFixed(2)}) |`,
  `| the same, old path | ${inputCmp.old}; new vs old features max |Δ| ${fNewOld.toExponential(2)} |`,
  `| re-query throughput, new: pca index, proxy prefilter${prefilterUsed ? '' : ' (NOT used: check failed)'} + head folded on the coefficients for the kept cells (batch 256, ${target}-frame index, query ${JSON.stringify(codes)}, ${activeOf(codes)} of 16 slots) | **${Math.round(rateOf('full-new')).toLocaleString('en')} indexed frames/s** (reps: ${spread('full-new')}; 1 h of footage at 5/s = 18,000 frames in ${(18000 / rateOf('full-new')).toFixed(1)} s)${foldedUsed ? '' : ' — the folded head was not usable somewhere'} |`,
  `| re-query, new, ${ROW_REPS} searches in a row per query (median; what refining a description costs) | **${Math.round(rowMedian('full')).toLocaleString('en')} indexed frames/s** for the ${activeOf(codes)}-slot query (${rowRange('full')}), **${Math.round(rowMedian('short')).toLocaleString('en')}** for the 2-attribute one (${rowRange('short')}); the row above is the mean of repetitions each following a heavier search |`,
  `| re-query, old: float16 index, folded head (format 1 default), interleaved in the same run | ${Math.round(rateOf('full-old')).toLocaleString('en')} indexed frames/s (reps: ${spread('full-old')}) → new/old **${(rateOf('full-new') / rateOf('full-old')).toFixed(1)}×** |`,
  `| re-query, new index, without hysteresis (cells scored down to the threshold, not half of it), same run | ${Math.round(rateOf('full-newNoExtend')).toLocaleString('en')} indexed frames/s (reps: ${spread('full-newNoExtend')}); 2-attribute query ${Math.round(rateOf('short-newNoExtend')).toLocaleString('en')} → hysteresis costs ${(100 * (1 - rateOf('full-new') / rateOf('full-newNoExtend'))).toFixed(0)} % / ${(100 * (1 - rateOf('short-new') / rateOf('short-newNoExtend'))).toFixed(0)} % of the rate |`,
  `| the index decoded ahead (search.warm: the Search screen decodes a case's indexes while the description is typed), 2-attribute query, 3 rounds | warm-up ${warmRuns.map((w) => (1000 * w.warmS).toFixed(0)).join(' / ')} ms in the background, then the search ${warmRuns.map((w) => (1000 * w.searchS).toFixed(0)).join(' / ')} ms, against ${warmRuns.map((w) => (1000 * w.coldS).toFixed(0)).join(' / ')} ms for the search of the undecoded index (${target} frames) |`,
  `| re-query, new index, decoded coefficients not cached (the index's first search in a session, or more footage than the cache holds: ${(coefficientCache.budgetBytes / 2 ** 20).toFixed(0)} MiB), same run | ${Math.round(rateOf('full-newCold')).toLocaleString('en')} indexed frames/s (reps: ${spread('full-newCold')}); 2-attribute query ${Math.round(rateOf('short-newCold')).toLocaleString('en')} (reps: ${spread('short-newCold')}) |`,
  `| re-query, new index, exhaustive (head folded on the coefficients, every cell), same run | ${Math.round(rateOf('full-newExhaustive')).toLocaleString('en')} indexed frames/s (reps: ${spread('full-newExhaustive')}); 2-attribute query ${Math.round(rateOf('short-newExhaustive')).toLocaleString('en')} |`,
  ...prefilterCmp.map((l) => `| prefilter vs exhaustive (pca index of this clip, threshold ${searcher.manifest.threshold}) | ${l} |`),
  `| re-query, 2-attribute query ${JSON.stringify(shortQuery)}, new vs old | **${Math.round(rateOf('short-new')).toLocaleString('en')}** (reps: ${spread('short-new')}) vs ${Math.round(rateOf('short-old')).toLocaleString('en')} (reps: ${spread('short-old')}) indexed frames/s → **${(rateOf('short-new') / rateOf('short-old')).toFixed(1)}×** |`,
  `| first search of a new query on the pca index (its heads built and checked, the prefilter fitted) | ${(1000 * firstSearchS.full!).toFixed(0)} ms for the ${activeOf(codes)}-slot query, ${(1000 * firstSearchS.short!).toFixed(0)} ms for the 2-attribute one (${target} frames; repeated: ${(1000 * target / rateOf('full-new')).toFixed(0)} / ${(1000 * target / rateOf('short-new')).toFixed(0)} ms) |`,
  ...headCmp.map((l) => `| sightings, folded vs exported head | ${l} |`),
  ...pathCmp.map((l) => `| sightings, new vs old ffmpeg colour path (exported head; float encoder both) | ${l} |`),
  ...scaleCmp.map((l) => `| sightings, ffmpeg (new) vs JS input scaling (exported head; float encoder both) | ${l} |`),
  ...encoderCmp.map((l) => `| sightings, ${newEncoder} (default) vs float encoder, same pipeline (exported head) | ${l} |`),
  `| index size as ingest writes it (${idx.header.dtype}${idx.header.pca ? ` d=${idx.pcaBasis?.d ?? idx.header.pca.dims} step ${idx.header.pca.stepRel} hold ${idx.header.pca.hold}` : ''}, ${idx.header.encoderPrecision ?? 'float'} encoder's features, ${idx.header.thumbIntervalS ? `a thumbnail every ${idx.header.thumbIntervalS} s` : 'a thumbnail every frame'}; basis once per video, per-frame part from this clip) | ${(sizeIngested.perFrame / 1024).toFixed(2)} KiB/frame → **${sizeIngested.mb.toFixed(1)} MB per hour**; **${(100 * sizeIngested.pct).toFixed(1)}% of the video** (this ${info0.durationS}-s clip's own index ${(idx.byteLength / 1e3).toFixed(0)} kB = ${pct(idx.byteLength / videoBytes)} of its ${(videoBytes / 1e6).toFixed(2)} MB: the basis is not amortised) |`,
  `| index size, the same storage written from the float encoder's features | ${(sizeNew.perFrame / 1024).toFixed(2)} KiB/frame → ${sizeNew.mb.toFixed(1)} MB per hour; ${(100 * sizeNew.pct).toFixed(1)}% of the video |`,
  `| index size, old default (float16, thumbnail every frame), float encoder's features | ${(sizeOld.perFrame / 1024).toFixed(1)} KiB/frame → ${sizeOld.mb.toFixed(0)} MB per hour; ${pct(sizeOld.pct)} of the video → new/old **1/${(sizeOld.mb / sizeNew.mb).toFixed(0)}** |`,
  `| the ingested index (${idx.header.dtype}, ffmpeg scaling, as ingest writes it) | ${(idx.byteLength / 1e3).toFixed(0)} kB for ${idx.frameCount} frames (${thumbBytes.toFixed(0)} B/frame of thumbnails) |`,
  '',
  '| storage (all written from the same float32 features; searches with the folded head vs the float32 index, 3 queries × all frames) | size | agreement with float32 |',
  '|---|---|---|',
  ...storage,
  '',
  '| measure | value |',
  '|---|---|',
  `| coarse-to-fine (every 3rd frame, refine ±2) | keeps ${fullHits.size ? pct(kept / fullHits.size) : 'n/a'} of the full search's hits; ${coarse.framesQueried}/${full.framesQueried} frames queried |`,
  `| sighting recall vs ground truth${trained ? '' : ' (random model: not meaningful)'} | ${recallLine} |`,
  ...(linkLine ? [`| sightings of the target, linking (one clip; core/index/README.md *Sightings* has the 90-clip study) | ${linkLine} |`] : []),
  ...(absentLine ? [`| absent target | ${absentLine} |`] : []),
  '',
  `Load average at the start ${loadStart.map((x) => x.toFixed(2)).join(' ')}, at the end ${loadEnd.map((x) => x.toFixed(2)).join(' ')} (2 cores, shared).`,
  'Goals (issue 6): ingest ≥ 30× real time; re-query ≥ 20,000 indexed frames/s; index ≤ 5% of the video.',
];
console.log(lines.join('\n'));
