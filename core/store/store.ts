/**
 * Opening the workstation's case store: one SQLite file per data directory, migrated on open.
 * Repositories (cases.ts, evidence.ts, …) take a Store and run each write in one transaction
 * together with its audit entry.
 */
import { userInfo } from 'node:os';
import { ensureDataDir } from '../platform/dataDir';
import { migrate } from './migrate';
import { openDatabase, writeTransaction, type SqliteDatabase } from './sqlite';

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

/** Opens (creating if needed) and migrates the database at `file`. */
export function openStoreFile(file: string, options: { actor?: string } = {}): Store {
  const db = openDatabase(file);
  try {
    migrate(db, { file });
  } catch (err) {
    db.close();
    throw err;
  }
  return { db, file, actor: options.actor ?? defaultActor(), close: () => db.close() };
}

/** Opens the workstation database inside the data directory (--data-dir > FASTPR_DATA_DIR > default). */
export function openStore(dataDir: string, options: { actor?: string } = {}): Store {
  return openStoreFile(ensureDataDir(dataDir).database, options);
}

/** A write and its audit entry, committed together (BEGIN IMMEDIATE). */
export function write<T>(store: Store, fn: () => T): T {
  return writeTransaction(store.db, fn);
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
