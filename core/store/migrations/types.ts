import type { SqliteDatabase } from '../sqlite';

/** One schema step. `up` runs inside the migrator's transaction; it must not open its own. */
export interface Migration {
  version: number;
  name: string;
  up(db: SqliteDatabase): void;
}
