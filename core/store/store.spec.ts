import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError, NotFoundError, VideoError } from '../errors';
import {
  addEvidence, appendAudit, addNote, closeCase, createCase, finishIndex, getCaseByName, getIndex, getSearch, importEvidenceFile, INDEX_WARNING_MAX_CHARS,
  INDEX_WARNINGS_MAX_CHARS, latestDecisionsForCase, listAudit, listCases, listSightings, recordDecision, recordExport, recordSearch,
  noteIndexStopped, saveIndexCheckpoint, startIndex, storedIndexWarnings, verifyAuditChain, verifyEvidence,
} from './index';
import { openDatabase } from './sqlite';
import { openStoreFile } from './store';
import { tempStore } from './testing';

const H = (c: string) => c.repeat(64);
let cleanup: (() => void) | undefined;
afterEach(() => { cleanup?.(); cleanup = undefined; });

function fixture() {
  const t = tempStore();
  cleanup = t.cleanup;
  return t;
}

/** A new store with one case holding one imported "video" (bytes to hash). */
async function caseWithVideo(caseName: string, file: string) {
  const { store, dir } = fixture();
  const c = createCase(store, caseName);
  const video = join(dir, file);
  writeFileSync(video, 'bytes');
  const ev = await importEvidenceFile(store, c.id, video, { durationS: 10 });
  return { store, dir, video, c, ev };
}

