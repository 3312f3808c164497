/**
 * The one API contract: every call's name, zod input schema and result type. The service
 * (core/api/service.ts), the Electron IPC handlers and preload, the loopback HTTP server and the
 * renderer's client all derive from this object. Adding a call = one entry here + one handler in
 * core/api/handlers/.
 *
 * No Node imports here: the renderer imports this file's types and the preload bundles it.
 */
import { z } from 'zod';
import type { ProgressListener } from '../jobs/progress';
import type { SystemHealth, SystemInfo } from './types/system';

export type { ProgressEvent, ProgressListener } from '../jobs/progress';
export type * from './types/system';

/** Type-only marker carrying a call's result type (no runtime value worth reading). */
export interface Returns<T> {
  readonly __result?: T;
}
export const returns = <T>(): Returns<T> => ({});

export interface CallSpec<S extends z.ZodType = z.ZodType, R = unknown> {
  input: S;
  result: Returns<R>;
}

/** Calls that take no arguments: `{}` (or nothing), nothing extra allowed. */
const noInput = z.strictObject({}).default({});

/**
 * Every call. A new one is one entry, e.g.
 *   'cases.create': { input: z.strictObject({ name: z.string().min(1).max(200) }), result: returns<CaseSummary>() },
 * plus its handler in core/api/handlers/ (the compiler refuses a call without one). Use strict
 * objects so unknown fields are refused with their name.
 */
export const API = {
  'system.info': { input: noInput, result: returns<SystemInfo>() },
  'system.health': { input: noInput, result: returns<SystemHealth>() },
} satisfies Record<string, CallSpec>;

export type ApiCalls = typeof API;
export type ApiCallName = keyof ApiCalls;
/** What a caller passes (before zod defaults are applied). */
export type ApiInput<K extends ApiCallName> = z.input<ApiCalls[K]['input']>;
/** What a handler receives (after validation and defaults). */
export type ApiParsedInput<K extends ApiCallName> = z.output<ApiCalls[K]['input']>;
export type ApiResult<K extends ApiCallName> = ApiCalls[K]['result'] extends Returns<infer R> ? R : never;

/** A call whose input has a default (`.default({})`) is callable with no argument. */
export type ApiMethod<K extends ApiCallName> = undefined extends ApiInput<K>
  ? (input?: ApiInput<K>) => Promise<ApiResult<K>>
  : (input: ApiInput<K>) => Promise<ApiResult<K>>;

/** The typed client every transport provides: one method per call + the progress stream. */
export type ApiClient = { [K in ApiCallName]: ApiMethod<K> } & {
  /** Subscribes to the single progress stream of all jobs; returns the disposer. */
  onProgress(listener: ProgressListener): () => void;
};

export const API_CALL_NAMES = Object.keys(API) as ApiCallName[];

export function isApiCall(name: string): name is ApiCallName {
  return Object.prototype.hasOwnProperty.call(API, name);
}

/** The envelope that crosses IPC and HTTP. */
export type ApiEnvelope<T> = { result: T } | { error: { name: string; message: string } };
