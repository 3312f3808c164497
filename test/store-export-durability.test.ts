/**
 * Real process kills during report export: whatever moment the kill lands, the file under the
 * final name is complete and its SHA-256 was committed to the exports table and audit log first.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../core/store/audit';
import { createCase } from '../core/store/cases';
import { importEvidenceFile } from '../core/store/evidence';
import { recordSearch } from '../core/store/searches';
import { openDatabase } from '../core/store/sqlite';
import { openStore } from '../core/store/store';
import { runAndKill } from './store-durability.helpers';

const dir = mkdtempSync(join(tmpdir(), 'fastpr-export-durability-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('report export durability under SIGKILL', () => {
  it('an export killed at any moment leaves either a complete, audited report or none under its final name', async () => {
    const store = openStore(dir, { actor: 'setup' });
    const c = createCase(store, 'Export durability');
    const video = join(dir, 'clip.mp4');
    writeFileSync(video, 'video bytes');
    const ev = await importEvidenceFile(store, c.id, video, { durationS: 2, fps: 5 });
    recordSearch(store, c.id, {
      queryText: 'q', querySlots: {}, modelHash: 'm'.repeat(64), thresholds: {}, scope: 'all',
      sightings: [{ evidenceId: ev.id, startS: 0, endS: 1, peakS: 0.5, peakBox: [0, 0, 10, 20], score: 0.9, track: [] }],
    });
    store.close();
    const outDir = join(dir, 'exports');
    const out = join(outDir, 'report.html');
    for (let round = 0; round < 2; round++) {
      await runAndKill(['export', dir, c.name, out], 1 + Math.floor(Math.random() * 4), Math.floor(Math.random() * 120));
      const db = openDatabase(join(dir, 'workstation.sqlite'));
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        expect(verifyAuditChain(db).ok).toBe(true);
        // The file under the final name is complete and its hash was committed before it appeared there.
        const html = readFileSync(out);
        expect(html.toString('utf8').trimEnd().endsWith('</html>')).toBe(true);
        const hash = createHash('sha256').update(html).digest('hex');
        const recorded = db.prepare('SELECT COUNT(*) AS n FROM exports WHERE sha256 = ? AND path = ?').get(hash, out) as { n: number };
        expect(recorded.n).toBeGreaterThan(0);
        const audited = db.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'export.written' AND json_extract(payload, '$.sha256') = ?").get(hash) as { n: number };
        expect(audited.n).toBeGreaterThan(0);
      } finally {
        db.close();
      }
      // Only temp files (dot-prefixed) may be left over; no other partial file exists.
      expect(readdirSync(outDir).filter((f) => !f.startsWith('.'))).toEqual(['report.html']);
      expect(existsSync(out)).toBe(true);
    }
  });
});
