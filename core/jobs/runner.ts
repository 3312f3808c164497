/**
 * The job runner: starts long jobs (ingest, train, export, evaluate) in worker processes
 * (spawn.ts explains why processes), relays their progress on the service's one progress stream,
 * keeps each job's record in DATA_DIR/jobs, cancels (AbortSignal in the worker, hard kill after a
 * grace period) and resumes from checkpoints. At start, jobs whose owner process is gone are
 * marked 'interrupted' (resumable for ingest and train).
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { JobKind, JobRecord, JobState } from '../api/types/jobs';
import { InputError } from '../errors';
import { loadAllJobs, loadJob, newJobId, processAlive, publicJob, saveJob, type StoredJob } from './jobFiles';
import type { ProgressEvent, ProgressListener } from './progress';
import type { FromWorker, ToWorker } from './protocol';
import { defaultWorkerEntry, type WorkerEntry } from './spawn';

export interface JobRunnerOptions {
  dataDir: string;
  emit: ProgressListener;
  /** Jobs running at once (default 2); more wait as 'queued'. */
  maxConcurrent?: number;
  workerEntry?: WorkerEntry;
  /** After a cancel, how long a worker may take to checkpoint before it is killed (default 30 s). */
  cancelGraceMs?: number;
}

export interface StartJobInput {
  kind: JobKind;
  label: string;
  caseId?: number | null;
  evidenceId?: number | null;
  params: Record<string, unknown>;
}

const RESUMABLE: ReadonlySet<JobKind> = new Set(['ingest', 'train']);
const TERMINAL: ReadonlySet<JobState> = new Set(['done', 'failed', 'cancelled', 'interrupted']);
const SAVE_EVERY_MS = 1000;

interface Running { child: ChildProcess; cancelRequested: boolean; finished: boolean; stderr: string; lastSave: number; killTimer?: NodeJS.Timeout }

export class JobRunner {
  readonly dataDir: string;
  private readonly jobs = new Map<string, StoredJob>();
  private readonly running = new Map<string, Running>();
  private readonly waiters = new Map<string, Array<(j: JobRecord) => void>>();
  private readonly entry: WorkerEntry;
  private closed = false;

  constructor(private readonly options: JobRunnerOptions) {
    this.dataDir = options.dataDir;
    this.entry = options.workerEntry ?? defaultWorkerEntry();
    for (const j of loadAllJobs(this.dataDir)) {
      if ((j.state === 'running' || j.state === 'queued') && (j.ownerPid === process.pid || !processAlive(j.ownerPid))) {
        j.state = 'interrupted';
        j.resumable = RESUMABLE.has(j.kind);
        j.updatedAt = new Date().toISOString();
        j.ownerPid = null;
        saveJob(this.dataDir, j);
      }
      this.jobs.set(j.id, j);
    }
  }

  start(input: StartJobInput): JobRecord {
    if (this.closed) throw new InputError('the workstation is shutting down; no new jobs');
    const now = new Date().toISOString();
    const job: StoredJob = {
      id: newJobId(input.kind), kind: input.kind, state: 'queued', label: input.label, caseId: input.caseId ?? null,
      evidenceId: input.evidenceId ?? null, createdAt: now, updatedAt: now, attempts: 1, resumable: false, progress: null,
      result: null, error: null, params: input.params, ownerPid: process.pid,
    };
    this.jobs.set(job.id, job);
    saveJob(this.dataDir, job);
    this.pump();
    return publicJob(job);
  }

  /** Continues a cancelled or interrupted ingest/train job from its checkpoint. */
  resume(id: string): JobRecord {
    const job = this.stored(id);
    if (!RESUMABLE.has(job.kind)) throw new InputError(`job ${id} (${job.kind}) cannot be resumed; start a new one`, { field: 'jobId' });
    if (job.state !== 'cancelled' && job.state !== 'interrupted' && job.state !== 'failed') {
      throw new InputError(`job ${id} is ${job.state}; only cancelled, interrupted or failed jobs resume`, { field: 'jobId' });
    }
    Object.assign(job, { state: 'queued', attempts: job.attempts + 1, error: null, resumable: false, ownerPid: process.pid, updatedAt: new Date().toISOString() });
    saveJob(this.dataDir, job);
    this.pump();
    return publicJob(job);
  }

  cancel(id: string): JobRecord {
    const job = this.stored(id);
    if (job.state === 'queued') {
      this.finish(job, 'cancelled', null, { name: 'CancelledError', message: 'cancelled before it started' });
    } else if (job.state === 'running') {
      const r = this.running.get(id);
      if (r && !r.cancelRequested) {
        r.cancelRequested = true;
        this.tell(r.child, { type: 'cancel' });
        r.killTimer = setTimeout(() => r.child.kill('SIGKILL'), this.options.cancelGraceMs ?? 30_000);
        r.killTimer.unref();
      }
    }
    return publicJob(job);
  }

  get(id: string): JobRecord {
    return publicJob(this.stored(id));
  }

  /** The stored record with its params (for handlers that read what a job was started with). */
  stored(id: string): StoredJob {
    const job = this.jobs.get(id) ?? loadJob(this.dataDir, id);
    this.jobs.set(id, job);
    return job;
  }