describe('case store', () => {
  it('opens with WAL, foreign keys and synchronous FULL', () => {
    const { store } = fixture();
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2);
  });

  it('creates, lists, searches and closes cases with typed errors', () => {
    const { store } = fixture();
    const a = createCase(store, '  Harbour theft  ');
    createCase(store, 'Station assault');
    expect(a.name).toBe('Harbour theft');
    expect(() => createCase(store, 'Harbour theft')).toThrow(/already exists/);
    expect(() => createCase(store, '')).toThrow(InputError);
    expect(listCases(store, { nameContains: 'harb' }).map((c) => c.name)).toEqual(['Harbour theft']);
    expect(() => getCaseByName(store, 'nope')).toThrow(NotFoundError);
    closeCase(store, a.id);
    expect(getCaseByName(store, 'Harbour theft').status).toBe('closed');
    expect(() => closeCase(store, a.id)).toThrow(/closed/);
    expect(() => addNote(store, a.id, 'late note')).toThrow(/closed/);
  });

  it('runs the whole workflow and audits every action in a valid chain', async () => {
    const { store, dir } = fixture();
    const c = createCase(store, 'Case 1');
    const video = join(dir, 'clip.mp4');
    writeFileSync(video, 'not really a video, but bytes to hash');
    const ev = await importEvidenceFile(store, c.id, video, { durationS: 10, width: 704, height: 576, fps: 25, cameraLabel: 'C1' });
    await expect(importEvidenceFile(store, c.id, video)).rejects.toThrow(/already in this case/);
    const idx = startIndex(store, { evidenceId: ev.id, modelHash: H('a'), samplingFps: 5, filePath: join(dir, 'i.idx'), framesTotal: 50 });
    saveIndexCheckpoint(store, idx.id, 20, { nextFrame: 20 });
    finishIndex(store, idx.id, 'complete', 50);
    const { sightingIds } = recordSearch(store, c.id, {
      queryText: 'man in red', querySlots: { gender: 0, torsoColour: 8 }, modelHash: H('a'), thresholds: { score: 0.5 }, scope: 'all',
      sightings: [{ evidenceId: ev.id, startS: 1, endS: 2, peakS: 1.5, peakBox: [1, 2, 30, 80], score: 0.9, track: [{ t: 1, box: [1, 2, 30, 80] }] }],
    });
    expect(() => recordSearch(store, c.id, {
      queryText: 'x', querySlots: {}, modelHash: H('a'), thresholds: {}, scope: 'all',
      sightings: [{ evidenceId: 999, startS: 1, endS: 2, peakS: 1.5, peakBox: [1, 2, 3, 4], score: 1, track: [] }],
    })).toThrow(/not part of this case/);
    const sid = sightingIds[0]!;
    recordDecision(store, sid, 'unsure', 'face hidden');
    recordDecision(store, sid, 'confirm', 'same jacket as in C2');
    expect(() => recordDecision(store, sid, 'maybe' as never)).toThrow(InputError);
    expect(() => recordDecision(store, 12345, 'confirm')).toThrow(NotFoundError);
    expect(latestDecisionsForCase(store, c.id).get(sid)?.decision).toBe('confirm');
    expect(listSightings(store, 1)[0]?.track[0]?.box).toEqual([1, 2, 30, 80]);
    addNote(store, c.id, 'called the harbour office');
    recordExport(store, c.id, { kind: 'pdf', path: '/tmp/r.pdf', sha256: H('b'), sizeBytes: 10 });
    writeFileSync(video, 'tampered');
    const v = await verifyEvidence(store, ev.id);
    expect(v.status).toBe('mismatch');
    closeCase(store, c.id);

    const actions = listAudit(store.db).map((e) => e.action).filter((a) => a !== 'schema.migrated');
    expect(actions).toEqual([
      'case.created', 'evidence.added', 'index.started', 'index.built', 'search.run', 'decision.recorded', 'decision.recorded',
      'note.added', 'export.written', 'evidence.verified', 'case.closed',
    ]);
    const result = verifyAuditChain(store.db);
    expect(result.ok).toBe(true);
    expect(result.headHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('stores an index\'s warnings with it, each in full, and still puts them joined in the audit detail', async () => {
    const { store, dir, video, ev } = await caseWithVideo('Warnings', 'cut.mp4');
    const warnings = [
      `${video}: Invalid data found when processing input`,
      `${video}: 150 of 300 sampled frames (the first at 00:00:30.000) fit the index's compression basis poorly (up to 13.8× …) — ingest again with --dtype float16`,
    ];
    const a = startIndex(store, { evidenceId: ev.id, modelHash: H('a'), samplingFps: 5, filePath: join(dir, 'a.idx') });
    expect(a.warnings).toBeNull(); // not finished: nothing recorded yet
    expect(finishIndex(store, a.id, 'complete', 40, warnings).warnings).toEqual(warnings);
    expect(getIndex(store, a.id).warnings).toEqual(warnings);
    const b = startIndex(store, { evidenceId: ev.id, modelHash: H('b'), samplingFps: 5, filePath: join(dir, 'b.idx') });
    expect(finishIndex(store, b.id, 'complete', 50).warnings).toEqual([]);
    const built = listAudit(store.db).filter((e) => e.action === 'index.built').map((e) => (e.payload as { detail: string | null }).detail);
    expect(built).toEqual([warnings.join(' | '), null]);
    // Only JSON arrays get into the column.
    expect(() => store.db.prepare('UPDATE indexes SET warnings = ? WHERE id = ?').run('{"a":1}', b.id)).toThrow(/CHECK/);

    // Long warnings: the audit detail stays at 2,000 characters; the index keeps each warning (cut at
    // 1,000) while the total fits, then says how many it left out.
    const long = Array.from({ length: 9 }, (_, i) => `${i}:`.padEnd(900, 'x'));
    const huge = 'y'.repeat(5000);
    const l = startIndex(store, { evidenceId: ev.id, modelHash: H('c'), samplingFps: 5, filePath: join(dir, 'c.idx') });
    const stored = finishIndex(store, l.id, 'complete', 50, [huge, ...long]).warnings!;
    expect(stored[0]).toHaveLength(INDEX_WARNING_MAX_CHARS);
    expect(stored[0]!.endsWith('…')).toBe(true);
    expect(stored.slice(1, -1)).toEqual(long.slice(0, 5));
    expect(stored.at(-1)).toMatch(/^… 4 more warnings not stored/);
    expect(stored.slice(0, -1).join('').length).toBeLessThanOrEqual(INDEX_WARNINGS_MAX_CHARS);
    expect((listAudit(store.db).at(-1)!.payload as { detail: string }).detail).toHaveLength(2000);
    expect(storedIndexWarnings(['a', 'b'])).toEqual(['a', 'b']);
  });

  it('records a build that stopped: cancelled, or failed with its error; the index stays resumable and the log verifies', async () => {
    const { store, dir, video, c, ev } = await caseWithVideo('Stopped', 'stop.mp4');
    const idx = startIndex(store, { evidenceId: ev.id, modelHash: H('s'), samplingFps: 5, filePath: join(dir, 's.idx') });
    noteIndexStopped(store, idx.id, { framesKept: 12, error: Object.assign(new Error('ingest cancelled'), { name: 'CancelledError' }) });
    noteIndexStopped(store, idx.id, { framesKept: 40, error: new VideoError(`${video}: Invalid data found when processing input`), rebuild: true });
    const stops = listAudit(store.db).filter((e) => e.action === 'index.stopped').map((e) => e.payload);
    const common = { caseId: c.id, evidenceId: ev.id, indexId: idx.id, modelHash: H('s'), samplingFps: 5 };
    expect(stops).toEqual([
      { ...common, reason: 'cancelled', framesKept: 12 },
      { ...common, reason: 'error', framesKept: 40, rebuild: true, detail: `VideoError: ${video}: Invalid data found when processing input` },
    ]);
    expect(getIndex(store, idx.id).state).toBe('building');
    expect(verifyAuditChain(store.db).ok).toBe(true);
  });

  it('records the time and box of the frame a sighting thumbnail shows; refuses ones that describe no stored picture', () => {
    const { store } = fixture();
    const c = createCase(store, 'Thumbnails');
    const ev = addEvidence(store, c.id, '/x.mp4', { sha256: H('c'), sizeBytes: 1 });
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1]);
    const base = { evidenceId: ev.id, startS: 1, endS: 2, peakS: 1.4, peakBox: [60, 10, 90, 80] as [number, number, number, number], score: 0.9, track: [] };
    const run = (sightings: Parameters<typeof recordSearch>[2]['sightings']) =>
      recordSearch(store, c.id, { queryText: 'q', querySlots: {}, modelHash: H('a'), thresholds: {}, scope: 'all', sightings });
    const { search } = run([
      { ...base, thumbnailPng: png, thumbnailS: 1.0, thumbnailBox: [20, 10, 50, 80] },
      { ...base, thumbnailPng: png, thumbnailS: 0.8, thumbnailBox: null },
      { ...base, thumbnailPng: png },
      base,
    ]);
    expect(listSightings(store, search.id).map((s) => [s.thumbnailS, s.thumbnailBox, s.thumbnailPng !== null])).toEqual([
      [1.0, [20, 10, 50, 80], true], [0.8, null, true], [null, null, true], [null, null, false],
    ]);
    const before = listAudit(store.db).length;
    expect(() => run([{ ...base, thumbnailS: 1.0 }])).toThrow(/thumbnailS given without a thumbnail/);
    expect(() => run([{ ...base, thumbnailPng: png, thumbnailBox: [1, 2, 3, 4] }])).toThrow(/thumbnailBox given without thumbnailS/);
    expect(() => run([{ ...base, thumbnailPng: png, thumbnailS: Number.NaN }])).toThrow(InputError);
    expect(() => run([{ ...base, thumbnailPng: png, thumbnailS: 1, thumbnailBox: [1, 2, 3] as never }])).toThrow(/thumbnailBox must be/);
    expect(listAudit(store.db).length).toBe(before);
  });

  it('records what a search read for each evidence item (in the row and the case log); refuses entries that do not fit the case', () => {
    const { store } = fixture();
    const c = createCase(store, 'Searched');
    const other = createCase(store, 'Other');
    const [a, b] = ['/a.mp4', '/b.mp4'].map((p, i) => addEvidence(store, c.id, p, { sha256: H(String(i)), sizeBytes: 1 }));
    const foreign = addEvidence(store, other.id, '/f.mp4', { sha256: H('f'), sizeBytes: 1 });
    const run = (evidenceSearched?: Parameters<typeof recordSearch>[2]['evidenceSearched']) =>
      recordSearch(store, c.id, { queryText: 'q', querySlots: {}, modelHash: H('a'), thresholds: {}, scope: 'all', sightings: [], evidenceSearched });
    const read = [
      { evidenceId: a!.id, index: { id: 4, samplingFps: 5, frames: 300, storage: 'pca' as const, storageDims: { kept: 48, of: 256 } } },
      { evidenceId: b!.id, index: null },
    ];
    const { search } = run(read);
    expect(getSearch(store, search.id).evidenceSearched).toEqual(read);
    expect(listAudit(store.db).at(-1)!.payload).toMatchObject({ searchId: search.id, evidenceSearched: read });
    expect(getSearch(store, run().search.id).evidenceSearched).toBeNull();
    const before = listAudit(store.db).length;
    expect(() => run([{ evidenceId: foreign.id, index: null }])).toThrow(/evidenceSearched\[0\]: evidence #\d+ is not part of this case/);
    expect(() => run([{ evidenceId: a!.id, index: null }, { evidenceId: a!.id, index: null }])).toThrow(/listed twice/);
    expect(() => run([{ evidenceId: a!.id, index: { ...read[0]!.index!, storage: 'zip' as never } }])).toThrow(/storage must be one of pca, int8, float16, float32, got "zip"/);
    expect(() => run([{ evidenceId: a!.id, index: { ...read[0]!.index!, frames: -1 } }])).toThrow(InputError);
    expect(() => run([{ evidenceId: a!.id, index: { ...read[0]!.index!, storageDims: { kept: 300, of: 256 } } }])).toThrow(/storageDims/);
    for (const reranker of [{ sha256: 'short', alpha: 1, top: 30 }, { sha256: H('d'), alpha: -1, top: 30 }, { sha256: H('d'), alpha: 1, top: 0 }]) {
      expect(() => run([{ evidenceId: a!.id, index: { ...read[0]!.index!, reranker } }])).toThrow(/index\.reranker must be/);
    }
    for (const cropNet of [{ sha256: 'short', weight: 0.3 }, { sha256: H('e'), weight: -1 }]) {
      expect(() => run([{ evidenceId: a!.id, index: { ...read[0]!.index!, reranker: { sha256: H('d'), alpha: 1, top: 30, cropNet } } }])).toThrow(/index\.reranker\.cropNet must be/);
    }
    for (const boxRefiner of [{ sha256: 'short' }, { sha256: H('F') }, null]) {
      expect(() => run([{ evidenceId: a!.id, index: { ...read[0]!.index!, reranker: { sha256: H('d'), alpha: 1, top: 30, boxRefiner: boxRefiner as never } } }])).toThrow(/index\.reranker\.boxRefiner must be/);
    }
    expect(listAudit(store.db).length).toBe(before);
    const reranked = [{ evidenceId: a!.id, index: { ...read[0]!.index!, reranker: { sha256: H('d'), alpha: 1.5, top: 30 } } }];
    expect(getSearch(store, run(reranked).search.id).evidenceSearched).toEqual(reranked);
    const withNet = [{ evidenceId: a!.id, index: { ...read[0]!.index!, reranker: { sha256: H('d'), alpha: 1, top: 30, cropNet: { sha256: H('e'), weight: 0.3 } } } }];
    expect(getSearch(store, run(withNet).search.id).evidenceSearched).toEqual(withNet);
    const withRefiner = [{ evidenceId: a!.id, index: { ...read[0]!.index!, reranker: { sha256: H('d'), alpha: 1, top: 30, cropNet: { sha256: H('e'), weight: 0.3 }, boxRefiner: { sha256: H('f') } } } }];
    expect(getSearch(store, run(withRefiner).search.id).evidenceSearched).toEqual(withRefiner);
  });

  it('a failed action leaves neither the row nor an audit entry', () => {
    const { store } = fixture();
    const c = createCase(store, 'A');
    const before = listAudit(store.db).length;
    expect(() => addEvidence(store, c.id, '/x.mp4', { sha256: 'bad', sizeBytes: 1 })).toThrow(InputError);
    addEvidence(store, c.id, '/x.mp4', { sha256: H('c'), sizeBytes: 1 });
    expect(() => addEvidence(store, c.id, '/y.mp4', { sha256: H('c'), sizeBytes: 1 })).toThrow(/already in this case/);
    expect(listAudit(store.db).length).toBe(before + 1);
  });
});

describe('audit log', () => {
  it('refuses UPDATE and DELETE through triggers', () => {
    const { store } = fixture();
    createCase(store, 'A');
    expect(() => store.db.prepare("UPDATE audit_log SET actor = 'mallory'").run()).toThrow(/append-only/);
    expect(() => store.db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
  });

  it('detects an altered entry and reports the first broken link', () => {
    const { store } = fixture();
    createCase(store, 'A');
    const target = createCase(store, 'B');
    createCase(store, 'C');
    const seq = listAudit(store.db).find((e) => e.action === 'case.created' && (e.payload as { caseId: number }).caseId === target.id)!.seq;
    store.close();
    const raw = openDatabase(store.file);
    raw.exec('DROP TRIGGER audit_log_no_update');
    raw.prepare('UPDATE audit_log SET payload = ? WHERE seq = ?').run('{"caseId":2,"name":"Innocent"}', seq);
    const r = verifyAuditChain(raw);
    raw.close();
    expect(r.ok).toBe(false);
    expect(r.brokenAt?.seq).toBe(seq);
    expect(r.brokenAt?.reason).toMatch(/altered/);
  });

  it('detects a deleted entry', () => {
    const { store } = fixture();
    for (const n of ['A', 'B', 'C', 'D']) createCase(store, n);
    const entries = listAudit(store.db);
    const mid = entries[entries.length - 2]!;
    store.close();
    const raw = openDatabase(store.file);
    raw.exec('DROP TRIGGER audit_log_no_delete; DROP TRIGGER audit_log_no_update');
    raw.prepare('DELETE FROM audit_log WHERE seq = ?').run(mid.seq);
    expect(verifyAuditChain(raw).brokenAt).toEqual({ seq: mid.seq, reason: expect.stringMatching(/missing/) as unknown as string });
    raw.close();
  });

  it('anchors from an earlier report catch a log rewritten with recomputed hashes', () => {
    const { store } = fixture();
    createCase(store, 'A');
    const published = verifyAuditChain(store.db);
    createCase(store, 'B');
    const entries = listAudit(store.db);
    store.close();
    const raw = openDatabase(store.file);
    raw.exec('DROP TRIGGER audit_log_no_delete');
    // Forge: delete everything from the published head on and re-append consistent entries.
    raw.prepare('DELETE FROM audit_log WHERE seq >= ?').run(published.headSeq);
    raw.transaction(() => {
      for (const e of entries.filter((x) => x.seq >= published.headSeq)) {
        appendAudit(raw, e.actor, e.action, { ...(e.payload as object), forged: true }, e.time);
      }
    })();
    expect(verifyAuditChain(raw).ok).toBe(true); // internally consistent…
    const anchored = verifyAuditChain(raw, { anchors: [{ seq: published.headSeq, hash: published.headHash }] });
    expect(anchored.ok).toBe(false); // …but not with what the earlier report published
    expect(anchored.brokenAt?.seq).toBe(published.headSeq);
    expect(verifyAuditChain(raw, { anchors: [{ seq: 999, hash: published.headHash }] }).brokenAt?.reason).toMatch(/no longer exists/);
    raw.close();
  });

  it('turns a lock held by another connection, and a non-database file, into clear typed errors', () => {
    const { store, dir } = fixture();
    store.close();
    const other = openDatabase(store.file);
    const locked = openStoreFile(store.file, { actor: 'b', busyTimeoutMs: 50 });
    try {
      other.exec('BEGIN IMMEDIATE');
      expect(() => createCase(locked, 'X')).toThrow(/locked by another process/);
      other.exec('ROLLBACK');
      expect(createCase(locked, 'X').name).toBe('X');
    } finally {
      locked.close();
      other.close();
    }
    const junk = join(dir, 'junk.sqlite');
    writeFileSync(junk, 'this is not a database, just text that is long enough to fill a header page '.repeat(20));
    expect(() => openStoreFile(junk)).toThrow(InputError);
    expect(() => openStoreFile(junk)).toThrow(/is not a FastPR case database/);
  });
});
