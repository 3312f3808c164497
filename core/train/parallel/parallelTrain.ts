/**
 * Data-parallel training on one machine: `replicas` worker threads, each with its own TF.js wasm
 * backend (one thread: under Node the wasm backend cannot use more, core/tf/README.md) and a copy
 * of the model, each computing 1/replicas of every batch; gradients and losses are averaged
 * through shared memory (exchange.ts) and every replica applies the same Adam update, so the
 * copies stay identical (checked at the end by a digest of each replica's weights).
 *
 * The coordinator (this thread) only relays replica 0's progress, turns a cancel into a stop that
 * every replica takes after the same step (replica 0 checkpoints it; `--resume` continues, with the
 * same replica count, exactly as an uninterrupted run), and turns one replica's failure into the
 * run's error — the others are woken from the barrier and stop.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { InputError, ModelError, rebuildError, type SerializedError } from '../../errors';
import { createModel } from '../../model/fastpr';
import * as tf from '../../tf/tf';
import type { TrainRunOptions, TrainRunResult } from '../run';
import { createExchangeBuffers, markFailed, requestStop } from './exchange';
import type { ReplicaMessage, ReplicaRunOptions, ReplicaWorkerData } from './protocol';
import { LOSS_KEYS, weightLayout } from './reducer';
import { REPLICA_BACKENDS } from './replicaCount';

const here = dirname(fileURLToPath(import.meta.url));

/** The worker script: a pre-bundled trainReplica.mjs beside this module (packaged app), else the .ts through tsx. */
function replicaEntry(): { file: string; entry?: string } {
  const bundled = join(here, 'trainReplica.mjs');
  if (existsSync(bundled)) return { file: bundled };
  return { file: join(here, 'replicaBoot.mjs'), entry: pathToFileURL(join(here, 'replicaWorker.ts')).href };
}

/** Gradient floats per replica: every weight of the model (a throwaway copy, disposed at once). */
function modelFloats(o: TrainRunOptions): number {
  const model = createModel(o.model, o.train.seed);
  try {
    return weightLayout(model.weights).floats;
  } finally {
    for (const w of model.weights.values()) w.dispose();
  }
}

export async function trainInParallel(o: TrainRunOptions, replicas: number): Promise<TrainRunResult> {
  if (!Number.isInteger(replicas) || replicas < 2) throw new InputError(`replicas: expected an integer ≥ 2 here, got ${replicas}`, { field: 'replicas' });
  // (Whether the batch splits evenly: replicaCount.ts before, each replica's Trainer again.)
  const backend = o.backend ?? tf.getBackend();
  if (!REPLICA_BACKENDS.has(backend)) {
    throw new InputError(`replicas: data-parallel replicas run on the wasm backend; ${backend} already uses every core for one step — train with 1 replica`, { field: 'replicas' });
  }
  const buffers = createExchangeBuffers(replicas, modelFloats(o), LOSS_KEYS.length);
  const { file, entry } = replicaEntry();
  const { onProgress, signal, replicas: _replicas, shard: _shard, ...rest } = o;
  const run: ReplicaRunOptions = rest;

  const results: Array<TrainRunResult | undefined> = [];
  /** The first failure that was a cause, not a replica stopping because another failed. */
  let cause: SerializedError | undefined;
  let abandonedOnly: SerializedError | undefined;
  const fail = (e: SerializedError, abandoned: boolean) => {
    if (abandoned) abandonedOnly ??= e;
    else cause ??= e;
    markFailed(buffers);
  };
  const onAbort = () => requestStop(buffers);
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort);

  const workers = Array.from({ length: replicas }, (_, replica) => {
    const data: ReplicaWorkerData = { ...(entry ? { entry } : {}), replica, buffers, run, backend, allowCpuTraining: backend === 'cpu' };
    const worker = new Worker(file, { workerData: data });
    return new Promise<void>((resolve) => {
      let answered = false;
      worker.on('message', (m: ReplicaMessage) => {
        if (m.kind === 'progress') onProgress?.(m.event);
        else if (m.kind === 'done') {
          answered = true;
          results[replica] = m.result;
        } else {
          answered = true;
          fail(m.error, m.abandoned);
        }
      });
      worker.on('error', (err) => {
        answered = true;
        fail({ name: err.name, message: `training replica ${replica}: ${err.message}` }, false);
      });
      worker.on('exit', (code) => {
        if (!answered) fail({ name: 'ModelError', message: `training replica ${replica} exited (code ${code}) without a result` }, false);
        resolve();
      });
    });
  });
  try {
    await Promise.all(workers);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  const first = cause ?? abandonedOnly;
  if (first) throw rebuildError(first);
  const digests = new Set(results.map((r) => r?.weightsDigest));
  if (results.length !== replicas || results.some((r) => !r) || digests.size !== 1) {
    throw new ModelError(`training replicas ended with different weights (${[...digests].map((d) => d?.slice(0, 12)).join(', ')}): the run is not usable; train with 1 replica`);
  }
  return results[0]!;
}
