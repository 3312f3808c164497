/**
 * `npm run bench:video`: video ingest and search on synthetic 704×576 footage with ground truth.
 * Prints ingest speed as a multiple of real time at 5 frames/s sampling, the decode / preprocess /
 * encoder shares of that time, re-query throughput in indexed frames per second (head.onnx over a
 * ~10-minute index), index bytes per hour of footage and as a share of the video file, the
 * int8/float16 storage error against float32, the coarse-to-fine recall cost, and sighting recall
 * against ground truth (meaningful only with a trained model: --model DIR).
 *
 *   npm run bench:video [-- --model DIR] [-- --seconds 12] [-- --seed 5] [-- --threads 2] [-- --batch 16] [-- --quick]
 *
 * Old and new paths are measured side by side in one run (the machine is shared, so their ratio is
 * the meaningful figure): ingest with preprocessFrame on full frames in JS ('js') vs frames shrunk
 * by ffmpeg ('ffmpeg'), and re-query with the exported head vs the query-folded head. --quick uses
 * a 1,000-frame re-query index and one timed repetition.
 *
 * Without --model a random-init model of the shipped architecture (compact, 224×224, S=7, M=256)
 * is used: speed and size figures are real, recall is not. The machine is shared: figures are indicative.
 */
import { copyFileSync, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { AttributeCodes } from '../core/attributes/schema';
import { readDataset } from '../core/dataset/reader';
import { clipTruth, scoreSightings } from '../core/index/groundTruth';
import { IndexFile, IndexFileWriter } from '../core/index/indexFile';
import { ingestVideo } from '../core/index/ingest';
import { decodeFeatures, encodeFeatures, featureBytes, type FeatureDtype } from '../core/index/quantize';
import { normaliseScaled, scaledGeometry } from '../core/index/scaledInput';
import { searchIndex } from '../core/index/search';
import type { Sighting } from '../core/index/sightings';
import { makeRandomOnnxModel } from '../core/index/testing/randomModel';
import { OnnxRetriever, queryTokens } from '../core/infer/onnxRetriever';
import { iou } from '../core/model/boxes';
import { predictionOf, retrieve } from '../core/model/decode';
import { preprocessFrame } from '../core/model/preprocess';
import { createCase, openStore } from '../core/store/index';
import { defaultOptions } from '../core/synth/options';
import { synthesize } from '../core/synth/synthesize';
import { FrameStream } from '../core/video/decode';

const { values } = parseArgs({ options: {
  model: { type: 'string' }, seconds: { type: 'string', default: '12' }, seed: { type: 'string', default: '5' }, threads: { type: 'string' },
  batch: { type: 'string', default: '16' }, quick: { type: 'boolean', default: false },
} });
const encBatch = Number(values.batch);
const seconds = Number(values.seconds);
const seed = Number(values.seed);
const threads = values.threads ? Number(values.threads) : undefined;
const cache = join(tmpdir(), 'fastpr-bench-video');
mkdirSync(cache, { recursive: true });
const log = (s: string) => process.stderr.write(s + '\n');

// 1. Footage (cached per seed and length) and model.
const dataDir = join(cache, `synth-${seed}-${seconds}s`);
if (!existsSync(join(dataDir, 'manifest.json'))) {
  log(`synthesising ${seconds} s of 704×576 footage at 25 frames/s (seed ${seed})…`);
  rmSync(dataDir, { recursive: true, force: true });
  await synthesize(dataDir, defaultOptions({ seed, frames: Math.round(seconds * 25), width: 704, height: 576, crowd: { min: 3, max: 8 }, video: { seconds, fps: 25, imageEvery: 1_000_000 } }));
}
const ds = readDataset(dataDir);
const [sequence, videoRel] = Object.entries(ds.manifest.videos ?? {})[0]!;
const video = join(dataDir, videoRel);
const trained = values.model !== undefined;
const modelDir = values.model ?? await makeRandomOnnxModel(join(cache, 'model-compact'), 'compact');
const videoBytes = statSync(video).size;
const dur0 = seconds;

// 2. Decode alone (the same sampled frames ingest pulls through the pipe).
let t = performance.now();
const ds5 = FrameStream.start(video, { fps: 5 });
let decoded = 0;
for (let f = await ds5.next(); f; f = await ds5.next()) decoded++;
const decodeOnly = (performance.now() - t) / 1000;

// 3. Ingest into a fresh case store: the reference JS preprocessing, then ffmpeg scaling (the default).
const storeDir = join(cache, `store-${process.pid}`);
async function ingestWith(inputScaling: 'js' | 'ffmpeg', batchSize: number) {
  rmSync(storeDir, { recursive: true, force: true });
  const store = openStore(storeDir, { actor: 'bench' });
  const caseId = createCase(store, 'bench').id;
  const t0 = performance.now();
  const r = await ingestVideo(store, caseId, video, modelDir, { threads, batchSize, inputScaling });
  const wall = (performance.now() - t0) / 1000;
  store.close();
  const keep = join(cache, `index-${inputScaling}-${process.pid}.fpi`);
  copyFileSync(r.index.filePath, keep);
  return { ing: r, wall, path: keep };
}
log('ingest, reference JS preprocessing (batch 8)…');
const ingJs = await ingestWith('js', 8);
log(`ingest, ffmpeg scaling (batch ${encBatch})…`);
const ingFf = await ingestWith('ffmpeg', encBatch);
rmSync(storeDir, { recursive: true, force: true });
const ing = ingFf.ing;
const ingestWall = ingFf.wall;
const b = ing.build!;
const bJs = ingJs.ing.build!;
const idx = IndexFile.open(ingFf.path);
const idxJs = IndexFile.open(ingJs.path);
const bytesPerFrame = (idx.byteLength - 512) / idx.frameCount;
const thumbBytes = Array.from({ length: idx.frameCount }, (_, i) => idx.thumbnail(i).length).reduce((a, c) => a + c, 0) / idx.frameCount;

// 4. Re-query throughput on a ~10-minute index (this clip's records repeated).
const bigPath = join(cache, `big-${process.pid}.fpi`);
const big = IndexFileWriter.create(bigPath, { ...idx.header, complete: false, frameCount: 0 });
const target = values.quick ? 1000 : 3000;
const feat = new Float32Array(idx.floatsPerFrame);
for (let i = 0; i < target; i++) {
  const k = i % idx.frameCount;
  idx.features(k, 1, feat);
  big.append(Math.round(i * 200_000), feat, idx.thumbnail(k));
}
big.finish();
const bigIdx = IndexFile.open(bigPath);
const truth = clipTruth(ds, sequence);
const codes = truth?.query ?? { gender: 1 };
const searcher = await OnnxRetriever.open(modelDir, { batchSize: 256, threads });
const reps = values.quick ? 1 : 3;
const activeOf = (c: AttributeCodes) => Object.values(c).filter((v) => v !== 0 && v !== undefined).length;
const rate: Record<'exported' | 'folded', number> = { exported: 0, folded: 0 };
let foldedUsed = false;
for (const head of ['exported', 'folded'] as const) {
  log(`re-query, ${head} head…`);
  foldedUsed = (await searchIndex(bigIdx, searcher, codes, { batchSize: 256, head })).foldedHead || foldedUsed; // warm-up (+ folded-head build and check)
  const q: number[] = [];
  for (let r = 0; r < reps; r++) q.push((await searchIndex(bigIdx, searcher, codes, { batchSize: 256, head })).seconds);
  rate[head] = target / (q.reduce((a, c) => a + c, 0) / q.length);
}
const requery = rate.folded;
// A typical investigator query states 2–3 attributes (the ground-truth query above states most of them).
const shortQuery: AttributeCodes = { torsoColour: 2, legColour: 2 };
const shortRate: Record<'exported' | 'folded', number> = { exported: 0, folded: 0 };
for (const head of ['exported', 'folded'] as const) {
  await searchIndex(bigIdx, searcher, shortQuery, { batchSize: 256, head });
  shortRate[head] = target / (await searchIndex(bigIdx, searcher, shortQuery, { batchSize: 256, head })).seconds;
}

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

// 4b. Results: folded vs exported head (same index), ffmpeg vs JS input scaling (same head).
const probeQueries: AttributeCodes[] = [codes, ...(truth?.absentQuery ? [truth.absentQuery] : []), { gender: 2, torsoColour: 3, hair: 1 }];
const headCmp: string[] = [];
const scaleCmp: string[] = [];
for (const cq of probeQueries) {
  const ex = await searchIndex(idx, searcher, cq, { head: 'exported' });
  const fo = await searchIndex(idx, searcher, cq, { head: 'folded' });
  const js = await searchIndex(idxJs, searcher, cq, { head: 'exported' });
  let dConf = 0;
  for (let i = 0; i < ex.bestConfidence.length; i++) dConf = Math.max(dConf, Math.abs(ex.bestConfidence[i]! - fo.bestConfidence[i]!));
  headCmp.push(`${JSON.stringify(cq)}: ${sameSightings(ex.sightings, fo.sightings)}; best-confidence max |Δ| ${dConf.toExponential(1)}`);
  let dJs = 0;
  for (let i = 0; i < ex.bestConfidence.length; i++) dJs = Math.max(dJs, Math.abs(ex.bestConfidence[i]! - js.bestConfidence[i]!));
  scaleCmp.push(`${JSON.stringify(cq)}: ${sameSightings(js.sightings, ex.sightings)}; best-confidence max |Δ| ${dJs.toExponential(1)}`);
}

// 4c. Model input, ffmpeg-scaled vs preprocessFrame, on one real frame.
const one = FrameStream.start(video, { fps: 5, fromS: Math.min(3.4, dur0 / 2), maxFrames: 1 });
const fullFrame = (await one.next())!;
one.stop();
const geom = scaledGeometry(fullFrame.width, fullFrame.height, searcher.inputSize, searcher.manifest.preprocessing.mode);
const sm = FrameStream.start(video, { fps: 5, fromS: Math.min(3.4, dur0 / 2), maxFrames: 1, scaled: { width: geom.width, height: geom.height } });
const smallFrame = (await sm.next())!;
sm.stop();
const refIn = preprocessFrame({ data: fullFrame.data, width: fullFrame.width, height: fullFrame.height, channels: 3 }, { size: searcher.inputSize, mode: searcher.manifest.preprocessing.mode }).data;
const ffIn = new Float32Array(refIn.length);
normaliseScaled(smallFrame.data, geom, ffIn, 0);
let inMax = 0;
let inSum = 0;
for (let i = 0; i < refIn.length; i++) { const d = Math.abs(refIn[i]! - ffIn[i]!); inMax = Math.max(inMax, d); inSum += d; }
const encRef = await searcher.encodePreprocessed(refIn, 1);
const encFf = await searcher.encodePreprocessed(ffIn, 1);
let fMaxIn = 0;
let fScale = 0;
for (let i = 0; i < encRef.length; i++) { fMaxIn = Math.max(fMaxIn, Math.abs(encRef[i]! - encFf[i]!)); fScale = Math.max(fScale, Math.abs(encRef[i]!)); }

// 5. Storage error vs float32 on this clip's frames (features re-encoded from the decoded video).
const frames: Array<{ data: Buffer; width: number; height: number }> = [];
const fs2 = FrameStream.start(video, { fps: 5, maxFrames: 32 });
for (let f = await fs2.next(); f; f = await fs2.next()) frames.push(f);
const enc = await searcher.encode(frames.map((f) => ({ data: f.data, width: f.width, height: f.height, channels: 3 as const })));
const n = enc.count;
const cells = searcher.grid * searcher.grid;
const M = searcher.manifest.featureWidth;
const ref = await searcher.queryFeatures(enc.features, n, queryTokens(codes));
const storage: Record<string, string> = {};
for (const dtype of ['float16', 'int8'] as FeatureDtype[]) {
  const deq = new Float32Array(enc.features.length);
  const buf = Buffer.alloc(featureBytes(dtype, cells, M));
  let fMax = 0;
  for (let i = 0; i < n; i++) {
    const src = enc.features.subarray(i * cells * M, (i + 1) * cells * M);
    encodeFeatures(dtype, src, cells, M, buf, 0);
    decodeFeatures(dtype, buf, 0, cells, M, deq, i * cells * M);
  }
  for (let i = 0; i < deq.length; i++) fMax = Math.max(fMax, Math.abs(deq[i]! - enc.features[i]!));
  const out = await searcher.queryFeatures(deq, n, queryTokens(codes));
  let cMax = 0;
  let cSum = 0;
  for (let i = 0; i < out.confidence.length; i++) { const d = Math.abs(out.confidence[i]! - ref.confidence[i]!); cMax = Math.max(cMax, d); cSum += d; }
  let sameCell = 0;
  let boxIou = 0;
  for (let i = 0; i < n; i++) {
    const a = retrieve(predictionOf(ref, i, searcher.grid, searcher.inputSize, searcher.inputSize));
    const c = retrieve(predictionOf(out, i, searcher.grid, searcher.inputSize, searcher.inputSize));
    if (a.best.cell === c.best.cell) sameCell++;
    boxIou += iou(a.best.box, c.best.box);
  }
  storage[dtype] = `features max |Δ| ${fMax.toExponential(2)}; confidence max |Δ| ${cMax.toExponential(2)}, mean ${(cSum / out.confidence.length).toExponential(2)}; same best cell ${sameCell}/${n}; best-box IoU mean ${(boxIou / n).toFixed(4)}`;
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
if (truth) {
  const r = scoreSightings(full.sightings, truth, idx.timesS);
  recallLine = `frame recall ${(100 * r.frameRecall).toFixed(1)}% (box IoU ≥ 0.5, ${r.framesScored} sampled frames with the target), range recall ${(100 * r.rangeRecall).toFixed(1)}% of ${truth.ranges.length} visibility range(s); ${full.sightings.length} sighting(s)`;
  if (truth.absentQuery) {
    const a = await searchIndex(idx, searcher, truth.absentQuery);
    absentLine = `absent query (${JSON.stringify(truth.absentQuery)}): ${a.sightings.length === 0 ? 'absent ✓' : `${a.sightings.length} false sighting(s), best ${a.sightings[0]!.score.toFixed(3)}`}`;
  }
}
await searcher.dispose();
rmSync(bigPath, { force: true });
rmSync(ingFf.path, { force: true });
rmSync(ingJs.path, { force: true });
rmSync(storeDir, { recursive: true, force: true });

const dur = ing.info.durationS;
const otherDtype: FeatureDtype = idx.header.dtype === 'int8' ? 'float16' : 'int8';
const otherPerFrame = bytesPerFrame - featureBytes(idx.header.dtype, cells, M) + featureBytes(otherDtype, cells, M);
const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
const lines = [
  `## bench:video — ${new Date().toISOString().slice(0, 10)}, ${trained ? `model ${modelDir}` : 'random-init compact model (224×224, S=7, M=256)'}`,
  '',
  `Footage: synthetic ${ing.info.width}×${ing.info.height}, ${dur.toFixed(1)} s at ${ing.info.fps} frames/s, ${(videoBytes / 1e6).toFixed(2)} MB (${((videoBytes * 8) / dur / 1e6).toFixed(2)} Mbit/s); sampled at 5 frames/s → ${idx.frameCount} frames.`,
  '',
  '| measure | value |',
  '|---|---|',
  `| ingest speed (build: decode → scale → encoder → index), ffmpeg scaling, encoder batch ${encBatch} | **${(dur / b.seconds.total).toFixed(2)}× real time** (${(idx.frameCount / b.seconds.total).toFixed(1)} frames/s; ${b.seconds.total.toFixed(2)} s) |`,
  `| ingest speed, reference JS preprocessing (old path), batch 8, same run | ${(dur / bJs.seconds.total).toFixed(2)}× real time (${bJs.seconds.total.toFixed(2)} s) → new/old **${(bJs.seconds.total / b.seconds.total).toFixed(1)}×** |`,
  `| whole ingest incl. probe, hash, model load, database | ${(dur / ingestWall).toFixed(2)}× real time (${ingestWall.toFixed(2)} s); old path ${(dur / ingJs.wall).toFixed(2)}× |`,
  `| time shares in the build (new; old) | waiting for decode ${pct(b.seconds.decodeWait / b.seconds.total)}, normalise + thumbnail ${pct(b.seconds.prepare / b.seconds.total)}, encoder ${pct(b.seconds.encode / b.seconds.total)}; old: decode ${pct(bJs.seconds.decodeWait / bJs.seconds.total)}, preprocess + thumbnail ${pct(bJs.seconds.prepare / bJs.seconds.total)}, encoder ${pct(bJs.seconds.encode / bJs.seconds.total)} |`,
  `| model input, ffmpeg-scaled vs preprocessFrame (one ${fullFrame.width}×${fullFrame.height} frame, normalised units) | max |Δ| ${inMax.toFixed(4)}, mean ${(inSum / refIn.length).toFixed(5)}; encoder features max |Δ| ${fMaxIn.toExponential(2)} (features up to ${fScale.toFixed(2)}) |`,
  `| decode alone (5 frames/s sampled, RGB through the pipe) | ${(dur / decodeOnly).toFixed(1)}× real time (${decoded} frames in ${decodeOnly.toFixed(2)} s) |`,
  `| re-query throughput (${foldedUsed ? 'folded head' : 'exported head — the folded head was not usable'}, batch 256, ${target}-frame index, query ${JSON.stringify(codes)}) | **${Math.round(requery).toLocaleString('en')} indexed frames/s** (1 h of footage at 5/s = 18,000 frames in ${(18000 / requery).toFixed(1)} s) |`,
  `| re-query with the exported head.onnx (old path), same run | ${Math.round(rate.exported).toLocaleString('en')} indexed frames/s → new/old **${(rate.folded / rate.exported).toFixed(1)}×** (${activeOf(codes)} of 16 slots stated) |`,
  `| re-query, 2-attribute query ${JSON.stringify(shortQuery)}, folded vs exported head | **${Math.round(shortRate.folded).toLocaleString('en')}** vs ${Math.round(shortRate.exported).toLocaleString('en')} indexed frames/s → **${(shortRate.folded / shortRate.exported).toFixed(1)}×** |`,
  ...headCmp.map((l) => `| sightings, folded vs exported head | ${l} |`),
  ...scaleCmp.map((l) => `| sightings, ffmpeg vs JS input scaling (exported head) | ${l} |`),
  `| index size (${idx.header.dtype} features, ${thumbBytes.toFixed(0)} B JPEG thumbnail/frame) | ${(bytesPerFrame / 1024).toFixed(1)} KiB/frame → **${((bytesPerFrame * 5 * 3600) / 1e6).toFixed(0)} MB per hour**; **${pct((idx.byteLength) / videoBytes)} of the video file** |`,
  `| index size with ${otherDtype} features | ${(otherPerFrame / 1024).toFixed(1)} KiB/frame → ${((otherPerFrame * 5 * 3600) / 1e6).toFixed(0)} MB per hour; ${pct((otherPerFrame * idx.frameCount + 512) / videoBytes)} of the video file |`,
  `| float16 vs float32 | ${storage.float16} |`,
  `| int8 vs float32 | ${storage.int8} |`,
  `| coarse-to-fine (every 3rd frame, refine ±2) | keeps ${fullHits.size ? pct(kept / fullHits.size) : 'n/a'} of the full search's hits; ${coarse.framesQueried}/${full.framesQueried} frames queried |`,
  `| sighting recall vs ground truth${trained ? '' : ' (random model: not meaningful)'} | ${recallLine} |`,
  ...(absentLine ? [`| absent target | ${absentLine} |`] : []),
  '',
  'Goals (issue 6): ingest ≥ 30× real time; re-query ≥ 20,000 indexed frames/s; index ≤ 5% of the video.',
];
console.log(lines.join('\n'));
