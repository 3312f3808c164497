/** What the coordinator (parallelTrain.ts) and a replica worker (replicaWorker.ts) pass each other. */
import type { SerializedError } from '../../errors';
import type { ProgressEvent } from '../../jobs/progress';
import type { TrainRunOptions, TrainRunResult } from '../run';
import type { ExchangeBuffers } from './exchange';

/** The run's options a worker can receive (structured-cloneable: no callbacks, no signal). */
export type ReplicaRunOptions = Omit<TrainRunOptions, 'onProgress' | 'signal' | 'shard' | 'replicas'>;

export interface ReplicaWorkerData {
  /** The module the bootstrap imports (development: the .ts entry through tsx). */
  entry?: string;
  replica: number;
  buffers: ExchangeBuffers;
  run: ReplicaRunOptions;
  /** Backend to ask for (the coordinator's resolved choice). */
  backend?: string;
  allowCpuTraining?: boolean;
}

export type ReplicaMessage =
  | { kind: 'progress'; event: ProgressEvent }
  | { kind: 'done'; result: TrainRunResult }
  /** `abandoned`: it stopped because another replica failed (not the cause). */
  | { kind: 'failed'; abandoned: boolean; error: SerializedError };
