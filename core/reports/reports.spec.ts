import { createHash } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listAudit, verifyAuditChain } from '../store/audit';
import { listExports } from '../store/exports';
import { recordSearch } from '../store/searches';
import { openStore, type Store } from '../store/store';
import { boxAt } from './avss';
import { csvText } from './csv';
import { exportReport } from './exportReport';
import { buildReportModel } from './model';
import { esc } from './html';
import { describeThumbnailTime, INDEX_WARNINGS_NOTE } from './describe';
import { addIndex, indexWarningsFor, INJECTIONS, seedReportCase } from './testFixture';

let dir = '';
let store: Store | undefined;
afterEach(() => { store?.close(); store = undefined; rmSync(dir, { recursive: true, force: true }); });
function setup() {
  dir = mkdtempSync(join(tmpdir(), 'fastpr-report-'));
  store = openStore(join(dir, 'data'), { actor: 'ann' });
  return store;
}
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('report model', () => {
  it('includes confirmed sightings only by default, all with --all, with decisions, notes and audit head', async () => {
    const s = setup();
    const seeded = await seedReportCase(s, dir);
    const confirmed = await buildReportModel(s, seeded.theCase.id);
    expect(confirmed.sightings.map((x) => x.id)).toEqual(seeded.sightingIds.slice(0, 2));
    expect(confirmed.sightings[0]!.history.map((d) => d.decision)).toEqual(['unsure', 'confirm']);
    expect(confirmed.sightings[0]!.thumbnailSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(confirmed.integrity.evidenceOk).toBe(true);
    expect(confirmed.evidence.every((e) => e.verification.status === 'match')).toBe(true);
    expect(confirmed.audit.ok).toBe(true);
    const all = await buildReportModel(s, seeded.theCase.id, { scope: 'all' });
    expect(all.sightings).toHaveLength(3);
    expect(all.sightings[2]!.decision?.decision).toBe('reject');
    // Re-verification at export is itself audited.
    expect(listAudit(s.db).filter((e) => e.action === 'evidence.verified')).toHaveLength(4);
  });

  it('reports a changed or missing evidence file prominently in every format', async () => {
    const s = setup();
    const seeded = await seedReportCase(s, dir);
    appendFileSync(seeded.evidence[0]!.videoPath, 'x');
    rmSync(seeded.evidence[1]!.videoPath);
    const model = await buildReportModel(s, seeded.theCase.id);
    expect(model.integrity.evidenceOk).toBe(false);
    expect(model.evidence.map((e) => e.verification.status)).toEqual(['mismatch', 'missing']);
    expect(model.integrity.problems[0]).toMatch(/MISMATCH/);
    const html = await exportReport(s, { caseName: seeded.theCase.name, format: 'html', out: join(dir, 'r.html') });
    const text = readFileSync(html.files[0]!.path, 'utf8');
    expect(text).toContain('EVIDENCE INTEGRITY WARNING');
    expect(text).toContain('0.912<br><small>support 0.422</small>');
    expect(text).toContain(model.evidence[0]!.verification.actualSha256!);
    const csv = readFileSync((await exportReport(s, { caseName: seeded.theCase.name, format: 'csv', out: join(dir, 'r.csv') })).files[0]!.path, 'utf8');
    expect(csv).toContain(',mismatch,');
  });
});

describe('index warnings', () => {
  it('lists each evidence\'s index warnings in full (model, HTML, JSON), and nothing when there are none', async () => {
    const s = setup();
    const seeded = await seedReportCase(s, dir, { hostile: true });
    const [e1, e2] = seeded.evidence;
    const plain = readFileSync((await exportReport(s, { caseName: seeded.theCase.name, format: 'html', out: join(dir, 'plain.html') })).files[0]!.path, 'utf8');
    expect(plain).not.toContain('Index warnings');
    expect(plain).not.toContain(esc(INDEX_WARNINGS_NOTE));

    const warnings = [...indexWarningsFor(e1!.videoPath), `odd ffmpeg line ${INJECTIONS[0]}`];
    const warned = addIndex(s, e1!, 'f3a9c1e07b5d42a8' + '0'.repeat(48), warnings);
    addIndex(s, e2!, 'f3a9c1e07b5d42a8' + '0'.repeat(48)); // clean: not listed
    const model = await buildReportModel(s, seeded.theCase.id);
    expect(model.evidence.map((e) => e.indexWarnings)).toEqual([
      [{ indexId: warned.id, modelHash: warned.modelHash, samplingFps: 5, warnings }],
      [],
    ]);

    const html = readFileSync((await exportReport(s, { caseName: seeded.theCase.name, format: 'html', out: join(dir, 'r.html') })).files[0]!.path, 'utf8');
    expect(html).toContain(esc(INDEX_WARNINGS_NOTE));
    expect(html.match(/<b>Index warnings<\/b>/g)).toHaveLength(1);
    expect(html).toContain(`index #${warned.id} (model f3a9c1e07b5d…, 5 frames/s)`);
    for (const w of warnings) expect(html).toContain(`<li>${esc(w)}</li>`);
    expect(html).not.toMatch(/<script/i);
    // The warnings row sits under its own evidence's row, before the next evidence.
    const at = (t: string) => html.indexOf(t);
    expect(at(esc(warnings[0]!))).toBeGreaterThan(at(e1!.sha256));
    expect(at(esc(warnings[0]!))).toBeLessThan(at(e2!.sha256));

    const json = JSON.parse(readFileSync((await exportReport(s, { caseName: seeded.theCase.name, format: 'json', out: join(dir, 'r.json') })).files[0]!.path, 'utf8')) as { evidence: { indexWarnings: unknown[] }[] };
    expect(json.evidence[0]!.indexWarnings).toEqual([{ indexId: warned.id, modelHash: warned.modelHash, samplingFps: 5, warnings }]);
    expect(json.evidence[1]!.indexWarnings).toEqual([]);
  });
});

describe('what each search read', () => {
  it('states each evidence item\'s index, rate and storage, evidence that was not searched, and when it was not recorded', async () => {
    const s = setup();
    const seeded = await seedReportCase(s, dir);
    const [e1, e2] = seeded.evidence;
    // A later search that found no index of the second video, and one recorded the old way (nothing said).
    recordSearch(s, seeded.theCase.id, {
      queryText: 'man in black', querySlots: { gender: 0 }, modelHash: 'a'.repeat(64), thresholds: { confidence: 0.2 }, scope: 'all', sightings: [],
      evidenceSearched: [{ evidenceId: e1!.id, index: { id: 3, samplingFps: 2, frames: 8, storage: 'float16', reranker: { sha256: 'c'.repeat(64), alpha: 1.5, top: 30 } } }, { evidenceId: e2!.id, index: null }],
    });
    recordSearch(s, seeded.theCase.id, { queryText: 'old', querySlots: {}, modelHash: 'a'.repeat(64), thresholds: {}, scope: 'all', sightings: [] });
    // A re-ranker with a crop network and a box refiner: each is named by its own hash (the network with its weight).
    recordSearch(s, seeded.theCase.id, {
      queryText: 'woman in red', querySlots: { gender: 1 }, modelHash: 'a'.repeat(64), thresholds: { confidence: 0.2 }, scope: 'all', sightings: [],
      evidenceSearched: [{ evidenceId: e1!.id, index: { id: 3, samplingFps: 2, frames: 8, storage: 'float16', reranker: { sha256: 'c'.repeat(64), alpha: 1, top: 30, cropNet: { sha256: 'e'.repeat(64), weight: 0.3 }, boxRefiner: { sha256: 'f'.repeat(64) } } } }],
    });
    const model = await buildReportModel(s, seeded.theCase.id);
    expect(model.searches.map((x) => x.evidenceSearched?.map((e) => e.index?.storage ?? null) ?? null)).toEqual([['pca', 'float16'], ['float16', null], null, ['float16']]);

    const html = readFileSync((await exportReport(s, { caseName: seeded.theCase.name, format: 'html', out: join(dir, 'r.html') })).files[0]!.path, 'utf8');
    const blocks = html.split('<h3>Search #').slice(1);
    expect(blocks).toHaveLength(4);
    expect(blocks[0]).toContain(`#${e1!.id} C1_quay_north.mp4: index #1, 20 frames at 5 frames/s, compressed features (32 of 256 dimensions kept)<br>`
      + `#${e2!.id} C2_entrance.mp4: index #2, 20 frames at 5 frames/s, exact features (16-bit)`);
    expect(blocks[1]).toContain(`#${e2!.id} C2_entrance.mp4: NOT SEARCHED (no complete index for this model)`);
    // The re-ranker that reordered the sightings is named by its hash, with α and how many it re-scored.
    expect(blocks[1]).toContain(`exact features (16-bit), best 30 sightings re-ranked by peak-box colours (re-ranker sha256 cccccccccccc…, α 1.5)`);
    expect(blocks[0]).not.toContain('re-ranked');
    expect(blocks[2]).toContain('Evidence searched</dt><dd>not recorded');
    expect(blocks[3]).toContain('best 30 sightings re-ranked by peak-box colours and attributes (re-ranker sha256 cccccccccccc…, α 1; crop network sha256 eeeeeeeeeeee…, weight 0.3; peak boxes refined by box refiner sha256 ffffffffffff…)');

    const json = JSON.parse(readFileSync((await exportReport(s, { caseName: seeded.theCase.name, format: 'json', out: join(dir, 'r.json') })).files[0]!.path, 'utf8')) as { searches: { evidenceSearched: unknown }[] };
    expect(json.searches[1]!.evidenceSearched).toEqual([{ evidenceId: e1!.id, index: { id: 3, samplingFps: 2, frames: 8, storage: 'float16', reranker: { sha256: 'c'.repeat(64), alpha: 1.5, top: 30 } } }, { evidenceId: e2!.id, index: null }]);
    expect(json.searches[2]!.evidenceSearched).toBeNull();
  });
});

describe('HTML report', () => {
  it('escapes every user-provided string (case name, file names, notes, query, camera)', async () => {
    const s = setup();
    const seeded = await seedReportCase(s, dir, { hostile: true });
    const { files } = await exportReport(s, { caseName: seeded.theCase.name, format: 'html', out: join(dir, 'out', 'report.html'), scope: 'all' });
    const html = readFileSync(files[0]!.path, 'utf8');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img src=x/i);
    // Escaped text may still read "onerror=", but no real tag carries an event-handler attribute.
    const realTags = [...html.matchAll(/<[a-zA-Z][^>]*>/g)].map((m) => m[0]);
    expect(realTags.filter((t) => /\son[a-z]+\s*=/i.test(t))).toEqual([]);
    expect(html).not.toMatch(/' onmouseover='/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(2)&gt;');
    expect(html).toContain('&#39; onmouseover=&#39;alert(3)');
    expect(html).toContain('北京');
    expect(html).toContain("Content-Security-Policy");
    // Only our own tags: every '<' starts a known element.
    const tags = new Set([...html.matchAll(/<\/?([a-zA-Z0-9!]+)/g)].map((m) => m[1]!.toLowerCase()));
    for (const t of tags) expect(['!doctype', 'html', 'head', 'meta', 'title', 'style', 'body', 'main', 'header', 'div', 'h1', 'h2', 'h3', 'dl', 'dt', 'dd', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'br', 'span', 'small', 'b', 'img', 'p', 'ul', 'li', 'code', 'footer']).toContain(t);
    expect([...html.matchAll(/<img [^>]*>/g)].every((m) => /src="data:image\/png;base64,[A-Za-z0-9+/=]+"/.test(m[0]))).toBe(true);
  });
});

describe('thumbnail time', () => {
  it('says which moment each thumbnail shows: the peak, another time, or unknown', async () => {
    expect(describeThumbnailTime({ peakS: 2.4, thumbnailS: 2.4 })).toBe('peak frame');
    expect(describeThumbnailTime({ peakS: 1.0, thumbnailS: 0.4 })).toBe('at 00:00:00.400, 0.6 s before the peak');
    expect(describeThumbnailTime({ peakS: 1.0, thumbnailS: 1.2 })).toBe('at 00:00:01.200, 0.2 s after the peak');
    expect(describeThumbnailTime({ peakS: 1.0, thumbnailS: null })).toBe('time not recorded');
    const s = setup();
    const seeded = await seedReportCase(s, dir);
    const model = await buildReportModel(s, seeded.theCase.id);
    expect(model.sightings.map((x) => [x.thumbnailS, x.thumbnailBox])).toEqual([[0.4, [180, 100, 240, 280]], [null, null]]);
    const { files } = await exportReport(s, { caseName: seeded.theCase.name, format: 'html', out: join(dir, 'r.html') });
    const html = readFileSync(files[0]!.path, 'utf8');
    expect(html).toContain('<th>Thumbnail</th>');
    expect(html).not.toContain('Peak frame');
    expect(html).toContain('<small>at 00:00:00.400, 0.6 s before the peak</small>');
    expect(html).toContain('<small>time not recorded</small>');
    const json = JSON.parse(readFileSync((await exportReport(s, { caseName: seeded.theCase.name, format: 'json', out: join(dir, 'r.json') })).files[0]!.path, 'utf8')) as { sightings: Record<string, unknown>[] };
    expect(json.sightings[0]).toMatchObject({ thumbnailS: 0.4, thumbnailBox: [180, 100, 240, 280] });
  });
});

describe('CSV, JSON and AVSS exports', () => {
  it('CSV quotes fields and defuses spreadsheet formulas', async () => {
    expect(csvText('=1+1')).toBe("'=1+1");
    expect(csvText('a,"b"')).toBe('"a,""b"""');
    const s = setup();
    const seeded = await seedReportCase(s, dir, { hostile: true });
    const { files } = await exportReport(s, { caseName: seeded.theCase.name, format: 'csv', out: join(dir, 'r.csv'), scope: 'all' });
    const csv = readFileSync(files[0]!.path, 'utf8');
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^case,search_id,query_text/);
    expect(lines).toHaveLength(4);
    expect(csv).toContain(`"'${INJECTIONS[3]!.replace(/"/g, '""')}"`);
    // The last columns: the index the search read for the sighting's video, then the sighting's support
    // ((0.912 + 0.7 + 0.5) / 5; empty where the stored track has no per-frame scores).
    expect(lines[0]).toMatch(/,decision_note,index_id,index_sampling_fps,index_storage,support$/);
    expect(lines[1]).toMatch(/,1,5,compressed features \(32 of 256 dimensions kept\),0\.422$/);
    expect(lines[2]).toMatch(/,2,5,exact features \(16-bit\),$/);
  });

  it('JSON holds the model without thumbnail bytes', async () => {
    const s = setup();
    const seeded = await seedReportCase(s, dir);
    const { files } = await exportReport(s, { caseName: seeded.theCase.name, format: 'json', out: join(dir, 'r.json') });
    const json = JSON.parse(readFileSync(files[0]!.path, 'utf8')) as { format: string; sightings: Record<string, unknown>[]; searches: { modelHash: string }[] };
    expect(json.format).toBe('fastpr-match-report');
    expect(json.sightings[0]!.thumbnailPng).toBeUndefined();
    expect(json.sightings[0]!.thumbnailSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(json.searches[0]!.modelHash).toMatch(/^f3a9/);
  });

  it('AVSS: one CSV per video, a row per frame, interpolated inclusive boxes, -1 elsewhere', async () => {
    const s = setup();
    const seeded = await seedReportCase(s, dir);
    const { files } = await exportReport(s, { caseName: seeded.theCase.name, format: 'avss', out: join(dir, 'avss') });
    expect(readdirSync(join(dir, 'avss')).sort()).toEqual(['C1_quay_north.txt', 'C2_entrance.txt']);
    const c1 = readFileSync(join(dir, 'avss', 'C1_quay_north.txt'), 'utf8').trimEnd().split('\n');
    expect(c1[0]).toBe('frame,left,top,right,bottom');
    expect(c1).toHaveLength(1 + 20); // 4 s at 5 fps
    expect(c1[1]).toBe('0,-1,-1,-1,-1');
    expect(c1[1 + 2]).toBe('2,180,100,239,279'); // t=0.4: first track point, right/bottom made inclusive
    expect(c1[1 + 4]).toBe('4,193,100,252,279'); // t=0.8: interpolated between 180 and 200
    expect(c1[1 + 17]).toBe('17,-1,-1,-1,-1'); // the rejected sighting (3.2-3.6 s) is not confirmed
    expect(boxAt({ track: [], peakBox: [1, 2, 3, 4] }, 9)).toEqual([1, 2, 3, 4]);
    expect(files).toHaveLength(2);
  });
});

describe('export records', () => {
  it('writes atomically and records each file with its SHA-256 in exports and the audit log', async () => {
    const s = setup();
    const seeded = await seedReportCase(s, dir);
    const out = join(dir, 'exports');
    for (const format of ['html', 'csv', 'json'] as const) await exportReport(s, { caseName: seeded.theCase.name, format, out: join(out, `r.${format}`) });
    expect(readdirSync(out).filter((f) => f.includes('.tmp-'))).toEqual([]);
    const rows = listExports(s, seeded.theCase.id);
    expect(rows.map((r) => r.kind)).toEqual(['report.html', 'report.csv', 'report.json']);
    for (const r of rows) expect(r.sha256).toBe(sha(readFileSync(r.path)));
    const audited = listAudit(s.db).filter((e) => e.action === 'export.written').map((e) => (e.payload as { sha256: string }).sha256);
    expect(audited).toEqual(rows.map((r) => r.sha256));
    expect(verifyAuditChain(s.db).ok).toBe(true);
    await expect(exportReport(s, { caseName: 'nope', format: 'csv', out: join(out, 'x.csv') })).rejects.toThrow(/no case named/);
    await expect(exportReport(s, { caseName: seeded.theCase.name, format: 'docx' as never, out: join(out, 'x.docx') })).rejects.toThrow(/unknown report format/);
  });

  it('a closed case can still be exported (and re-verified), but no longer changed', async () => {
    const s = setup();
    const seeded = await seedReportCase(s, dir);
    const { closeCase } = await import('../store/cases');
    closeCase(s, seeded.theCase.id);
    const { files, model } = await exportReport(s, { caseId: seeded.theCase.id, format: 'json', out: join(dir, 'closed.json') });
    expect(files).toHaveLength(1);
    expect(model.case.status).toBe('closed');
    expect(verifyAuditChain(s.db).ok).toBe(true);
  });
});
