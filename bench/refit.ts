/**
 * `npm run bench:refit`: what refitting the pca basis at a scene change (index format 3) buys.
 * Footage: SECONDS of a first scene (vtest.avi when Debian's opencv-doc is installed, else a
 * synthetic clip of another seed), then a cut to SECONDS of synthetic 704×576 footage with people.
 * The clip is indexed three ways — pca with refits (the default), pca without (as before format 3),
 * float16 (the exact reference) — and five ground-truth queries of the synthetic part are searched
 * exhaustively on each. Printed: bases, poorly fitted frames, index size, and per query the cells at
 * or above the threshold shared with float16, sightings, and the largest best-confidence difference.
 *
 *   npm run bench:refit -- [--model DIR] [--seconds 30] [--seed 31] [--first VIDEO]
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { AttributeCodes } from '../core/attributes/schema';
import { IndexFile } from '../core/index/indexFile';
import { ingestVideo, type IngestOptions } from '../core/index/ingest';
import { resolveModelDir } from '../core/index/modelDirDefault';
import { searchIndex, type IndexSearchResult } from '../core/index/search';
import { OnnxRetriever } from '../core/infer/onnxRetriever';
import { createCase, openStore } from '../core/store/index';
import { benchFootage } from './footage';
import { runTool } from '../core/video/ffmpegRun';

const { values } = parseArgs({ options: {
  model: { type: 'string' }, seconds: { type: 'string', default: '30' }, seed: { type: 'string', default: '31' }, first: { type: 'string' },
} });
const seconds = Number(values.seconds);
const seed = Number(values.seed);
const log = (s: string) => process.stderr.write(s + '\n');
const cache = join(tmpdir(), 'fastpr-bench-refit');
mkdirSync(cache, { recursive: true });

const VTEST = '/usr/share/doc/opencv-doc/examples/data/vtest.avi';
const second = await benchFootage(cache, seed, seconds, log);
const first = values.first ?? (existsSync(VTEST) ? VTEST : (await benchFootage(cache, seed + 1000, seconds, log)).video);
const cut = join(cache, `cut-${seed}-${seconds}s.mp4`);
if (!existsSync(cut)) {
  const r = await runTool('ffmpeg', ['-v', 'error', '-y', '-t', String(seconds), '-i', first, '-t', String(seconds), '-i', second.video, '-filter_complex',
    '[0:v]scale=704:576,fps=25,setsar=1,format=yuv420p[a];[1:v]fps=25,setsar=1,format=yuv420p[b];[a][b]concat=n=2:v=1[v]',
    '-map', '[v]', '-c:v', 'libx264', '-preset', 'fast', '-crf', '23', cut], cut);
  if (r.code !== 0) throw new Error(`ffmpeg could not make ${cut}: ${r.stderr}`);
}
// Five people of the synthetic part's first frame, all their attributes (complete queries).
const firstFrame = JSON.parse(readFileSync(join(second.dir, 'annotations.jsonl'), 'utf8').split('\n')[0]!) as { persons: Array<{ attributes: AttributeCodes }> };
const queries = firstFrame.persons.slice(0, 5).map((p) => p.attributes);

const model = resolveModelDir(values.model);
const work = mkdtempSync(join(tmpdir(), 'fastpr-bench-refit-run-'));
async function build(name: string, opts: IngestOptions): Promise<{ idx: IndexFile; poor: number }> {
  const store = openStore(join(work, name));
  try {
    const r = await ingestVideo(store, createCase(store, name).id, cut, model, opts);
    return { idx: IndexFile.open(r.index.filePath), poor: r.build?.basisFit.poorFrames ?? 0 };
  } finally {
    store.close();
  }
}
log('indexing the cut clip three ways…');
const refit = await build('refit', {});
const noRefit = await build('no-refit', { refitBasis: false });
const exact = await build('float16', { dtype: 'float16' });

const retriever = await OnnxRetriever.open(model, { batchSize: 64 });
const hitKeys = (r: IndexSearchResult) => new Set(r.frames.flatMap((f) => f.hits.map((h) => `${f.frame}:${h.cell}`)));
const rows: string[] = [];
const shared = { refit: 0, noRefit: 0, exact: 0 };
for (const [q, codes] of queries.entries()) {
  const want = await searchIndex(exact.idx, retriever, codes, { exhaustive: true });
  const wantHits = hitKeys(want);
  const cols: string[] = [];
  for (const [key, built] of [['refit', refit], ['noRefit', noRefit]] as const) {
    const got = await searchIndex(built.idx, retriever, codes, { exhaustive: true });
    const common = [...hitKeys(got)].filter((k) => wantHits.has(k)).length;
    shared[key] += common;
    let worst = 0;
    for (let f = 0; f < want.bestConfidence.length; f++) worst = Math.max(worst, Math.abs(got.bestConfidence[f]! - want.bestConfidence[f]!));
    cols.push(`${common}/${wantHits.size} · ${got.sightings.length} · ${worst.toFixed(3)}`);
  }
  shared.exact += wantHits.size;
  rows.push(`| ${q + 1} | ${want.sightings.length} | ${cols.join(' | ')} |`);
}
await retriever.dispose();
rmSync(work, { recursive: true, force: true });

const kb = (f: IndexFile) => (f.byteLength / 1024).toFixed(0);
console.log([
  `Footage: ${seconds} s of ${first === VTEST ? 'vtest.avi' : first}, then a cut to ${seconds} s of synthetic footage (seed ${seed}); sampled at 5 frames/s → ${refit.idx.frameCount} frames. Model ${model}.`,
  '',
  '| | pca, refit (default) | pca, no refit (before format 3) | float16 |',
  '|---|---|---|---|',
  `| bases (first frame of each) | ${refit.idx.segments.length} (${refit.idx.segments.map((g) => g.start).join(', ')}) | ${noRefit.idx.segments.length} | — |`,
  `| poorly fitted frames | ${refit.poor} | ${noRefit.poor} | — |`,
  `| index size | ${kb(refit.idx)} KiB | ${kb(noRefit.idx)} KiB | ${kb(exact.idx)} KiB |`,
  `| cells ≥ threshold shared with float16, all queries | ${shared.refit}/${shared.exact} (${((100 * shared.refit) / shared.exact).toFixed(1)} %) | ${shared.noRefit}/${shared.exact} (${((100 * shared.noRefit) / shared.exact).toFixed(1)} %) | — |`,
  '',
  'Per query (complete attributes of a person of the synthetic part), exhaustive search: cells ≥ threshold shared with float16 · sightings · largest |Δ best confidence| over the frames.',
  '',
  '| query | float16 sightings | pca, refit | pca, no refit |',
  '|---|---:|---|---|',
  ...rows,
].join('\n'));
