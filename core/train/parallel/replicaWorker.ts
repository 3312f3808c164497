/**
 * One data-parallel training replica, in a worker thread (started by parallelTrain.ts): its own
 * TF.js backend and model copy, trainFromDataset on its shard of every batch, gradients and losses
 * averaged through the shared exchange. Replica 0 reports progress and writes the checkpoints, the
 * metrics and the model directory; every replica reports a digest of its final weights, which the
 * coordinator checks are identical.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { serializeError } from '../../errors';
import type { ProgressEvent } from '../../jobs/progress';
import { initBackend } from '../../tf/backend';
import { trainFromDataset } from '../run';
import { ReplicaAbandoned, ReplicaExchange } from './exchange';
import type { ReplicaMessage, ReplicaWorkerData } from './protocol';

const data = workerData as ReplicaWorkerData;
const port = parentPort!;
const send = (m: ReplicaMessage) => port.postMessage(m);

try {
  await initBackend({ prefer: data.backend, purpose: 'train', threads: 1, allowCpuTraining: data.allowCpuTraining });
  const exchange = new ReplicaExchange(data.buffers, data.replica);
  const result = await trainFromDataset({
    ...data.run,
    ...(data.replica === 0 ? { onProgress: (event: ProgressEvent) => send({ kind: 'progress', event }) } : {}),
    shard: { index: data.replica, count: data.buffers.replicas, exchange },
  });
  send({ kind: 'done', result });
} catch (err) {
  send({ kind: 'failed', abandoned: err instanceof ReplicaAbandoned, error: serializeError(err) });
}
