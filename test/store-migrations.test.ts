/**
 * Upgrades a database from EVERY earlier schema version, each seeded with representative rows
 * written with that version's own columns, and checks nothing is lost.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appendAudit, listAudit, verifyAuditChain } from '../core/store/audit';
import { recordDecision } from '../core/store/decisions';
import { currentSchemaVersion, migrate } from '../core/store/migrate';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../core/store/migrations/index';
import { evidenceItem, sightingSummary } from '../core/api/views';
import { getEvidence, listEvidence } from '../core/store/evidence';
import { finishIndex, getIndex, startIndex } from '../core/store/indexes';
import { getSearch, getSighting, recordSearch } from '../core/store/searches';
import { openDatabase, type SqliteDatabase } from '../core/store/sqlite';
import { openStoreFile } from '../core/store/store';

const root = mkdtempSync(join(tmpdir(), 'fastpr-migrate-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const H = (c: string) => c.repeat(64);
const T = '2026-01-02T03:04:05.000Z';
/** A PNG signature plus one byte, as an SQL blob literal. */
const PNG = "X'89504E470D0A1A0A00'";

/** Rows each version can hold, written with raw SQL against that version's schema. */
const SEEDS: Record<number, (db: SqliteDatabase) => void> = {
  1: (db) => {
    db.exec(`
      INSERT INTO cases VALUES (1, 'Harbour theft', 'open', '${T}', NULL), (2, 'Old case «ü»', 'closed', '${T}', '${T}');
      INSERT INTO evidence (id, case_id, video_path, sha256, size_bytes, duration_s, camera_label, time_offset_s, imported_at, state)
        VALUES (1, 1, '/v/cam 1.mp4', '${H('a')}', 1000, 60.5, 'C1', -3.5, '${T}', 'indexed'),
               (2, 1, '/v/cam2.mp4', '${H('b')}', 2000, NULL, NULL, 0, '${T}', 'imported');
      INSERT INTO indexes (id, evidence_id, model_hash, sampling_fps, file_path, frames, state, created_at, updated_at)
        VALUES (1, 1, '${H('m')}', 5, '/i/1.idx', 302, 'complete', '${T}', '${T}');
      INSERT INTO searches (id, case_id, query_text, query_slots, model_hash, thresholds, scope, actor, created_at) VALUES (1, 1, 'woman in red', '{"gender":1,"torsoColour":8}', '${H('m')}', '{"score":0.5}', '"all"', 'ann', '${T}');
      INSERT INTO sightings (id, search_id, evidence_id, rank, start_s, end_s, peak_s, peak_box, score, track)
        VALUES (1, 1, 1, 1, 1.0, 4.2, 2.0, '[1,2,30,80]', 0.93, '[{"t":2,"box":[1,2,30,80]}]'),
               (2, 1, 1, 2, 9.0, 9.4, 9.2, '[5,5,20,60]', 0.41, '[]');
      INSERT INTO decisions (id, sighting_id, decision, reviewer, decided_at)
        VALUES (1, 1, 'confirm', 'ann', '${T}'), (2, 2, 'reject', 'bob', '${T}');
      INSERT INTO notes VALUES (1, 1, 'called the harbour office', 'ann', '${T}');
      INSERT INTO exports VALUES (1, 1, 'pdf', '/r/report.pdf', '${H('e')}', 1234, 'ann', '${T}');
    `);
  },
  2: (db) => {
    db.exec(`INSERT INTO decisions (id, sighting_id, decision, note, reviewer, decided_at)
      VALUES (3, 2, 'unsure', 'face hidden; check C2', 'ann', '${T}')`);
  },
  3: (db) => {
    // A thumbnail whose frame was not recorded (it may be up to 1 s before the peak).
    db.exec(`UPDATE evidence SET width = 704, height = 576, fps = 25 WHERE id = 1;
      INSERT INTO sightings (id, search_id, evidence_id, rank, start_s, end_s, peak_s, peak_box, score, track, thumbnail_png)
        VALUES (3, 1, 1, 3, 5.0, 6.0, 5.4, '[40,10,70,90]', 0.66, '[{"t":5.4,"box":[40,10,70,90]}]', ${PNG})`);
  },
  4: (db) => {
    // The thumbnail's own frame: one with the sighting's box there, one without.
    db.exec(`INSERT INTO sightings (id, search_id, evidence_id, rank, start_s, end_s, peak_s, peak_box, score, track, thumbnail_png, thumbnail_s, thumbnail_box)
      VALUES (4, 1, 1, 4, 7.0, 8.0, 7.4, '[80,10,110,90]', 0.6, '[{"t":7,"box":[20,10,50,90]},{"t":7.4,"box":[80,10,110,90]}]', ${PNG}, 7.0, '[20,10,50,90]'),
             (5, 1, 1, 5, 9.2, 9.6, 9.4, '[5,5,20,60]', 0.5, '[{"t":9.4,"box":[5,5,20,60]}]', ${PNG}, 9.0, NULL)`);
  },
  5: (db) => {
    // Indexes finished with warnings (a cut file's decode errors, a poor basis fit), and with none.
    db.exec(`INSERT INTO indexes (id, evidence_id, model_hash, sampling_fps, file_path, frames, frames_total, state, created_at, updated_at, warnings)
      VALUES (2, 2, '${H('m')}', 5, '/i/2.idx', 14, 30, 'complete', '${T}', '${T}', '["/v/cam2.mp4: Invalid data found when processing input","/v/cam2.mp4: 9 of 14 sampled frames (the first at 00:00:01.000) fit the index''s compression basis poorly"]'),
             (3, 1, '${H('n')}', 5, '/i/3.idx', 302, 302, 'complete', '${T}', '${T}', '[]')`);
  },
};

