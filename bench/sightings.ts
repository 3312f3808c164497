/**
 * How per-frame hits become sightings, measured on synthetic clips with ground truth: each clip is
 * rendered (704×576, 25 frames/s, a crowd of 2..N), ingested with the model, and its target's
 * ground-truth query and an absent query (a torso and leg colour nobody wears) are searched once,
 * exhaustively, with hits kept down to a low floor. The same hits are then merged by each linking
 * variant side by side, from the linking used before 1 Dec 2026 to the default:
 *   before        hits ≥ threshold, IoU links, ranked by peak confidence
 *   + support     the same tracks ranked by support (mean of the five best confidences)
 *   + motion      + links by centre movement (linkSpeed box sizes per second)
 *   default       + hysteresis (hits down to half the threshold extend a sighting)
 * (these four from exhaustively scored cells) and the default search itself, whose prefilter picks
 * the cells for the threshold, so weak hits come only from those; and, where the model has a
 * reranker.json, that search's sightings re-ranked by the colours of their peak boxes (core/rerank:
 * the top 30 sightings' peak frames decoded again from the clip; --rerank-top N).
 * Per variant: target's first on-target sighting at rank 1 / in the top 3 (half its boxes at IoU ≥
 * 0.5 with the target), mean time IoU of the top sighting with the target's visibility, share of
 * clips whose top three include one at time IoU ≥ 0.5 (the findsPerson test's criterion), frame
 * recall of the top sighting, sightings per clip for the target and for the absent query.
 *
 *   npm run bench:sightings [-- --clips 12] [-- --crowd 6] [-- --seconds 12] [-- --seed 71] [-- --model DIR] [-- --encoder auto|float|int8] [-- --decode auto|all]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { AttributeCodes } from '../core/attributes/schema';
import { readDataset } from '../core/dataset/reader';
import { clipTruth, framesOnTarget, targetAt, type ClipTruth } from '../core/index/groundTruth';
import { IndexFile } from '../core/index/indexFile';
import { ingestVideo } from '../core/index/ingest';
import { encoderFlag } from '../core/cli/flags';
import { resolveModelDir } from '../core/index/modelDirDefault';
import { extendConfidenceFor, searchIndex } from '../core/index/search';
import { mergeSightings, timeIou, type FrameHits, type MergeOptions, type Sighting } from '../core/index/sightings';
import { OnnxRetriever } from '../core/infer/onnxRetriever';
import { createCase, openStore } from '../core/store/index';
import { readReranker } from '../core/rerank/file';
import { DEFAULT_SIGHTING_RERANK_TOP, rerankSightings } from '../core/rerank/sightings';
import { BoxReader } from '../core/rerank/boxReader';
import { videoFrameRgb } from '../core/video/export';
import { defaultOptions } from '../core/synth/options';
import { synthesize } from '../core/synth/synthesize';

const { values } = parseArgs({ options: {
  clips: { type: 'string', default: '12' }, crowd: { type: 'string', default: '6' }, seconds: { type: 'string', default: '12' },
  seed: { type: 'string', default: '71' }, model: { type: 'string' },
  // Which encoder ingest runs (default: the model's int8 one when listed, as the product does).
  encoder: { type: 'string', default: 'auto' },
  // auto (as the product does): non-reference frames are not decoded (25 frames/s sampled at 5/s); all: every frame decoded.
  decode: { type: 'string', default: 'auto' },
  'rerank-top': { type: 'string', default: String(DEFAULT_SIGHTING_RERANK_TOP) },
} });
const encoder = encoderFlag(values.encoder) ?? 'auto';
if (values.decode !== 'auto' && values.decode !== 'all') throw new Error(`--decode must be auto or all, got "${values.decode}"`);
const skipNonReference = values.decode === 'all' ? false : undefined;
const clipCount = Number(values.clips);
const crowdMax = Number(values.crowd);
const seconds = Number(values.seconds);
const seed0 = Number(values.seed);
const modelDir = resolveModelDir(values.model);
const log = (m: string) => process.stderr.write(`${m}\n`);

/** Hits down to the floor from an exhaustive search, and what the default search (prefilter) returned. */
interface Clip {
  truth: ClipTruth; target: FrameHits[]; absent: FrameHits[] | null; searched: Sighting[]; absentSearched: Sighting[] | null;
  /** `searched` re-ranked by the peak boxes' colours (where the model has a re-ranker). */
  reranked: Sighting[] | null;
}

