/**
 * Real process kills: a child records decisions in a loop and is SIGKILLed at a random moment.
 * After each kill the database must pass integrity_check, hold every decision the child reported
 * as committed, and its audit chain must verify.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../core/store/audit';
import { createCase } from '../core/store/cases';
import { addEvidence } from '../core/store/evidence';
import { recordSearch } from '../core/store/searches';
import { openDatabase } from '../core/store/sqlite';
import { openStore } from '../core/store/store';
import { runAndKill } from './store-durability.helpers';

const dir = mkdtempSync(join(tmpdir(), 'fastpr-durability-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('case store durability under SIGKILL', () => {
  it('keeps every committed decision, integrity and the audit chain across random kills', async () => {
    const store = openStore(dir, { actor: 'setup' });
    const c = createCase(store, 'Durability');
    const ev = addEvidence(store, c.id, '/v/a.mp4', { sha256: 'a'.repeat(64), sizeBytes: 1 });
    const { sightingIds } = recordSearch(store, c.id, {
      queryText: 'q', querySlots: {}, modelHash: 'm'.repeat(64), thresholds: {}, scope: 'all',
      sightings: [1, 2, 3].map((i) => ({ evidenceId: ev.id, startS: i, endS: i + 1, peakS: i, peakBox: [0, 0, 10, 20] as [number, number, number, number], score: 1 / i, track: [] })),
    });
    store.close();

    const allCommitted: number[] = [];
    const allNotes: number[] = [];
    for (let round = 0; round < 3; round++) {
      const afterCommits = 3 + Math.floor(Math.random() * 30);
      const delay = Math.floor(Math.random() * 150);
      const { committed, notes } = await runAndKill(['decisions', dir, String(c.id), sightingIds.join(',')], afterCommits, delay);
      expect(committed.length).toBeGreaterThanOrEqual(afterCommits);
      allCommitted.push(...committed);
      allNotes.push(...notes);

      const db = openDatabase(join(dir, 'workstation.sqlite'));
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        const present = new Set((db.prepare('SELECT id FROM decisions').all() as { id: number }[]).map((r) => r.id));
        const lost = allCommitted.filter((id) => !present.has(id));
        expect(lost, `decisions reported committed but missing after kill ${round}`).toEqual([]);
        const notesPresent = new Set((db.prepare('SELECT id FROM notes').all() as { id: number }[]).map((r) => r.id));
        expect(allNotes.filter((id) => !notesPresent.has(id))).toEqual([]);
        const audit = verifyAuditChain(db);
        expect(audit.brokenAt).toBeUndefined();
        expect(audit.ok).toBe(true);
        // Every decision row has its audit entry (same transaction): counts agree.
        const audited = (db.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'decision.recorded'").get() as { n: number }).n;
        expect(audited).toBe(present.size);
      } finally {
        db.close();
      }
    }
  });
});
