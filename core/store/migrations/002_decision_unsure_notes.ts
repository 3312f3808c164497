/**
 * Version 2: reviewers may answer "unsure" and attach a note to any decision.
 * SQLite cannot alter a CHECK constraint, so the decisions table is rebuilt and its rows copied.
 * Nothing references decisions(id), so dropping the old table cannot cascade.
 */
import type { Migration } from './types';

export const migration002: Migration = {
  version: 2,
  name: 'decision_unsure_notes',
  up(db) {
    db.exec(`
      CREATE TABLE decisions_v2 (
        id INTEGER PRIMARY KEY,
        sighting_id INTEGER NOT NULL REFERENCES sightings(id),
        decision TEXT NOT NULL CHECK (decision IN ('confirm', 'reject', 'unsure')),
        note TEXT NOT NULL DEFAULT '',
        reviewer TEXT NOT NULL,
        decided_at TEXT NOT NULL
      );
      INSERT INTO decisions_v2 (id, sighting_id, decision, note, reviewer, decided_at)
        SELECT id, sighting_id, decision, '', reviewer, decided_at FROM decisions;
      DROP TABLE decisions;
      ALTER TABLE decisions_v2 RENAME TO decisions;
      CREATE INDEX decisions_sighting ON decisions(sighting_id);
    `);
  },
};
