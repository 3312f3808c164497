/** The shape of call handlers: one async function per contract call, given validated input. */
import type { ProgressListener } from '../../jobs/progress';
import type { ApiCallName, ApiParsedInput, ApiResult } from '../contract';

export interface ServiceContext {
  /** The data directory every piece of state lives under. */
  dataDir: string;
  /** Epoch milliseconds when the service started. */
  startedAt: number;
  /** Publishes a job's progress on the single progress stream. */
  emitProgress: ProgressListener;
}

export type Handler<K extends ApiCallName> = (input: ApiParsedInput<K>, ctx: ServiceContext) => Promise<ApiResult<K>>;

/** Every call must have exactly one handler: the compiler flags a contract entry without one. */
export type Handlers = { [K in ApiCallName]: Handler<K> };
