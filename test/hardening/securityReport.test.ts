/**
 * The HTML report with script-injection strings in every user-provided field (case name, video
 * file name, camera label, query text, decision notes, case notes), exported by the real
 * exportReport into a file: every tag in the output must be one the report itself writes, with no
 * event-handler attribute and no script/svg/iframe. core/reports/reports.spec.ts checks that the
 * strings appear escaped; this checks the parsed tags of the whole file against more vectors.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportReport } from '../../core/reports/exportReport';
import { createCase } from '../../core/store/cases';
import { recordDecision } from '../../core/store/decisions';
import { importEvidenceFile } from '../../core/store/evidence';
import { addNote } from '../../core/store/notes';
import { recordSearch } from '../../core/store/searches';
import { openStore } from '../../core/store/store';
import { tally } from './tally';

const VECTORS = [
  '<script>alert(1)</script>', '"><img src=x onerror=alert(2)>', "' onmouseover='alert(3)", '</style><script>alert(4)</script>',
  '<svg/onload=alert(5)>', '<iframe src="javascript:alert(6)">', '<a href="javascript:alert(7)">x</a>', '&lt;script&gt;alert(8)&lt;/script&gt;',
  '<!--', ']]><script>alert(9)</script>', '<meta http-equiv="refresh" content="0;url=https://evil.example">', '`${alert(10)}`',
];

const dir = mkdtempSync(join(tmpdir(), 'fastpr-hardening-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('HTML report with hostile strings everywhere', () => {
  it('contains no tag, attribute or URL the report did not write itself', async () => {
    const store = openStore(join(dir, 'data'), { actor: 'tester <script>alert(0)</script>' });
    try {
      const all = VECTORS.join(' ');
      const c = createCase(store, `Case ${VECTORS.slice(0, 4).join(' ')}`.slice(0, 200));
      const evidence = [];
      for (const [i, v] of VECTORS.entries()) {
        // Slashes cannot be in a file name; everything else (quotes, angle brackets) can.
        const file = join(dir, `cam ${v.replace(/\//g, '∕')}.mp4`);
        writeFileSync(file, randomBytes(100 + i));
        evidence.push(await importEvidenceFile(store, c.id, file, { durationS: 4, width: 64, height: 48, fps: 5, cameraLabel: v }));
      }
      const { sightingIds } = recordSearch(store, c.id, {
        queryText: all, querySlots: { gender: 1 }, modelHash: 'a'.repeat(64), thresholds: { score: 0.5 }, scope: 'all',
        sightings: evidence.map((e, i) => ({ evidenceId: e.id, startS: i, endS: i + 1, peakS: i + 0.5, peakBox: [1, 2, 30, 40] as [number, number, number, number], score: 0.9, track: [] })),
      });
      for (const [i, id] of sightingIds.entries()) recordDecision(store, id, 'confirm', VECTORS[i]!);
      addNote(store, c.id, all);
      const out = join(dir, 'out', 'report.html');
      const { files } = await exportReport(store, { caseId: c.id, format: 'html', out, scope: 'all' });
      const html = readFileSync(files[0]!.path, 'utf8');

      const tags = [...html.matchAll(/<\s*([a-zA-Z][\w-]*)([^>]*)>/g)];
      const names = new Set(tags.map((t) => t[1]!.toLowerCase()));
      for (const bad of ['script', 'svg', 'iframe', 'object', 'embed', 'a', 'form', 'base', 'link']) {
        expect(names.has(bad), `<${bad}> in the report`).toBe(false);
        tally({ kind: 'probe', name: `report html: no <${bad}>`, rejected: !names.has(bad) });
      }
      for (const t of tags) {
        expect(t[2], `event handler in <${t[1]}${t[2]}>`).not.toMatch(/\son[a-z]+\s*=/i);
        if (t[1]!.toLowerCase() === 'img') expect(t[2]).toMatch(/src="data:image\/(png|jpeg);base64,/);
        if (t[1]!.toLowerCase() === 'meta') expect(t[2]).not.toMatch(/refresh/i);
      }
      for (const v of VECTORS) {
        tally({ kind: 'probe', name: `report html escapes ${v}`, rejected: !html.includes(v) || !/[<>"']/.test(v) });
        if (/[<>"']/.test(v)) expect(html, v).not.toContain(v);
      }
      // The escaped text is still there for the reader (not silently dropped).
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    } finally {
      store.close();
    }
  });
});
