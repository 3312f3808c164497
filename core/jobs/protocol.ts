/** Messages between the job runner (parent) and a job's worker process. */
import type { ProgressEvent } from './progress';
import type { StoredJob } from './jobFiles';

export type ToWorker =
  | { type: 'start'; job: StoredJob; dataDir: string; resume: boolean }
  | { type: 'cancel' };

export type FromWorker =
  | { type: 'progress'; event: ProgressEvent }
  | { type: 'done'; result: unknown }
  /** A task that stopped on cancel and saved its checkpoint (name CancelledError) or failed. */
  | { type: 'error'; error: { name: string; message: string } };
