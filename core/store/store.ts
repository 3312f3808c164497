/**
 * Opening the workstation's case store: one SQLite file per data directory, migrated on open.
 * Repositories (cases.ts, evidence.ts, …) take a Store and run each write in one transaction
 * together with its audit entry.
 */
import { userInfo } from 'node:os';
import { BusyError, InputError, StorageError } from '../errors';
import { ensureDataDir } from '../platform/dataDir';
import { migrate } from './migrate';
import { openDatabase, sqliteErrorCode, writeTransaction, type SqliteDatabase } from './sqlite';

export interface Store {
  readonly db: SqliteDatabase;
  readonly file: string;
  /** Who is acting; recorded in every audit entry and decision. */
  readonly actor: string;
  close(): void;
}

export function defaultActor(): string {
  try {
    return userInfo().username || 'unknown';
  } catch {
    return 'unknown';
  }
}

export interface OpenStoreOptions {
  actor?: string;
  /** How long a write waits for another process's lock before failing (default 5 s). */
  busyTimeoutMs?: number;
}

/** SQLite's low-level failures, reworded to name the database file and what to do. */
export function explainSqliteError(err: unknown, file: string): unknown {
  // Extended codes (SQLITE_BUSY_SNAPSHOT, SQLITE_READONLY_DBMOVED…) share their primary code's meaning.
  switch (sqliteErrorCode(err)?.split('_').slice(0, 2).join('_')) {
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return new BusyError(`the case database ${file} is locked by another process (another FastPR window or command?); nothing was changed, try again`, { file });
    case 'SQLITE_NOTADB':
      return new InputError(`${file} is not a FastPR case database (not an SQLite file, or encrypted/corrupt)`, { file });
    case 'SQLITE_CORRUPT':
      return new InputError(`the case database ${file} is corrupt; restore it from a backup`, { file });
    case 'SQLITE_READONLY':
    case 'SQLITE_CANTOPEN':
      return new InputError(`cannot open the case database ${file} for writing (${(err as Error).message})`, { file });
    case 'SQLITE_FULL':
      return new StorageError(`the disk holding ${file} is full; nothing was changed`, { file });
    case 'SQLITE_IOERR':
      return new StorageError(`cannot write the case database ${file} (${sqliteErrorCode(err)}: ${(err as Error).message}; disk full or failing?); nothing was changed`, { file });
    default:
      return err;
  }
}

/** Opens (creating if needed) and migrates the database at `file`. */
export function openStoreFile(file: string, options: OpenStoreOptions = {}): Store {
  let db: SqliteDatabase | undefined;
  try {
    db = openDatabase(file, { busyTimeoutMs: options.busyTimeoutMs });
    migrate(db, { file });
  } catch (err) {
    db?.close();
    throw explainSqliteError(err, file);
  }
  return { db, file, actor: options.actor ?? defaultActor(), close: () => db.close() };
}

/** Opens the workstation database inside the data directory (--data-dir > FASTPR_DATA_DIR > default). */
export function openStore(dataDir: string, options: OpenStoreOptions = {}): Store {
  return openStoreFile(ensureDataDir(dataDir).database, options);
}

/** A write and its audit entry, committed together (BEGIN IMMEDIATE). */
export function write<T>(store: Store, fn: () => T): T {
  try {
    return writeTransaction(store.db, fn);
  } catch (err) {
    throw explainSqliteError(err, store.file);
  }
}

export function nowIso(): string {
  return new Date().toISOString();
}

/** Opens the store for one job (a CLI command, a request) and always closes it. */
export async function withStore<T>(dataDir: string, fn: (store: Store) => Promise<T> | T): Promise<T> {
  const store = openStore(dataDir);
  try {
    return await fn(store);
  } finally {
    store.close();
  }
}
