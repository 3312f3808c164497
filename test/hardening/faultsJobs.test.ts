/**
 * A job worker process SIGKILLed mid-ingest under the real service (job runner, worker process,
 * onnxruntime, SQLite), then the service itself restarted: the job ends 'failed' and resumable
 * with a message saying the worker died, the database is sound, and jobs.resume finishes the
 * same job from its checkpoint to the full index.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService } from '../../core/api/service';
import { makeRandomOnnxModel } from '../../core/index/testing/randomModel';
import { openDatabase } from '../../core/store/sqlite';
import { verifyAuditChain } from '../../core/store/audit';
import { startHttp, syntheticClip, type Http } from '../workstation.helpers';
import { tally } from './tally';

const root = mkdtempSync(join(tmpdir(), 'fastpr-hardening-jobs-'));
const dataDir = join(root, 'data');
const site = join(root, 'site');
let http: Http;
let clip = '';

/** Child processes of this process (the job workers). */
function childPids(): number[] {
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p)).map(Number).filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid;
    } catch {
      return false;
    }
  });
}

beforeAll(async () => {
  process.env.FASTPR_SHIPPED_MODEL_DIR = join(root, 'no-shipped-model');
  mkdirSync(site, { recursive: true });
  writeFileSync(join(site, 'index.html'), '<!doctype html><title>t</title>');
  await makeRandomOnnxModel(join(dataDir, 'models', 'tiny-random'), 'tiny');
  clip = await syntheticClip(join(root, 'clip'), 31, 10);
  http = await startHttp(dataDir, site);
}, 120_000);

afterAll(async () => {
  delete process.env.FASTPR_JOB_TEST_SLOW_MS;
  await http?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('SIGKILL of an ingest worker', () => {
  it('the job fails resumable, the store stays sound, and after a service restart jobs.resume completes it', async () => {
    process.env.FASTPR_JOB_TEST_SLOW_MS = '300';
    const c = await http.call('cases.create', { name: 'Worker killed' });
    const { evidence, jobId } = await http.call('evidence.add', { caseId: c.id, path: clip, ingest: true });
    const killAt = 3 + Math.floor(Math.random() * 10);
    await http.waitEvent((e) => e.jobId === jobId && e.state === 'running' && e.done >= killAt, 90_000);
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 200)));
    const workers = childPids();
    expect(workers.length).toBeGreaterThan(0);
    for (const pid of workers) process.kill(pid, 'SIGKILL');
    const end = await http.waitEvent((e) => e.jobId === jobId && e.state !== 'running', 60_000);
    const job = await http.call('jobs.get', { jobId: jobId! });
    expect(end.state).toBe('failed');
    expect(job).toMatchObject({ state: 'failed', resumable: true });
    expect(job.error?.message).toMatch(/worker exited \(SIGKILL\)/);

    // Restart the whole service on the same data directory (the UI reconnecting after a crash).
    await http.close();
    delete process.env.FASTPR_JOB_TEST_SLOW_MS;
    http = await startHttp(dataDir, site);
    const db = openDatabase(join(dataDir, 'workstation.sqlite'));
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(verifyAuditChain(db).ok).toBe(true);
    } finally {
      db.close();
    }
    const [half] = await http.call('evidence.list', { caseId: c.id });
    expect(half!.index?.state).toBe('building');
    const resumed = await http.call('jobs.resume', { jobId: jobId! });
    expect(resumed).toMatchObject({ id: jobId, attempts: 2 });
    const done = await http.waitEvent((e) => e.jobId === jobId && e.state !== 'running', 90_000);
    expect(done.state).toBe('done');
    const finished = await http.call('jobs.get', { jobId: jobId! });
    // A kill before the first checkpoint commit leaves nothing to resume: the index is rebuilt.
    const checkpointed = (half!.index?.frames ?? 0) > 0;
    expect(finished.result).toMatchObject({ outcome: checkpointed ? 'resumed' : 'built', frames: 50 });
    const [full] = await http.call('evidence.list', { caseId: c.id });
    expect(full).toMatchObject({ id: evidence.id, state: 'indexed', index: { state: 'complete', frames: 50 } });
    tally({ kind: 'fault', name: `ingest worker SIGKILL at frame ≥${killAt} + service restart`, survived: true });
  }, 240_000);
});

describe('SIGKILL of the whole service (app crash) mid-ingest', () => {
  it('on restart the job is interrupted and resumable; jobs.resume completes the index', async () => {
    const crashDir = join(root, 'crash-data');
    await makeRandomOnnxModel(join(crashDir, 'models', 'tiny-random'), 'tiny');
    const repo = resolve(import.meta.dirname, '..', '..');
    const child = spawn(process.execPath, ['--import', 'tsx', join(repo, 'test/hardening/children/serviceIngest.ts'), crashDir, clip], {
      cwd: repo, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FASTPR_JOB_TEST_SLOW_MS: '300', FASTPR_SHIPPED_MODEL_DIR: join(root, 'no-shipped-model') },
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    const killAt = 3 + Math.floor(Math.random() * 10);
    const jobId = await new Promise<string>((res, rej) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = [...out.matchAll(/^progress (\S+) (\d+)$/gm)].at(-1);
        if (m && Number(m[2]) >= killAt) res(m[1]!);
      });
      child.on('exit', (code) => rej(new Error(`service child exited ${code}: ${err}`)));
    });
    // The service and its worker: one process group, killed at once.
    process.kill(-child.pid!, 'SIGKILL');
    await new Promise((r) => child.once('close', r));

    const service = createService({ dataDir: crashDir });
    try {
      const job = await service.call('jobs.get', { jobId });
      expect(job).toMatchObject({ state: 'interrupted', resumable: true });
      const [ev] = await service.call('evidence.list', { caseId: 1 });
      const checkpointed = ev!.index?.frames ?? 0;
      const done = new Promise<string>((res) => service.onProgress((e) => { if (e.jobId === jobId && e.state !== 'running') res(e.state); }));
      await service.call('jobs.resume', { jobId });
      expect(await done).toBe('done');
      const result = (await service.call('jobs.get', { jobId })).result as { outcome: string; frames: number; framesThisRun: number };
      console.log(`service crash at progress ${killAt}: ${checkpointed} frames checkpointed; resume → ${JSON.stringify(result)}`);
      expect(result.frames).toBe(50);
      // Work committed before the crash is reused, not redone.
      if (checkpointed > 0) expect(result).toMatchObject({ outcome: 'resumed', framesThisRun: 50 - checkpointed });
      const db = openDatabase(join(crashDir, 'workstation.sqlite'));
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        expect(verifyAuditChain(db).ok).toBe(true);
      } finally {
        db.close();
      }
      tally({ kind: 'fault', name: `service + worker SIGKILL at frame ≥${killAt}, restart, resume`, survived: true });
    } finally {
      await service.close();
    }
  }, 240_000);
});
