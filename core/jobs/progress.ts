/**
 * Progress of long jobs (ingest, training, synthesis, export). One shape for every job, so the CLI's
 * progress bar, the IPC/SSE stream and the renderer's stores all consume the same events.
 */
export interface ProgressEvent {
  /** Job id, unique per run. */
  jobId: string;
  /** What kind of job: 'ingest' | 'train' | 'synth' | 'export' | … */
  kind: string;
  /** Free label of the current phase (e.g. 'proxy', 'localisation', 'decode'). */
  phase?: string;
  /** Units done and total (frames, steps…); total undefined when unknown. */
  done: number;
  total?: number;
  unit?: string;
  /** Units per second, smoothed. */
  rate?: number;
  etaSeconds?: number;
  message?: string;
  /** Job-specific figures (loss terms, epoch…). */
  metrics?: Record<string, number>;
  state: 'running' | 'done' | 'failed' | 'cancelled';
}

export type ProgressListener = (event: ProgressEvent) => void;

/** Smooths rate and ETA for a job that reports done/total counts. */
export class ProgressMeter {
  private readonly startedAt = Date.now();
  private lastAt = this.startedAt;
  private lastDone: number;
  private smoothedRate = 0;
  /** `startDone`: units already done when this run began (a resumed job), so they do not count as this run's speed. */
  constructor(
    readonly jobId: string,
    readonly kind: string,
    private readonly listener: ProgressListener,
    readonly unit = 'items',
    startDone = 0,
  ) {
    this.lastDone = startDone;
  }

  update(done: number, total?: number, extra: Partial<ProgressEvent> = {}): void {
    const now = Date.now();
    const dt = (now - this.lastAt) / 1000;
    if (dt > 0 && done > this.lastDone) {
      const instant = (done - this.lastDone) / dt;
      this.smoothedRate = this.smoothedRate === 0 ? instant : 0.8 * this.smoothedRate + 0.2 * instant;
      this.lastAt = now;
      this.lastDone = done;
    }
    const etaSeconds = total !== undefined && this.smoothedRate > 0 ? (total - done) / this.smoothedRate : undefined;
    this.listener({
      jobId: this.jobId, kind: this.kind, unit: this.unit, done, total,
      rate: this.smoothedRate || undefined, etaSeconds, state: 'running', ...extra,
    });
  }

  finish(state: ProgressEvent['state'], done: number, total?: number, message?: string): void {
    this.listener({ jobId: this.jobId, kind: this.kind, unit: this.unit, done, total, state, message });
  }
}

/** Throws CancelledError-compatible errors when the signal is aborted. */
export function throwIfCancelled(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) {
    const err = new Error(`${what} was cancelled`);
    err.name = 'CancelledError';
    throw err;
  }
}
