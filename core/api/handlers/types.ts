/** The shape of call handlers: one async function per contract call, given validated input. */
import type { JobRunner } from '../../jobs/runner';
import type { RetrieverCache } from '../retrievers';
import type { ProgressListener } from '../../jobs/progress';
import type { Store } from '../../store/store';
import type { ApiCallName, ApiParsedInput, ApiResult } from '../contract';

export interface ServiceContext {
  /** The data directory every piece of state lives under. */
  dataDir: string;
  /** Epoch milliseconds when the service started. */
  startedAt: number;
  /** Publishes a job's progress on the single progress stream. */
  emitProgress: ProgressListener;
  /** The case store, opened (and migrated) on first use and kept open until the service closes. */
  store(): Store;
  /** Long jobs in their own processes (core/jobs/runner.ts). */
  jobs: JobRunner;
  /** onnxruntime sessions kept open between searches. */
  models: RetrieverCache;
  /** The active model's hash (models.active), null when none. */
  activeModelHash(): string | null;
}

export type Handler<K extends ApiCallName> = (input: ApiParsedInput<K>, ctx: ServiceContext) => Promise<ApiResult<K>>;

/** Every call must have exactly one handler: the compiler flags a contract entry without one. */
export type Handlers = { [K in ApiCallName]: Handler<K> };

/** A group of handlers for the calls whose names start with a prefix. */
export type HandlerGroup<K extends ApiCallName> = Pick<Handlers, K>;
