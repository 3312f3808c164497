/**
 * Versioned schema migrations, run at every open. Each migration and its schema_version row (and,
 * once the audit log exists, its audit entry) commit in one transaction: a crash mid-upgrade leaves
 * the database at the previous version, never in between.
 */
import { InputError } from '../errors';
import { appendAudit } from './audit';
import { MIGRATIONS, type Migration } from './migrations/index';
import type { SqliteDatabase } from './sqlite';

export const MIGRATION_ACTOR = 'system:migrate';

export function currentSchemaVersion(db: SqliteDatabase): number {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").get();
  if (!table) return 0;
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number | null };
  return row.v ?? 0;
}

/**
 * Brings the database to `target` (default: latest). Returns the versions applied.
 * Refuses a database written by a newer FastPR: downgrading would silently drop data.
 */
export function migrate(db: SqliteDatabase, options: { target?: number; migrations?: readonly Migration[]; file?: string } = {}): number[] {
  const migrations = options.migrations ?? MIGRATIONS;
  const latest = migrations.length;
  const target = options.target ?? latest;
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration list out of order: ${m.name} has version ${m.version}, expected ${i + 1}`);
  });
  db.exec(`CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const from = currentSchemaVersion(db);
  if (from > latest) {
    throw new InputError(
      `database ${options.file ?? ''} has schema version ${from}, newer than this FastPR (knows up to ${latest}); use a newer version of the app`.replace('  ', ' '),
      options.file ? { file: options.file } : {},
    );
  }
  const applied: number[] = [];
  for (const m of migrations.slice(from, target)) {
    db.transaction(() => {
      m.up(db);
      const broken = db.pragma('foreign_key_check') as unknown[];
      if (broken.length > 0) throw new Error(`migration ${m.version} (${m.name}) left ${broken.length} foreign-key violations`);
      const now = new Date().toISOString();
      db.prepare('INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, now);
      appendAudit(db, MIGRATION_ACTOR, 'schema.migrated', { from: m.version - 1, to: m.version, name: m.name }, now);
    }).immediate();
    applied.push(m.version);
  }
  return applied;
}
