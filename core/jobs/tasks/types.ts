/** A job kind's work, run inside the worker process. */
import type { ProgressListener } from '../progress';
import type { StoredJob } from '../jobFiles';

export interface TaskContext {
  dataDir: string;
  job: StoredJob;
  /** True when continuing a cancelled or interrupted run from its checkpoint. */
  resume: boolean;
  signal: AbortSignal;
  /** Progress of this job (jobId and kind are set by the worker). */
  progress: ProgressListener;
}

/** Returns the job's result; throws CancelledError when stopped by the signal. */
export type Task = (ctx: TaskContext) => Promise<unknown>;
