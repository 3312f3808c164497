/**
 * The service: implements every contract call once, in core/. Transports (Electron IPC, the
 * loopback HTTP server, in-process callers like the CLI and tests) all go through `invoke`.
 */
import { NotFoundError } from '../errors';
import type { ProgressEvent, ProgressListener } from '../jobs/progress';
import { ensureDataDir } from '../platform/dataDir';
import { openStore, type Store } from '../store/store';
import { activeModel } from './models';
import { isApiCall, API_CALL_NAMES, type ApiCallName, type ApiClient, type ApiInput, type ApiResult } from './contract';
import { HANDLERS } from './handlers/index';
import type { Handler, ServiceContext } from './handlers/types';
import { validateInput } from './validate';

export interface ServiceOptions {
  dataDir: string;
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
  const ctx: ServiceContext = {
    dataDir: options.dataDir,
    startedAt: Date.now(),
    emitProgress,
    store: () => (store ??= openStore(options.dataDir)),
    jobs: { dataDir: options.dataDir, activeJobFor: () => null },
    activeModelHash: () => activeModel(options.dataDir).model?.modelHash ?? null,
  };

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
    async close() {
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
