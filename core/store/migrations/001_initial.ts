/** Version 1: the first released schema. Never edit once shipped; add a new migration instead. */
import type { Migration } from './types';

export const migration001: Migration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(`
      CREATE TABLE cases (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
        created_at TEXT NOT NULL,
        closed_at TEXT
      );
      CREATE TABLE evidence (
        id INTEGER PRIMARY KEY,
        case_id INTEGER NOT NULL REFERENCES cases(id),
        video_path TEXT NOT NULL,
        sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
        size_bytes INTEGER NOT NULL CHECK (size_bytes >= 0),
        duration_s REAL,
        camera_label TEXT,
        time_offset_s REAL NOT NULL DEFAULT 0,
        imported_at TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'imported'
          CHECK (state IN ('imported', 'indexing', 'indexed', 'failed')),
        UNIQUE (case_id, sha256)
      );
      CREATE INDEX evidence_case ON evidence(case_id);
      CREATE TABLE indexes (
        id INTEGER PRIMARY KEY,
        evidence_id INTEGER NOT NULL REFERENCES evidence(id),
        model_hash TEXT NOT NULL,
        sampling_fps REAL NOT NULL CHECK (sampling_fps > 0),
        file_path TEXT NOT NULL,
        frames INTEGER NOT NULL DEFAULT 0,
        state TEXT NOT NULL DEFAULT 'building'
          CHECK (state IN ('building', 'complete', 'failed', 'cancelled')),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (evidence_id, model_hash, sampling_fps)
      );
      CREATE TABLE searches (
        id INTEGER PRIMARY KEY,
        case_id INTEGER NOT NULL REFERENCES cases(id),
        query_text TEXT NOT NULL,
        query_slots TEXT NOT NULL,
        model_hash TEXT NOT NULL,
        thresholds TEXT NOT NULL,
        scope TEXT NOT NULL,
        actor TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX searches_case ON searches(case_id);
      CREATE TABLE sightings (
        id INTEGER PRIMARY KEY,
        search_id INTEGER NOT NULL REFERENCES searches(id),
        evidence_id INTEGER NOT NULL REFERENCES evidence(id),
        rank INTEGER NOT NULL,
        start_s REAL NOT NULL,
        end_s REAL NOT NULL,
        peak_s REAL NOT NULL,
        peak_box TEXT NOT NULL,
        score REAL NOT NULL,
        track TEXT NOT NULL,
        CHECK (end_s >= start_s)
      );
      CREATE INDEX sightings_search ON sightings(search_id);
      CREATE TABLE decisions (
        id INTEGER PRIMARY KEY,
        sighting_id INTEGER NOT NULL REFERENCES sightings(id),
        decision TEXT NOT NULL CHECK (decision IN ('confirm', 'reject')),
        reviewer TEXT NOT NULL,
        decided_at TEXT NOT NULL
      );
      CREATE INDEX decisions_sighting ON decisions(sighting_id);
      CREATE TABLE notes (
        id INTEGER PRIMARY KEY,
        case_id INTEGER NOT NULL REFERENCES cases(id),
        text TEXT NOT NULL,
        author TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE TABLE exports (
        id INTEGER PRIMARY KEY,
        case_id INTEGER NOT NULL REFERENCES cases(id),
        kind TEXT NOT NULL,
        path TEXT NOT NULL,
        sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
        size_bytes INTEGER NOT NULL,
        actor TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY,
        time TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        payload TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE
      );
      -- The audit log is append-only: the database itself refuses edits and deletions.
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused'); END;
    `);
  },
};
