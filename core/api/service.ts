/**
 * The service: implements every contract call once, in core/. Transports (Electron IPC, the
 * loopback HTTP server, in-process callers like the CLI and tests) all go through `invoke`.
 */
import { NotFoundError } from '../errors';
import type { ProgressEvent, ProgressListener } from '../jobs/progress';
import { ensureDataDir } from '../platform/dataDir';
import { JobRunner } from '../jobs/runner';
import type { WorkerEntry } from '../jobs/spawn';
import { openStore, type Store } from '../store/store';
import { getEvidence } from '../store/evidence';
import { ensureDemoCase } from '../demo/demoCase';
import { activeModel } from './models';
import { RetrieverCache } from './retrievers';
import { isApiCall, API_CALL_NAMES, type ApiCallName, type ApiClient, type ApiInput, type ApiResult } from './contract';
import { HANDLERS } from './handlers/index';
import type { Handler, ServiceContext } from './handlers/types';
import { validateInput } from './validate';

export interface ServiceOptions {
  dataDir: string;
  /** Create the embedded demo case when the database has no case yet (core/demo). Default false. */
  demo?: boolean;
  /** How job workers start (default: core/jobs/spawn.ts defaultWorkerEntry). */
  workerEntry?: WorkerEntry;
  /** Jobs running at once (default 2). */
  maxConcurrentJobs?: number;
}

export interface Service {
  readonly dataDir: string;
  /** Validates `rawInput` for call `name` and runs its handler. Unknown names throw NotFoundError. */
  invoke(name: string, rawInput: unknown): Promise<unknown>;
  /** Typed variant of invoke for in-process callers. */
  call<K extends ApiCallName>(name: K, input?: ApiInput<K>): Promise<ApiResult<K>>;
  /** The single progress stream; returns the disposer. */
  onProgress(listener: ProgressListener): () => void;
  /** Publishes on the progress stream (handlers get it as ctx.emitProgress). */
  emitProgress(event: ProgressEvent): void;
  /** The video file of an evidence item (for the player's media route); NotFoundError when unknown. */
  mediaPath(evidenceId: number): string;
  /** Settles when start-up work (the demo case, when asked for) is done; never rejects. */
  readonly ready: Promise<void>;
  /** Stops running jobs (they stay resumable), closes models and the database. */
  close(): Promise<void>;
}

export function createService(options: ServiceOptions): Service {
  ensureDataDir(options.dataDir);
  const listeners = new Set<ProgressListener>();
  const emitProgress = (event: ProgressEvent) => {
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch {
        // A broken subscriber (closed socket, destroyed window) must not stop the job or other subscribers.
      }
    }
  };
  let store: Store | undefined;
  const jobs = new JobRunner({ dataDir: options.dataDir, emit: emitProgress, workerEntry: options.workerEntry, maxConcurrent: options.maxConcurrentJobs });
  const models = new RetrieverCache(options.dataDir);
  const ctx: ServiceContext = {
    dataDir: options.dataDir,
    startedAt: Date.now(),
    emitProgress,
    store: () => (store ??= openStore(options.dataDir)),
    jobs,
    models,
    activeModelHash: () => activeModel(options.dataDir).model?.modelHash ?? null,
  };
  const ready = options.demo
    ? ensureDemoCase(ctx).then(() => undefined, (err: unknown) => {
      // The demo is a convenience: a failure (e.g. no ffmpeg) must not stop the workstation.
      process.emitWarning(`demo case not created: ${(err as Error).message}`);
    })
    : Promise.resolve();

  async function invoke(name: string, rawInput: unknown): Promise<unknown> {
    if (!isApiCall(name)) throw new NotFoundError(`Unknown API call "${name}"`);
    const input = validateInput(name, rawInput);
    const handler = HANDLERS[name] as Handler<typeof name>;
    return handler(input as never, ctx);
  }

  return {
    dataDir: options.dataDir,
    invoke,
    call: (name, input) => invoke(name, input) as never,
    onProgress(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emitProgress,
    ready,
    mediaPath: (evidenceId) => getEvidence(ctx.store(), evidenceId).videoPath,
    async close() {
      // Stop jobs first: a demo still rendering its clip is cancelled rather than awaited.
      await jobs.close();
      await ready;
      await models.close();
      listeners.clear();
      store?.close();
      store = undefined;
    },
  };
}

/** An ApiClient running calls in this process (CLI, tests). */
export function createLocalClient(service: Service): ApiClient {
  const client: Record<string, unknown> = { onProgress: (l: ProgressListener) => service.onProgress(l) };
  for (const name of API_CALL_NAMES) client[name] = (input?: unknown) => service.invoke(name, input);
  return client as ApiClient;
}