const TABLES = ['cases', 'evidence', 'indexes', 'searches', 'sightings', 'decisions', 'notes', 'exports', 'audit_log'];

function snapshot(db: SqliteDatabase): Record<string, Record<string, unknown>[]> {
  return Object.fromEntries(TABLES.map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all() as Record<string, unknown>[]]));
}

function schemaOf(db: SqliteDatabase): string[] {
  return (db.prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").all() as { type: string; name: string; sql: string }[])
    .map((r) => `${r.type} ${r.name}: ${r.sql}`);
}

function databaseAt(version: number): string {
  const file = join(root, `v${version}-${Math.random().toString(36).slice(2)}.sqlite`);
  const db = openDatabase(file);
  migrate(db, { target: version });
  for (let v = 1; v <= version; v++) {
    db.transaction(() => {
      SEEDS[v]?.(db);
      appendAudit(db, 'seed', 'test.seeded', { version: v }, T);
    })();
  }
  expect(currentSchemaVersion(db)).toBe(version);
  db.close();
  return file;
}

describe('schema migrations', () => {
  const freshFile = join(root, 'fresh.sqlite');
  const fresh = openStoreFile(freshFile);
  const freshSchema = schemaOf(fresh.db);
  fresh.close();

  it('has at least two real migrations, numbered in order', () => {
    expect(MIGRATIONS.length).toBeGreaterThanOrEqual(2);
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });

  for (let from = 0; from < LATEST_SCHEMA_VERSION; from++) {
    it(`upgrades a database at version ${from} to ${LATEST_SCHEMA_VERSION} without losing rows`, () => {
      const file = databaseAt(from);
      const raw = openDatabase(file);
      const before = from === 0 ? undefined : snapshot(raw);
      raw.close();

      const store = openStoreFile(file, { actor: 'upgrader' });
      try {
        expect(currentSchemaVersion(store.db)).toBe(LATEST_SCHEMA_VERSION);
        expect(schemaOf(store.db)).toEqual(freshSchema);
        expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
        expect(store.db.pragma('foreign_key_check')).toEqual([]);
        const after = snapshot(store.db);
        if (before) {
          for (const t of TABLES) {
            const rows = t === 'audit_log' ? after[t]!.slice(0, before[t]!.length) : after[t]!;
            expect(rows.length, `${t} row count`).toBe(before[t]!.length);
            // Every old column keeps its value; new columns may only be added.
            rows.forEach((row, i) => expect(row, `${t} row ${i}`).toMatchObject(before[t]![i]!));
          }
          if (from < 2) expect(after.decisions!.slice(0, 2).map((d) => d.note)).toEqual(['', '']);
        }
        const audit = verifyAuditChain(store.db);
        expect(audit.ok).toBe(true);
        const migrated = listAudit(store.db).filter((e) => e.action === 'schema.migrated').map((e) => (e.payload as { to: number }).to);
        expect(migrated).toEqual(MIGRATIONS.map((m) => m.version));
        if (from > 0) {
          // Upgraded rows work through the current API: a v1 sighting accepts an 'unsure' decision with a note.
          const d = recordDecision(store, 1, 'unsure', 'second look');
          expect(d.note).toBe('second look');
          expect(getSighting(store, 1).thumbnailPng).toBeNull();
          expect(getSighting(store, 1)).toMatchObject({ thumbnailS: null, thumbnailBox: null });
          // New sightings record their thumbnail's frame in the upgraded database.
          const { sightingIds } = recordSearch(store, 1, {
            queryText: 'again', querySlots: {}, modelHash: H('m'), thresholds: {}, scope: 'all',
            sightings: [{ evidenceId: 1, startS: 1, endS: 2, peakS: 1.4, peakBox: [9, 9, 30, 80], score: 0.8, track: [], thumbnailPng: new Uint8Array(9), thumbnailS: 1.0, thumbnailBox: [1, 9, 22, 80] }],
          });
          expect(getSighting(store, sightingIds[0]!)).toMatchObject({ thumbnailS: 1.0, thumbnailBox: [1, 9, 22, 80] });
          // A search from before schema 6 did not record what it read; one run now does.
          expect(getSearch(store, 1).evidenceSearched).toBeNull();
          const read = [{ evidenceId: 1, index: { id: 1, samplingFps: 5, frames: 302, storage: 'pca' as const } }, { evidenceId: 2, index: null }];
          const { search } = recordSearch(store, 1, { queryText: 'read', querySlots: {}, modelHash: H('m'), thresholds: {}, scope: 'all', sightings: [], evidenceSearched: read });
          expect(getSearch(store, search.id).evidenceSearched).toEqual(read);
          // An index finished before schema 5 recorded no warnings (null), and shows none.
          if (from < 5) {
            expect(getIndex(store, 1).warnings).toBeNull();
            expect(evidenceItem(store, getEvidence(store, 1), H('m'), null).index).toMatchObject({ indexId: 1, state: 'complete', warnings: [] });
          }
          // A new index in the upgraded database keeps its warnings.
          const idx = startIndex(store, { evidenceId: 2, modelHash: H('u'), samplingFps: 2, filePath: '/i/u.idx' });
          finishIndex(store, idx.id, 'complete', 7, ['/v/cam2.mp4: partial file']);
          expect(getIndex(store, idx.id).warnings).toEqual(['/v/cam2.mp4: partial file']);
          expect(evidenceItem(store, getEvidence(store, 2), H('u'), null).index?.warnings).toEqual(['/v/cam2.mp4: partial file']);
        }
        if (from === 3) {
          // A thumbnail stored before its time was kept stays, and says its time is unknown (no box claimed for it).
          const old = getSighting(store, 3);
          expect(old.thumbnailPng).not.toBeNull();
          expect(sightingSummary(old, getEvidence(store, 1), undefined)).toMatchObject({ thumbnail: expect.stringMatching(/^data:image\/png/), thumbnailS: null, thumbnailBox: null });
        }
      } finally {
        store.close();
      }
    });
  }

  it('reads version-4 sightings: the thumbnail\'s time, and its box or none', () => {
    const store = openStoreFile(databaseAt(4));
    try {
      expect(getSighting(store, 4)).toMatchObject({ peakS: 7.4, peakBox: [80, 10, 110, 90], thumbnailS: 7.0, thumbnailBox: [20, 10, 50, 90] });
      expect(getSighting(store, 5)).toMatchObject({ thumbnailS: 9.0, thumbnailBox: null });
    } finally {
      store.close();
    }
  });

  it('reads version-5 indexes: their warnings in full, or none', () => {
    const store = openStoreFile(databaseAt(5));
    try {
      expect(getIndex(store, 2).warnings).toEqual([
        '/v/cam2.mp4: Invalid data found when processing input',
        "/v/cam2.mp4: 9 of 14 sampled frames (the first at 00:00:01.000) fit the index's compression basis poorly",
      ]);
      expect(getIndex(store, 3).warnings).toEqual([]);
      const items = listEvidence(store, 1).map((e) => evidenceItem(store, e, H('m'), null));
      expect(items.map((e) => e.index?.warnings.length)).toEqual([0, 2]);
    } finally {
      store.close();
    }
  });

  it('refuses a database written by a newer FastPR and leaves it untouched', () => {
    const file = databaseAt(LATEST_SCHEMA_VERSION);
    const db = openDatabase(file);
    db.prepare('INSERT INTO schema_version VALUES (?, ?, ?)').run(LATEST_SCHEMA_VERSION + 1, 'future', T);
    db.close();
    expect(() => openStoreFile(file)).toThrow(/newer than this FastPR/);
  });

  it('rolls back a migration that fails part-way, keeping the previous version', () => {
    const file = databaseAt(1);
    const db = openDatabase(file);
    const broken = [MIGRATIONS[0]!, { version: 2, name: 'broken', up: (d: SqliteDatabase) => { d.exec('DROP TABLE notes'); throw new Error('boom'); } }];
    expect(() => migrate(db, { migrations: broken })).toThrow('boom');
    expect(currentSchemaVersion(db)).toBe(1);
    expect(db.prepare('SELECT COUNT(*) AS n FROM notes').get()).toEqual({ n: 1 });
    db.close();
  });
});
