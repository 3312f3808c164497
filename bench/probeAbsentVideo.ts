/**
 * Diagnostic: does a video search's score say whether the described person is in the footage, and
 * does comparing it with decoy descriptions on the same footage (cohort normalisation, as speaker
 * verification does) say it better? Each clip (704×576, 12 s, a crowd of 2..N, held-out seeds) is
 * ingested as the product does; then, exhaustively with hits down to 0.01:
 *   present  the target's torso and leg colour (2 slots; the ground-truth query too, all its slots)
 *   absent   a torso colour nobody in the clip wears, with the same leg colour (groundTruth.ts)
 *   cohort   `--cohort` fixed random (torso, leg) colour pairs, the same for every clip
 * A query's clip score is the best confidence in any frame (`top`) or the mean of the five best
 * frames (`mean5`); normalised, it is its rank among the cohort's scores or its z-score against them.
 * Printed: the area under the ROC curve of present vs absent clips for each (0.5 = no signal).
 *   npm run probe:absent-video [-- --clips 20] [-- --cohort 24] [-- --crowd 6] [-- --seed 71] [-- --model DIR]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { AttributeCodes } from '../core/attributes/schema';
import { readDataset } from '../core/dataset/reader';
import { clipTruth } from '../core/index/groundTruth';
import { IndexFile } from '../core/index/indexFile';
import { ingestVideo } from '../core/index/ingest';
import { resolveModelDir } from '../core/index/modelDirDefault';
import { searchIndex } from '../core/index/search';
import { OnnxRetriever } from '../core/infer/onnxRetriever';
import { createCase, openStore } from '../core/store/index';
import { defaultOptions } from '../core/synth/options';
import { synthesize } from '../core/synth/synthesize';

const { values } = parseArgs({ options: {
  clips: { type: 'string', default: '20' }, cohort: { type: 'string', default: '24' }, crowd: { type: 'string', default: '6' },
  seed: { type: 'string', default: '71' }, model: { type: 'string' },
} });
const clipCount = Number(values.clips);
const cohortSize = Number(values.cohort);
const crowdMax = Number(values.crowd);
const seed0 = Number(values.seed);
const modelDir = resolveModelDir(values.model);
const log = (m: string) => process.stderr.write(`${m}\n`);
const COLOURS = 11; // the synthetic generator's clothing colours (schema COLOURS without 'skin')

/** Decoy (torso, leg) colour pairs from a fixed linear congruential sequence: the same cohort for every clip and run. */
function cohortPairs(count: number): Array<[number, number]> {
  let state = 12345;
  const next = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pairs: Array<[number, number]> = [];
  while (pairs.length < Math.min(count, COLOURS * COLOURS)) {
    const pair: [number, number] = [Math.floor(next() * COLOURS), Math.floor(next() * COLOURS)];
    if (!pairs.some((p) => p[0] === pair[0] && p[1] === pair[1])) pairs.push(pair);
  }
  return pairs;
}

interface Score { top: number; mean5: number }
interface ClipScores { seed: number; full: Score; present: Score; absent: Score; cohort: Score[] }