  list(filter: { caseId?: number; kind?: JobKind } = {}): JobRecord[] {
    return [...this.jobs.values()]
      .filter((j) => (filter.caseId === undefined || j.caseId === filter.caseId) && (filter.kind === undefined || j.kind === filter.kind))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id))
      .map(publicJob);
  }

  /** The newest running, queued or resumable ingest job of an evidence item. */
  activeJobFor(evidenceId: number): string | null {
    const js = [...this.jobs.values()].filter((j) => j.kind === 'ingest' && j.evidenceId === evidenceId);
    const live = js.filter((j) => j.state === 'running' || j.state === 'queued' || j.resumable);
    return live.sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0]?.id ?? null;
  }

  /** Resolves when the job reaches a terminal state. */
  wait(id: string): Promise<JobRecord> {
    const job = this.stored(id);
    if (TERMINAL.has(job.state)) return Promise.resolve(publicJob(job));
    return new Promise((resolve) => this.waiters.set(id, [...(this.waiters.get(id) ?? []), resolve]));
  }

  /** Stops every running job (cancel, then kill after the grace) and waits for the workers to exit. */
  async close(graceMs = 10_000): Promise<void> {
    this.closed = true;
    const exits = [...this.running.entries()].map(([id, r]) => new Promise<void>((resolve) => {
      if (r.finished) return resolve();
      r.child.once('exit', () => resolve());
      this.cancel(id);
      setTimeout(() => r.child.kill('SIGKILL'), graceMs).unref();
    }));
    await Promise.all(exits);
  }

  private tell(child: ChildProcess, msg: ToWorker): void {
    if (child.connected) child.send(msg);
  }

  private pump(): void {
    if (this.closed) return;
    const max = this.options.maxConcurrent ?? 2;
    for (const job of [...this.jobs.values()].sort((a, b) => a.updatedAt.localeCompare(b.updatedAt))) {
      if (this.running.size >= max) break;
      if (job.state === 'queued' && !this.running.has(job.id)) this.launch(job);
    }
  }

  private launch(job: StoredJob): void {
    const resume = job.attempts > 1;
    const child = fork(this.entry.file, [], { execArgv: this.entry.execArgv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced' });
    const r: Running = { child, cancelRequested: false, finished: false, stderr: '', lastSave: 0 };
    this.running.set(job.id, r);
    Object.assign(job, { state: 'running', ownerPid: process.pid, updatedAt: new Date().toISOString() });
    saveJob(this.dataDir, job);
    this.emit(job, { jobId: job.id, kind: job.kind, done: job.progress?.done ?? 0, total: job.progress?.total, state: 'running', phase: 'starting' });
    child.stderr?.on('data', (d: Buffer) => { r.stderr = (r.stderr + d.toString()).slice(-4000); });
    child.on('message', (msg: FromWorker) => this.onMessage(job, r, msg));
    child.on('error', (err) => { if (!r.finished) this.finish(job, 'failed', null, { name: 'Error', message: `worker could not start: ${err.message}` }); });
    child.on('exit', (code, signal) => {
      clearTimeout(r.killTimer);
      this.running.delete(job.id);
      if (!r.finished) {
        if (r.cancelRequested) this.finish(job, 'cancelled', null, { name: 'CancelledError', message: 'cancelled (worker stopped)' });
        else this.finish(job, 'failed', null, { name: 'Error', message: `worker exited (${signal ?? `code ${code}`})${r.stderr ? `: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}` });
      }
      this.pump();
    });
    this.tell(child, { type: 'start', job, dataDir: this.dataDir, resume });
  }

  private onMessage(job: StoredJob, r: Running, msg: FromWorker): void {
    if (msg.type === 'progress') {
      // Only the runner announces the end of a job (after its record is saved): tasks' own
      // terminal events are relayed as 'running'.
      const event: ProgressEvent = { ...msg.event, state: 'running' };
      job.progress = event;
      const now = Date.now();
      if (now - r.lastSave >= SAVE_EVERY_MS) {
        r.lastSave = now;
        job.updatedAt = new Date().toISOString();
        saveJob(this.dataDir, job);
      }
      this.options.emit(event);
    } else if (msg.type === 'done') {
      r.finished = true;
      this.finish(job, 'done', msg.result, null);
    } else {
      r.finished = true;
      const cancelled = msg.error.name === 'CancelledError';
      this.finish(job, cancelled ? 'cancelled' : 'failed', null, msg.error);
    }
  }

  private finish(job: StoredJob, state: JobState, result: unknown, error: JobRecord['error']): void {
    Object.assign(job, {
      state, result, error, ownerPid: null, updatedAt: new Date().toISOString(),
      resumable: RESUMABLE.has(job.kind) && (state === 'cancelled' || state === 'failed'),
    });
    saveJob(this.dataDir, job);
    const p = job.progress;
    this.emit(job, {
      jobId: job.id, kind: job.kind, done: state === 'done' && p?.total !== undefined ? p.total : (p?.done ?? 0), total: p?.total, unit: p?.unit,
      state: state === 'done' || state === 'failed' || state === 'cancelled' ? state : 'failed', message: error?.message,
    });
    for (const w of this.waiters.get(job.id) ?? []) w(publicJob(job));
    this.waiters.delete(job.id);
  }

  private emit(job: StoredJob, event: ProgressEvent): void {
    job.progress = event.state === 'running' ? event : job.progress;
    this.options.emit(event);
  }
}
