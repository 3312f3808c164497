import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../store/store';
import { exportReport } from './exportReport';
import { buildReportModel } from './model';
import { renderPdf } from './pdf';
import { addIndex, indexWarningsFor, seedReportCase } from './testFixture';

const ARTIFACTS = resolve(import.meta.dirname, '../../test-artifacts');
let dir = '';
let store: Store | undefined;
afterEach(() => { store?.close(); store = undefined; rmSync(dir, { recursive: true, force: true }); });
function setup() {
  dir = mkdtempSync(join(tmpdir(), 'fastpr-pdf-'));
  store = openStore(join(dir, 'data'), { actor: 'det.sgt.ann.okafor' });
  return store;
}
const pdfText = (file: string) => execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });

describe('PDF report', () => {
  it('holds the case, query, model hash, video hashes, decisions and audit head; page 1 rendered to PNG', async () => {
    const s = setup();
    const seeded = await seedReportCase(s, dir);
    const out = join(dir, 'report.pdf');
    const { files, model } = await exportReport(s, { caseName: seeded.theCase.name, format: 'pdf', out, scope: 'all' });
    expect(files[0]!.kind).toBe('report.pdf');
    expect(readFileSync(out).subarray(0, 5).toString()).toBe('%PDF-');
    const text = pdfText(out);
    expect(text).toContain('Harbour Road theft 2026-114');
    expect(text).toContain('woman, red long-sleeve top, blue trousers, backpack');
    expect(text).toContain('Torso colour = red (8)');
    for (const e of model.evidence) expect(text.replace(/\s+/g, '')).toContain(e.sha256);
    expect(text.replace(/\s+/g, '')).toContain(model.searches[0]!.modelHash);
    expect(text.replace(/\s+/g, '')).toContain(model.audit.headHash);
    // What the search read for each video: its index, rate and how the features were stored.
    expect(text.replace(/\s+/g, ' ')).toContain('C1_quay_north.mp4: index #1, 20 frames at 5 frames/s, compressed features (32 of 256 dimensions kept)');
    expect(text.replace(/\s+/g, ' ')).toContain('C2_entrance.mp4: index #2, 20 frames at 5 frames/s, exact features (16-bit)');
    expect(text).toContain('CONFIRMED');
    expect(text).toContain('REJECTED');
    expect(text).toMatch(/0\.912[\s\S]{0,200}supp\.[\s\S]{0,200}0\.422/); // the first sighting's support under its peak score (wrapped in the narrow column)
    expect(text).toContain('Evidence integrity: verified');
    expect(text).toMatch(/Page 1 of \d/);
    // Each thumbnail says which moment it shows (the index keeps one per second).
    expect(text).toContain('Thumbnail');
    expect(text).not.toContain('Peak frame');
    expect(text).toContain('00:00:00.400');
    expect(text).toMatch(/before the peak/);
    expect(text).toMatch(/time not recorded/);
    // Thumbnails are embedded as images.
    const images = execFileSync('pdfimages', ['-list', out], { encoding: 'utf8' }).trim().split('\n').slice(2);
    expect(images.length).toBe(2);

    mkdirSync(ARTIFACTS, { recursive: true });
    execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', '-singlefile', out, join(dir, 'page1')]);
    copyFileSync(join(dir, 'page1.png'), join(ARTIFACTS, 'report-page1.png'));
    copyFileSync(out, join(ARTIFACTS, 'report.pdf'));
    expect(readFileSync(join(ARTIFACTS, 'report-page1.png')).subarray(1, 4).toString()).toBe('PNG');
  });

  it('does not crash on non-Latin text and says which characters were replaced', async () => {
    const s = setup();
    const seeded = await seedReportCase(s, dir, { hostile: true });
    const model = await buildReportModel(s, seeded.theCase.id, { scope: 'all' });
    const pdf = await renderPdf(model);
    expect(pdf.replacedCharacters).toBeGreaterThan(5);
    const file = join(dir, 'hostile.pdf');
    const { files } = await exportReport(s, { caseName: seeded.theCase.name, format: 'pdf', out: file, scope: 'all' });
    expect(files).toHaveLength(1);
    const text = pdfText(file);
    expect(text).toMatch(/character\(s\) outside the PDF standard font set/);
    expect(text).toContain('Lódz'); // Łódź: WinAnsi has ó but not Ł or ź, which are simplified
    expect(text).toContain('<script>alert(1)</script>'); // shown literally: a PDF does not run it
    execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', '-singlefile', file, join(dir, 'hostile')]);
    mkdirSync(ARTIFACTS, { recursive: true });
    copyFileSync(join(dir, 'hostile.png'), join(ARTIFACTS, 'report-hostile-page1.png'));
  });

  it('lists index warnings under Evidence, each in full, only when there are some', async () => {
    const s = setup();
    const seeded = await seedReportCase(s, dir);
    const before = join(dir, 'before.pdf');
    await exportReport(s, { caseName: seeded.theCase.name, format: 'pdf', out: before });
    expect(pdfText(before)).not.toContain('Index warnings');
    const warnings = indexWarningsFor(seeded.evidence[1]!.videoPath);
    const idx = addIndex(s, seeded.evidence[1]!, 'ab12cd34ef56' + '0'.repeat(52), warnings);
    const out = join(dir, 'warned.pdf');
    await exportReport(s, { caseName: seeded.theCase.name, format: 'pdf', out });
    const text = pdfText(out);
    const flat = text.replace(/\s+/g, '');
    expect(text).toContain('Index warnings');
    expect(flat).toContain('weakevidencethatnobodywasthere');
    expect(flat).toContain(`#${seeded.evidence[1]!.id}C2_entrance.mp4,index#${idx.id}(modelab12cd34ef56…,5frames/s):`);
    for (const w of warnings) expect(flat).toContain(`-${w}`.replace(/\s+/g, ''));
  });

  it('flags an evidence hash mismatch in a red banner', async () => {
    const s = setup();
    const seeded = await seedReportCase(s, dir);
    rmSync(seeded.evidence[1]!.videoPath);
    const out = join(dir, 'mismatch.pdf');
    await exportReport(s, { caseName: seeded.theCase.name, format: 'pdf', out });
    const text = pdfText(out);
    expect(text).toContain('EVIDENCE INTEGRITY WARNING - 1 of 2 file(s) failed re-verification');
    expect(text).toContain('FILE MISSING');
    execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', '-singlefile', out, join(dir, 'mm')]);
    mkdirSync(ARTIFACTS, { recursive: true });
    copyFileSync(join(dir, 'mm.png'), join(ARTIFACTS, 'report-mismatch-page1.png'));
  });

  it('cuts a note longer than a page with a pointer to the full text, without hanging', async () => {
    const s = setup();
    const seeded = await seedReportCase(s, dir);
    const { addNote } = await import('../store/notes');
    addNote(s, seeded.theCase.id, `${'x'.repeat(15000)} ${'word '.repeat(800)}`);
    const out = join(dir, 'long.pdf');
    await exportReport(s, { caseName: seeded.theCase.name, format: 'pdf', out });
    expect(pdfText(out)).toContain('[... truncated; full text in the HTML/JSON export]');
  });
});
