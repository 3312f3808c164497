/**
 * Load through the loopback HTTP API (real service, real worker processes, a tiny random-init
 * model exported to ONNX): 20 concurrent searches while an ingest job runs, with system.health
 * polled throughout. No request may fail. Peak RSS (this process, which hosts the service, and the
 * largest job worker) and the p95 latency of system.health are reported, not asserted (timings
 * belong in bench/; this machine is shared).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRandomOnnxModel } from '../../core/index/testing/randomModel';
import { startHttp, syntheticClip, type Http } from '../workstation.helpers';
import { tally } from './tally';

const root = mkdtempSync(join(tmpdir(), 'fastpr-hardening-load-'));
const dataDir = join(root, 'data');
let http: Http;
let caseId = 0;

const QUERIES = [
  'woman in a red top with a backpack', 'man in black trousers', 'tall person with a blue shirt', 'short woman, white top, jeans',
  'man with a suitcase', 'person in a green jacket', 'woman in a dress', 'man with grey hair in shorts', 'child in a yellow top',
  'woman with long hair and a handbag',
];

/** Resident set sizes (MB) of this process's child processes (the job workers), from /proc. */
function childRssMb(): number[] {
  const out: number[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) out.push(Number(m[1]) / 1024);
    } catch {
      // The process ended between listing and reading.
    }
  }
  return out;
}

beforeAll(async () => {
  process.env.FASTPR_SHIPPED_MODEL_DIR = join(root, 'no-shipped-model');
  const site = join(root, 'site');
  mkdirSync(site, { recursive: true });
  writeFileSync(join(site, 'index.html'), '<!doctype html><title>t</title>');
  await makeRandomOnnxModel(join(dataDir, 'models', 'tiny-random'), 'tiny');
  http = await startHttp(dataDir, site);
  caseId = (await http.call('cases.create', { name: 'Load' })).id;
  const first = await syntheticClip(join(root, 'clipA'), 21, 6);
  const { jobId } = await http.call('evidence.add', { caseId, path: first, ingest: true });
  const end = await http.waitEvent((e) => e.jobId === jobId && e.state !== 'running', 90_000);
  expect(end.state).toBe('done');
}, 180_000);

afterAll(async () => {
  await http?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('20 concurrent searches while an ingest runs', () => {
  it('every request answers; p95 of system.health and peak RSS are reported', async () => {
    const second = await syntheticClip(join(root, 'clipB'), 22, 10);
    let peakRss = process.memoryUsage().rss;
    let peakChild = 0;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      peakChild = Math.max(peakChild, ...childRssMb(), 0);
    }, 50);

    const { jobId } = await http.call('evidence.add', { caseId, path: second, ingest: true });
    expect(jobId).not.toBeNull();
    const ingestEnd = http.waitEvent((e) => e.jobId === jobId && e.state !== 'running', 150_000);
    await http.waitEvent((e) => e.jobId === jobId && e.state === 'running' && e.done > 0, 60_000);

    let searching = true;
    const healthMs: number[] = [];
    const healthFailures: string[] = [];
    const poller = (async () => {
      while (searching) {
        const t = performance.now();
        const r = await http.raw('system.health', {});
        healthMs.push(performance.now() - t);
        if (r.status !== 200) healthFailures.push(`${r.status} ${JSON.stringify(r.body)}`);
        await new Promise((res) => setTimeout(res, 25));
      }
    })();
    const searches = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      http.raw('search.run', { caseId, text: QUERIES[i % QUERIES.length], threshold: 0, maxSightings: 50 })));
    const endState = (await ingestEnd).state;
    searching = false;
    await poller;
    clearInterval(sampler);

    const failed = searches.filter((s) => s.status !== 200);
    const sorted = [...healthMs].sort((a, b) => a - b);
    const p95 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))] ?? NaN;
    const summary = {
      searches: searches.length, searchFailures: failed.map((f) => `${f.status} ${JSON.stringify(f.body).slice(0, 200)}`),
      healthCalls: healthMs.length, healthFailures, p95HealthMs: Number(p95.toFixed(1)), maxHealthMs: Number((sorted.at(-1) ?? NaN).toFixed(1)),
      peakRssMb: Math.round(peakRss / 2 ** 20), peakWorkerRssMb: Math.round(peakChild), ingest: endState,
    };
    console.log(`load: ${JSON.stringify(summary)}`);
    tally({ kind: 'load', name: '20 searches + 1 ingest over HTTP', peakRssMb: peakRss / 2 ** 20, childPeakRssMb: peakChild, p95HealthMs: p95,
      requests: searches.length + healthMs.length, failed: failed.length + healthFailures.length + (endState === 'done' ? 0 : 1) });
    expect(summary.searchFailures).toEqual([]);
    expect(healthFailures).toEqual([]);
    expect(healthMs.length).toBeGreaterThan(0);
    expect(endState).toBe('done');
    for (const s of searches) expect(s.body.result.framesSearched).toBeGreaterThan(0);
    // The ingest finished the whole clip while searches ran against the first one.
    const ev = (await http.call('evidence.list', { caseId })).find((e) => e.videoPath === second);
    expect(ev).toMatchObject({ state: 'indexed', index: { state: 'complete', frames: 50 } });
  }, 240_000);
});
