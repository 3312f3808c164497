/**
 * Typed errors. Every error a user can cause names the input (file, field, line) and the problem,
 * and crosses IPC/HTTP as {error:{name,message}} to be rebuilt on the other side.
 */
export class FastprError extends Error {
  override name = 'FastprError';
  constructor(message: string, readonly details: { file?: string; line?: number; field?: string } = {}) {
    super(message);
  }
}
/** The user's input (payload, query, arguments) is invalid. */
export class InputError extends FastprError { override name = 'InputError'; }
/** A free-text or structured query cannot be understood. */
export class QueryError extends FastprError { override name = 'QueryError'; }
/** A dataset folder, manifest or annotation line is malformed. */
export class DatasetError extends FastprError { override name = 'DatasetError'; }
/** A video cannot be probed or decoded. */
export class VideoError extends FastprError { override name = 'VideoError'; }
/** A model directory or model file is missing, malformed or incompatible. */
export class ModelError extends FastprError { override name = 'ModelError'; }
/** Something looked up does not exist (case, evidence, sighting…). */
export class NotFoundError extends FastprError { override name = 'NotFoundError'; }
/** A long job was cancelled by the user. */
export class CancelledError extends FastprError { override name = 'CancelledError'; }
/** A resource (the case database) is held by another process; nothing changed, retrying later may work. */
export class BusyError extends FastprError { override name = 'BusyError'; }
/** A file could not be written: the disk is full or the folder is read-only/not writable. Nothing changed. */
export class StorageError extends FastprError { override name = 'StorageError'; }

export const ERROR_CLASSES = {
  FastprError, InputError, QueryError, DatasetError, VideoError, ModelError, NotFoundError, CancelledError, BusyError, StorageError,
} as const;

export interface SerializedError { name: string; message: string }

export function serializeError(err: unknown): SerializedError {
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: 'Error', message: String(err) };
}

/** Rebuilds a real Error of the right class from its serialized form. */
export function rebuildError(e: SerializedError): Error {
  const Cls = (ERROR_CLASSES as Record<string, new (m: string) => Error>)[e.name];
  const err = Cls ? new Cls(e.message) : new Error(e.message);
  if (!Cls) err.name = e.name;
  return err;
}
