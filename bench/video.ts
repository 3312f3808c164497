/**
 * `npm run bench:video`: video ingest and search on synthetic 704×576 footage with ground truth.
 * Prints ingest speed as a multiple of real time at 5 frames/s sampling, the decode / preprocess /
 * encoder shares of that time, re-query throughput in indexed frames per second (head.onnx over a
 * ~10-minute index), index bytes per hour of footage and as a share of the video file, the
 * int8/float16 storage error against float32, the coarse-to-fine recall cost, and sighting recall
 * against ground truth (meaningful only with a trained model: --model DIR).
 *
 *   npm run bench:video [-- --model DIR] [-- --seconds 12] [-- --seed 5] [-- --threads 2]
 *
 * Without --model a random-init model of the shipped architecture (compact, 224×224, S=7, M=256)
 * is used: speed and size figures are real, recall is not. The machine is shared: figures are indicative.
 */
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readDataset } from '../core/dataset/reader';
import { clipTruth, scoreSightings } from '../core/index/groundTruth';
import { IndexFile, IndexFileWriter } from '../core/index/indexFile';
import { ingestVideo } from '../core/index/ingest';
import { decodeFeatures, encodeFeatures, featureBytes, type FeatureDtype } from '../core/index/quantize';
import { searchIndex } from '../core/index/search';
import { makeRandomOnnxModel } from '../core/index/testing/randomModel';
import { OnnxRetriever, queryTokens } from '../core/infer/onnxRetriever';
import { iou } from '../core/model/boxes';
import { predictionOf, retrieve } from '../core/model/decode';
import { createCase, openStore } from '../core/store/index';
import { defaultOptions } from '../core/synth/options';
import { synthesize } from '../core/synth/synthesize';
import { FrameStream } from '../core/video/decode';

const { values } = parseArgs({ options: {
  model: { type: 'string' }, seconds: { type: 'string', default: '12' }, seed: { type: 'string', default: '5' }, threads: { type: 'string' },
} });
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

// 2. Decode alone (the same sampled frames ingest pulls through the pipe).
let t = performance.now();
const ds5 = FrameStream.start(video, { fps: 5 });
let decoded = 0;
for (let f = await ds5.next(); f; f = await ds5.next()) decoded++;
const decodeOnly = (performance.now() - t) / 1000;

// 3. Ingest into a fresh case store.
const storeDir = join(cache, `store-${process.pid}`);
rmSync(storeDir, { recursive: true, force: true });
const store = openStore(storeDir, { actor: 'bench' });
const caseId = createCase(store, 'bench').id;
t = performance.now();
const ing = await ingestVideo(store, caseId, video, modelDir, { threads, batchSize: 8 });
const ingestWall = (performance.now() - t) / 1000;
store.close();
const b = ing.build!;
const idx = IndexFile.open(ing.index.filePath);
const bytesPerFrame = (idx.byteLength - 512) / idx.frameCount;
const thumbBytes = Array.from({ length: idx.frameCount }, (_, i) => idx.thumbnail(i).length).reduce((a, c) => a + c, 0) / idx.frameCount;

// 4. Re-query throughput on a ~10-minute index (this clip's records repeated).
const bigPath = join(cache, `big-${process.pid}.fpi`);
const big = IndexFileWriter.create(bigPath, { ...idx.header, complete: false, frameCount: 0 });
const target = 3000;
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
await searchIndex(bigIdx, searcher, codes, { batchSize: 256 }); // warm-up
const q: number[] = [];
for (let r = 0; r < 3; r++) q.push((await searchIndex(bigIdx, searcher, codes, { batchSize: 256 })).seconds);
const requery = target / (q.reduce((a, c) => a + c, 0) / q.length);

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
  `| ingest speed (build: decode → preprocess → encoder → index) | **${(dur / b.seconds.total).toFixed(2)}× real time** (${(idx.frameCount / b.seconds.total).toFixed(1)} frames/s; ${b.seconds.total.toFixed(2)} s) |`,
  `| whole ingest incl. probe, hash, model load, database | ${(dur / ingestWall).toFixed(2)}× real time (${ingestWall.toFixed(2)} s) |`,
  `| time shares in the build | waiting for decode ${pct(b.seconds.decodeWait / b.seconds.total)}, preprocess + thumbnail ${pct(b.seconds.prepare / b.seconds.total)}, encoder ${pct(b.seconds.encode / b.seconds.total)} |`,
  `| decode alone (5 frames/s sampled, RGB through the pipe) | ${(dur / decodeOnly).toFixed(1)}× real time (${decoded} frames in ${decodeOnly.toFixed(2)} s) |`,
  `| re-query throughput (head.onnx, batch 256, ${target}-frame index) | **${Math.round(requery).toLocaleString('en')} indexed frames/s** (1 h of footage at 5/s = 18,000 frames in ${(18000 / requery).toFixed(1)} s) |`,
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
