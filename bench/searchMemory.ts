/**
 * `npm run bench:search-memory`: resident memory of a long-running searcher (the workstation keeps
 * one retriever per model) as distinct queries accumulate. Each query builds per-basis sessions (a
 * folded head and a prefilter). Two child processes, side by side on the same index:
 *   before: onnxruntime memory arenas on those sessions, every one kept (the code before 30 Nov);
 *   now: no arenas, at most HEAD_CACHE_LIMIT of each kept (least recently used out).
 * Printed: RSS after every QUERIES/4 queries, and the median time of a first and a repeated search.
 *
 *   npm run bench:search-memory -- [--model DIR] [--queries 24] [--video FILE]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ATTRIBUTES, type AttributeCodes } from '../core/attributes/schema';
import { IndexFile } from '../core/index/indexFile';
import { ingestVideo } from '../core/index/ingest';
import { resolveModelDir } from '../core/index/modelDirDefault';
import { searchIndex } from '../core/index/search';
import { HEAD_CACHE_LIMIT, OnnxRetriever } from '../core/infer/onnxRetriever';
import { createCase, openStore } from '../core/store/index';
import { makeTestClip } from '../core/video/testClips';

const { values } = parseArgs({ options: {
  model: { type: 'string' }, queries: { type: 'string', default: '24' }, video: { type: 'string' },
  child: { type: 'string' }, index: { type: 'string' },
} });
const queries = Math.max(4, Number(values.queries));
const model = resolveModelDir(values.model);

/** Distinct queries: two or three attributes each, varied deterministically. */
function query(i: number): AttributeCodes {
  const pick = (k: string, n: number) => ({ [k]: n % ATTRIBUTES.find((a) => a.key === k)!.values.length });
  return { ...pick('torsoColour', i), ...pick('legColour', Math.floor(i / 3) + 1), ...(i % 2 ? pick('gender', i) : {}) } as AttributeCodes;
}

if (values.child) {
  const idx = IndexFile.open(values.index!);
  const before = values.child === 'before';
  const retriever = await OnnxRetriever.open(model, { batchSize: 256, ...(before ? { headCacheLimit: 1_000_000, headMemoryArena: true } : {}) });
  const rss = () => process.memoryUsage().rss / 2 ** 20;
  const marks: string[] = [`0: ${rss().toFixed(0)}`];
  const first: number[] = [];
  const again: number[] = [];
  for (let q = 0; q < queries; q++) {
    let t = performance.now();
    await searchIndex(idx, retriever, query(q));
    first.push(performance.now() - t);
    t = performance.now();
    await searchIndex(idx, retriever, query(q));
    again.push(performance.now() - t);
    if ((q + 1) % Math.max(1, Math.floor(queries / 4)) === 0) marks.push(`${q + 1}: ${rss().toFixed(0)}`);
  }
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
  console.log(JSON.stringify({ marks, first: median(first), again: median(again), segments: idx.segments.length, frames: idx.frameCount, held: retriever.cachedHeads }));
  await retriever.dispose();
  process.exit(0);
}

const cache = join(tmpdir(), 'fastpr-bench-search-memory');
mkdirSync(cache, { recursive: true });
let video = values.video;
if (!video) {
  video = join(cache, 'scene change.mp4');
  if (!existsSync(video)) await makeTestClip(video, { width: 352, height: 288, fps: 25, seconds: 60, sceneChangeAtS: 30 });
}
const store = openStore(join(cache, `store-${Date.now()}`));
const built = await ingestVideo(store, createCase(store, 'bench').id, video, model, {});
store.close();
const indexPath = built.index.filePath;

const rows: string[] = [];
for (const which of ['before', 'now']) {
  const out = execFileSync(process.execPath, [...process.execArgv, process.argv[1]!, '--child', which, '--index', indexPath, '--queries', String(queries), ...(values.model ? ['--model', values.model] : [])], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const r = JSON.parse(out.trim().split('\n').pop()!) as { marks: string[]; first: number; again: number; segments: number; frames: number; held: object };
  rows.push(`| ${which === 'before' ? 'before: arenas, every head kept' : `now: no arenas, ≤ ${HEAD_CACHE_LIMIT} heads kept`} | ${r.marks.join(' · ')} | ${r.first.toFixed(0)} | ${r.again.toFixed(0)} |`);
  if (which === 'now') rows.unshift(`Index: ${r.frames} frames, ${r.segments} pca basis segment(s); ${queries} distinct queries, each searched twice. Model ${model}.`, '', '| | RSS in MiB after N queries | first search, ms (median) | repeated search, ms (median) |', '|---|---|---:|---:|');
}
console.log(rows.join('\n'));