const root = mkdtempSync(join(tmpdir(), 'fastpr-probe-absent-video-'));
const retriever = await OnnxRetriever.open(modelDir, { batchSize: 256 });
const cohort = cohortPairs(cohortSize);
const clips: ClipScores[] = [];
try {
  for (let seed = seed0; clips.length < clipCount && seed < seed0 + 4 * clipCount; seed++) {
    const dir = join(root, `s${seed}`);
    await synthesize(join(dir, 'clip'), defaultOptions({ seed, frames: 300, width: 704, height: 576, crowd: { min: 2, max: crowdMax }, video: { seconds: 12, fps: 25, imageEvery: 1_000_000 } }));
    const ds = readDataset(join(dir, 'clip'));
    const [sequence, rel] = Object.entries(ds.manifest.videos!)[0]!;
    const truth = clipTruth(ds, sequence);
    if (!truth?.absentQuery || truth.query.torsoColour === undefined || truth.query.legColour === undefined) {
      log(`seed ${seed}: no target with torso and leg colour, or no colour free for an absent query; skipped`);
      continue;
    }
    const store = openStore(join(dir, 'store'));
    let indexPath: string;
    try {
      indexPath = (await ingestVideo(store, createCase(store, 'probe').id, join(dir, 'clip', rel), modelDir, {})).index.filePath;
    } finally {
      store.close();
    }
    const index = IndexFile.open(indexPath);
    const score = async (codes: AttributeCodes): Promise<Score> => {
      const { frames } = await searchIndex(index, retriever, codes, { threshold: 0.01, exhaustive: true });
      const best = frames.map((f) => Math.max(0, ...f.hits.map((h) => h.confidence))).sort((a, b) => b - a);
      return { top: best[0] ?? 0, mean5: best.slice(0, 5).reduce((s, v) => s + v, 0) / 5 };
    };
    const clip: ClipScores = {
      seed, full: await score(truth.query),
      present: await score({ torsoColour: truth.query.torsoColour, legColour: truth.query.legColour }),
      absent: await score(truth.absentQuery), cohort: [],
    };
    for (const [torsoColour, legColour] of cohort) clip.cohort.push(await score({ torsoColour, legColour }));
    clips.push(clip);
    rmSync(dir, { recursive: true, force: true });
    log(`seed ${seed}: best confidence present ${clip.present.top.toFixed(3)}, absent ${clip.absent.top.toFixed(3)} (${clips.length}/${clipCount})`);
  }
} finally {
  await retriever.dispose();
  rmSync(root, { recursive: true, force: true });
}

/** P(present > absent), ties half. */
const auc = (present: number[], absent: number[]) => {
  let wins = 0;
  for (const p of present) for (const a of absent) wins += p > a ? 1 : p === a ? 0.5 : 0;
  return wins / Math.max(1, present.length * absent.length);
};
const rows: string[] = [];
for (const k of ['top', 'mean5'] as const) {
  const raw = (q: 'present' | 'absent' | 'full') => clips.map((c) => c[q][k]);
  // Share of decoys the query beats (higher = stands out more).
  const rank = (q: 'present' | 'absent') => clips.map((c) => c.cohort.filter((d) => d[k] < c[q][k]).length / c.cohort.length);
  const z = (q: 'present' | 'absent') => clips.map((c) => {
    const xs = c.cohort.map((d) => d[k]);
    const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((s, v) => s + (v - mean) ** 2, 0) / xs.length);
    return (c[q][k] - mean) / (sd || 1);
  });
  rows.push(`| ${k === 'top' ? 'best frame' : 'mean of the 5 best frames'} | ${auc(raw('present'), raw('absent')).toFixed(3)} | ${auc(rank('present'), rank('absent')).toFixed(3)} | ${auc(z('present'), z('absent')).toFixed(3)} | ${auc(raw('full'), raw('absent')).toFixed(3)} |`);
}
const beats = (q: 'present' | 'absent') => clips.reduce((s, c) => s + c.cohort.filter((d) => d.top < c[q].top).length / c.cohort.length, 0) / Math.max(1, clips.length);
console.log([
  `## Present vs absent at the video level: ${clips.length} clips (seeds from ${seed0}, crowd 2–${crowdMax}), cohort of ${cohort.length} decoy colour pairs, model ${modelDir}`,
  '',
  '| clip score | AUC raw (2-slot present vs absent) | AUC rank among the cohort | AUC z-score against the cohort | AUC raw, full ground-truth query vs absent |',
  '|---|---:|---:|---:|---:|',
  ...rows,
  '',
  `Decoys beaten on average (best frame): present ${(100 * beats('present')).toFixed(0)} %, absent ${(100 * beats('absent')).toFixed(0)} %. ` +
    `One clip moves an AUC by up to ${(1 / Math.max(1, clips.length)).toFixed(2)}.`,
].join('\n'));
