/**
 * Job records on disk: DATA_DIR/jobs/<id>.json, one file per job, written atomically. They survive
 * a restart, which is how interrupted jobs are listed as resumable.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobKind, JobRecord } from '../api/types/jobs';
import { FastprError, NotFoundError, StorageError } from '../errors';
import { writeFileAtomic } from '../model/atomicFile';
import { ensureDataDir } from '../platform/dataDir';

/** What a job needs to run, stored with its record (kind-specific, validated by its task). */
export interface StoredJob extends JobRecord {
  params: Record<string, unknown>;
  /** The process that owns the job while it runs (a restart checks it is gone). */
  ownerPid: number | null;
}

export function newJobId(kind: JobKind): string {
  return `${kind}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

export function jobFile(dataDir: string, id: string): string {
  return join(ensureDataDir(dataDir).jobs, `${id}.json`);
}

export function saveJob(dataDir: string, job: StoredJob): void {
  const file = jobFile(dataDir, job.id);
  try {
    writeFileAtomic(file, JSON.stringify(job, null, 1) + '\n');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOSPC' ? 'the disk is full' : (err as Error).message;
    const Cls = code === 'ENOSPC' || code === 'EROFS' || code === 'EACCES' || code === 'EDQUOT' ? StorageError : FastprError;
    throw new Cls(`cannot record job ${job.id} in ${file}: ${reason}`, { file });
  }
}

export function loadJob(dataDir: string, id: string): StoredJob {
  const file = jobFile(dataDir, id);
  if (!existsSync(file)) throw new NotFoundError(`job ${id} does not exist`);
  return JSON.parse(readFileSync(file, 'utf8')) as StoredJob;
}

/** Every readable job record, oldest first (a damaged file is skipped, not fatal). */
export function loadAllJobs(dataDir: string): StoredJob[] {
  const dir = ensureDataDir(dataDir).jobs;
  const jobs: StoredJob[] = [];
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.json') || name.startsWith('.')) continue;
    try {
      jobs.push(JSON.parse(readFileSync(join(dir, name), 'utf8')) as StoredJob);
    } catch {
      // A torn or foreign file: atomic writes make this unlikely; ignore it rather than fail the list.
    }
  }
  return jobs.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

export function processAlive(pid: number | null): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The public view (without params and owner). */
export function publicJob(j: StoredJob): JobRecord {
  const { params: _p, ownerPid: _o, ...rest } = j;
  return rest;
}
