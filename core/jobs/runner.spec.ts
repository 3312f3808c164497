import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadJob, newJobId, saveJob, type StoredJob } from './jobFiles';
import { JobRunner } from './runner';

const dataDir = mkdtempSync(join(tmpdir(), 'fastpr-jobs-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** The pid of a process that has exited (so it is certainly not running). */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

function record(kind: StoredJob['kind'], state: StoredJob['state'], ownerPid: number | null): StoredJob {
  const now = new Date().toISOString();
  return { id: newJobId(kind), kind, state, label: kind, caseId: 1, evidenceId: 2, createdAt: now, updatedAt: now, attempts: 1, resumable: false, progress: null, result: null, error: null, params: {}, ownerPid };
}

describe('job runner at start', () => {
  it('marks jobs whose owner process is gone as interrupted (resumable for ingest and train)', async () => {
    const ingest = record('ingest', 'running', deadPid());
    const exp = record('export', 'queued', deadPid());
    const done = record('train', 'done', null);
    const alive = { ...record('ingest', 'running', process.ppid), evidenceId: 9 };
    for (const j of [ingest, exp, done, alive]) saveJob(dataDir, j);
    const runner = new JobRunner({ dataDir, emit: () => {}, maxConcurrent: 0 });
    expect(runner.get(ingest.id)).toMatchObject({ state: 'interrupted', resumable: true });
    expect(runner.get(exp.id)).toMatchObject({ state: 'interrupted', resumable: false });
    expect(runner.get(done.id).state).toBe('done');
    // Another live process (e.g. a second window) still owns this one: left alone.
    expect(runner.get(alive.id).state).toBe('running');
    expect(loadJob(dataDir, ingest.id).state).toBe('interrupted');
    expect(runner.activeJobFor(2)).toBe(ingest.id);
    expect(() => runner.resume(exp.id)).toThrow(/cannot be resumed/);
    expect(() => runner.resume(done.id)).toThrow(/only cancelled, interrupted or failed/);
    // Resuming queues it again (maxConcurrent 0 keeps it from launching here).
    expect(runner.resume(ingest.id)).toMatchObject({ state: 'queued', attempts: 2 });
    expect(runner.cancel(ingest.id).state).toBe('cancelled');
    await runner.close();
  });

  it('cancels a queued job at once and tells waiters', async () => {
    const runner = new JobRunner({ dataDir, emit: () => {}, maxConcurrent: 0 });
    const j = runner.start({ kind: 'export', label: 'x', params: {} });
    expect(j.state).toBe('queued');
    const waited = runner.wait(j.id);
    runner.cancel(j.id);
    expect(await waited).toMatchObject({ id: j.id, state: 'cancelled' });
    expect(runner.list({ kind: 'export' }).map((x) => x.id)).toContain(j.id);
    await runner.close();
  });
});
