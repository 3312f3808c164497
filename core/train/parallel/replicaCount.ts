/** How many data-parallel replicas a training run gets (`fastpr train --replicas`, the UI's training jobs). */
import { availableParallelism } from 'node:os';
import { InputError } from '../../errors';

export type ReplicasRequest = number | 'auto';

/** Backends replicas can run on: TF.js's own engines. tfjs-node already spreads one step over every core. */
export const REPLICA_BACKENDS: ReadonlySet<string> = new Set(['wasm', 'cpu']);

/** The --replicas flag's text → a request (undefined when not given). */
export function parseReplicasFlag(flag: unknown): ReplicasRequest | undefined {
  if (flag === undefined) return undefined;
  if (flag === 'auto') return 'auto';
  const n = Number(flag);
  if (!Number.isInteger(n) || n < 1) throw new InputError(`--replicas: expected a positive integer or auto, got "${String(flag)}"`, { field: 'replicas' });
  return n;
}

/**
 * The count for a run whose batches hold `batchSize` samples (the configured size, or fewer when the
 * training split is smaller): a number as asked, if it divides the batch; 'auto' = the largest
 * divisor of the batch not above the cores on wasm and cpu, 1 on tfjs-node (which spreads one step
 * over the cores itself); unset = 1.
 */
export function resolveReplicas(request: ReplicasRequest | undefined, batchSize: number, backend: string, cores = availableParallelism()): number {
  if (request === undefined) return 1;
  if (request === 'auto') {
    if (!REPLICA_BACKENDS.has(backend)) return 1;
    let n = Math.max(1, Math.min(cores, batchSize));
    while (batchSize % n !== 0) n--;
    return n;
  }
  if (batchSize % request !== 0) {
    throw new InputError(`replicas ${request}: a batch of ${batchSize} samples does not split evenly into ${request} replicas; use a batch size divisible by ${request}`, { field: 'replicas' });
  }
  return request;
}