const root = mkdtempSync(join(tmpdir(), 'fastpr-bench-sightings-'));
const retriever = await OnnxRetriever.open(modelDir, { batchSize: 256 });
const reranker = readReranker(modelDir);
const boxReader = reranker ? await BoxReader.open(reranker) : undefined;
const rerankTop = Number(values['rerank-top']);
let rerankMs = 0, rerankSearches = 0;
const threshold = retriever.manifest.threshold;
const extend = extendConfidenceFor(threshold, undefined);
// Hits kept below the default extend confidence too, so every variant merges from the same hits.
const floor = Math.min(0.03, extend);
const clips: Clip[] = [];
try {
  for (let seed = seed0; clips.length < clipCount && seed < seed0 + 4 * clipCount; seed++) {
    const dir = join(root, `s${seed}`);
    await synthesize(join(dir, 'clip'), defaultOptions({ seed, frames: seconds * 25, width: 704, height: 576, crowd: { min: 2, max: crowdMax }, video: { seconds, fps: 25, imageEvery: 1_000_000 } }));
    const ds = readDataset(join(dir, 'clip'));
    const [sequence, rel] = Object.entries(ds.manifest.videos!)[0]!;
    const truth = clipTruth(ds, sequence);
    if (!truth) { log(`seed ${seed}: no target query in the clip, skipped`); continue; }
    const store = openStore(join(dir, 'store'));
    let indexPath: string;
    try {
      indexPath = (await ingestVideo(store, createCase(store, 'bench').id, join(dir, 'clip', rel), modelDir, { encoder, skipNonReference })).index.filePath;
    } finally {
      store.close();
    }
    const index = IndexFile.open(indexPath);
    const hitsOf = async (codes: AttributeCodes) => (await searchIndex(index, retriever, codes, { threshold: floor, exhaustive: true })).frames;
    const searched = async (codes: AttributeCodes) => (await searchIndex(index, retriever, codes)).sightings;
    const shipped = await searched(truth.query);
    let reranked: Sighting[] | null = null;
    if (reranker) {
      const t0 = performance.now();
      const clipFile = join(dir, 'clip', rel);
      reranked = await rerankSightings(shipped, (s) => videoFrameRgb(clipFile, s.peakS, index.header.frameWidth, index.header.frameHeight), truth.query, reranker, boxReader!, rerankTop);
      rerankMs += performance.now() - t0;
      rerankSearches++;
    }
    clips.push({
      truth, target: await hitsOf(truth.query), absent: truth.absentQuery ? await hitsOf(truth.absentQuery) : null,
      searched: shipped, absentSearched: truth.absentQuery ? await searched(truth.absentQuery) : null, reranked,
    });
    log(`seed ${seed}: ${index.frameCount} sampled frames, target visible ${truth.ranges.map(([a, b]) => `${a.toFixed(1)}–${b.toFixed(1)} s`).join(', ')} (${clips.length}/${clipCount})`);
  }
} finally {
  await retriever.dispose();
  await boxReader?.dispose();
  rmSync(root, { recursive: true, force: true });
}

const byPeak = (ss: Sighting[]) => [...ss].sort((a, b) => b.score - a.score || a.startS - b.startS);
const variants: Array<{ name: string; merge: (f: FrameHits[], c: Clip, absent: boolean) => Sighting[] }> = [
  { name: 'before: hits ≥ threshold, IoU links, ranked by peak', merge: (f) => byPeak(mergeSightings(f, { threshold, extendConfidence: threshold, linkSpeed: 0 })) },
  { name: '+ ranked by support', merge: (f) => mergeSightings(f, { threshold, extendConfidence: threshold, linkSpeed: 0 }) },
  { name: '+ motion links', merge: (f) => mergeSightings(f, { threshold, extendConfidence: threshold }) },
  { name: `default: + hysteresis (extend ≥ ${extend.toFixed(3)})`, merge: (f) => mergeSightings(f, { threshold, extendConfidence: extend } satisfies MergeOptions) },
  { name: 'the default search as shipped (prefilter picks the cells; weak hits only among them)', merge: (_f, c, absent) => (absent ? c.absentSearched! : c.searched) },
  ...(reranker ? [{
    name: `that search re-ranked by its top ${rerankTop} sightings' peak boxes (reranker ${reranker.sha256.slice(0, 12)}…, α ${reranker.alpha}${reranker.cropNet ? `, crop network × ${reranker.cropNet.weight}` : ', colours only'})`,
    merge: (_f: FrameHits[], c: Clip, absent: boolean) => (absent ? c.absentSearched! : c.reranked!),
  }] : []),
];

const pct = (x: number, n: number) => `${n ? (100 * x / n).toFixed(0) : '—'} %`;
const rows: string[] = [];
for (const v of variants) {
  let rank1 = 0, top3 = 0, tIouTop1 = 0, tIouTop3Ok = 0, frameRecallTop1 = 0, targetSightings = 0, absentSightings = 0, absentClips = 0;
  for (const c of clips) {
    const ss = v.merge(c.target, c, false);
    const first = ss.findIndex((s) => framesOnTarget(c.truth, s) >= s.track.length / 2);
    if (first === 0) rank1++;
    if (first >= 0 && first < 3) top3++;
    const tIou = (s: Sighting) => Math.max(...c.truth.ranges.map((r) => timeIou([s.startS, s.endS], r, 0.2)));
    if (ss[0]) tIouTop1 += tIou(ss[0]);
    if (ss.slice(0, 3).some((s) => tIou(s) >= 0.5)) tIouTop3Ok++;
    const visibleSampled = new Set(c.target.map((f) => f.timeS).filter((t) => targetAt(c.truth, t))).size;
    if (ss[0] && visibleSampled) frameRecallTop1 += framesOnTarget(c.truth, ss[0]) / visibleSampled;
    targetSightings += ss.length;
    if (c.absent) { absentClips++; absentSightings += v.merge(c.absent, c, true).length; }
  }
  const n = clips.length;
  rows.push(`| ${v.name} | ${pct(rank1, n)} | ${pct(top3, n)} | ${(tIouTop1 / n).toFixed(2)} | ${pct(tIouTop3Ok, n)} | ${(frameRecallTop1 / n).toFixed(2)} | ${(targetSightings / n).toFixed(1)} | ${absentClips ? (absentSightings / absentClips).toFixed(1) : '—'} |`);
}

console.log([
  `## Sightings from per-frame hits: ${clips.length} synthetic clips (seeds from ${seed0}, ${seconds} s, 704×576, crowd 2–${crowdMax}), model ${modelDir} (threshold ${threshold})`,
  '',
  '| linking | target first at rank 1 | in top 3 | top sighting time IoU | top 3 with time IoU ≥ 0.5 | top sighting frame recall | sightings / clip (target query) | sightings / clip (absent query) |',
  '|---|---|---|---|---|---|---|---|',
  ...rows,
  ...(rerankSearches ? ['', `Re-ranking: ${(rerankMs / rerankSearches).toFixed(0)} ms per search on average (peak frames decoded with ffmpeg, one seek each).`] : []),
].join('\n'));
