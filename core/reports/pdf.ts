/** The PDF match report (pdf-lib, standard fonts, PNG thumbnails embedded). */
import type { PDFImage } from 'pdf-lib';
import { fileNameOf, type ReportModel } from './model';
import {
  decisionLabel, describeEvidenceSearched, describeIndex, describeScope, describeSlots, describeThresholds, describeThumbnailTime, formatBox, formatBytes, formatSeconds,
  INDEX_WARNINGS_NOTE, shortTime, supportText, verificationLabel,
} from './describe';
import { COLOURS, PdfLayout, type Cell } from './pdfLayout';

export interface RenderedPdf { bytes: Uint8Array; pages: number; replacedCharacters: number }

function titleBlock(l: PdfLayout, m: ReportModel, replaced: number): void {
  l.paragraph('FORENSIC VIDEO SEARCH  -  MATCH REPORT', { font: 'bold', size: 8.5, colour: COLOURS.muted, gap: 0 });
  l.paragraph(m.case.name, { font: 'bold', size: 20, colour: COLOURS.navy, gap: 2 });
  l.page.drawLine({ start: { x: 50, y: l.y }, end: { x: 50 + l.width, y: l.y }, thickness: 2, color: COLOURS.navy });
  l.y -= 8;
  l.keyValues([
    ['Case', `#${m.case.id}, ${m.case.status}; opened ${m.case.createdAt}${m.case.closedAt ? `; closed ${m.case.closedAt}` : ''}`],
    ['Report generated', `${m.generatedAt} by ${m.generatedBy}`],
    ['Tool', `${m.tool.name} ${m.tool.version}`],
    ['Sightings included', `${m.scope === 'confirmed' ? 'confirmed by a reviewer only' : 'all sightings, with their review state'} (${m.sightings.length})`],
    ['Evidence files', `${m.evidence.length}`],
    ['Audit chain head', `#${m.audit.headSeq}  ${m.audit.headHash}`, 'mono'],
  ]);
  if (m.integrity.evidenceOk) {
    l.banner('Evidence integrity: verified', [`All ${m.evidence.length} evidence file(s) were re-hashed at export; every SHA-256 matches the hash recorded at import.`], 'ok');
  } else {
    l.banner(`EVIDENCE INTEGRITY WARNING - ${m.integrity.problems.length} of ${m.evidence.length} file(s) failed re-verification`, m.integrity.problems, 'bad');
  }
  if (m.audit.ok) l.banner('Audit log: chain intact', [`${m.audit.entries} entries verified; each entry's hash covers the previous one.`], 'ok');
  else l.banner(`AUDIT LOG BROKEN at entry #${m.audit.brokenAt?.seq}`, [m.audit.brokenAt?.reason ?? ''], 'bad');
  if (replaced > 0) {
    l.paragraph(`Note: ${replaced} character(s) outside the PDF standard font set (WinAnsi) are shown simplified or as '?'. The HTML and JSON exports of this report hold the exact text.`,
      { size: 8.5, colour: COLOURS.bad });
  }
}

function evidenceTable(l: PdfLayout, m: ReportModel): void {
  l.heading('Evidence');
  if (m.evidence.length === 0) { l.paragraph('No evidence in this case.'); return; }
  l.table(
    [{ title: '#', width: 22 }, { title: 'File / camera', width: 112 }, { title: 'Duration / format / size', width: 94 },
      { title: 'SHA-256 at import', width: 152, font: 'mono', size: 7.2 }, { title: 'Re-verified at export', width: l.width - 380, size: 7.8 }],
    m.evidence.map((e): Cell[] => {
      const ok = e.verification.status === 'match';
      return [
        { text: `${e.id}` },
        { text: `${e.fileName}\n${e.cameraLabel ? `camera ${e.cameraLabel}` : 'no camera label'}; offset ${e.timeOffsetS} s\nimported ${shortTime(e.importedAt)}` },
        { text: `${e.durationS !== null ? formatSeconds(e.durationS) : '-'}\n${e.width && e.height ? `${e.width} x ${e.height}` : '-'}${e.fps ? ` @ ${e.fps} fps` : ''}\n${formatBytes(e.sizeBytes)}` },
        { text: e.sha256 },
        { text: `${verificationLabel(e.verification.status)}\n${shortTime(e.verification.checkedAt)}${!ok && e.verification.actualSha256 ? `\nnow: ${e.verification.actualSha256}` : ''}`, font: ok ? 'regular' : 'bold', colour: ok ? COLOURS.ok : COLOURS.bad },
      ];
    }),
  );
  // Each fingerprint on one unbroken line, so it can be compared or copied without reassembly.
  l.subheading('Evidence fingerprints (SHA-256 recorded at import) and locations');
  for (const e of m.evidence) {
    l.paragraph(`#${e.id}  ${e.sha256}`, { font: 'mono', size: 7.8, gap: 0 });
    l.paragraph(`    ${e.videoPath}`, { font: 'mono', size: 7.2, colour: COLOURS.muted, gap: 3 });
  }
  const warned = m.evidence.filter((e) => e.indexWarnings.length > 0);
  if (warned.length === 0) return;
  l.subheading('Index warnings');
  l.paragraph(INDEX_WARNINGS_NOTE, { size: 8.5, colour: COLOURS.muted, gap: 3 });
  for (const e of warned) {
    for (const w of e.indexWarnings) {
      l.paragraph(`#${e.id} ${e.fileName}, ${describeIndex(w)}:`, { font: 'bold', size: 8.5, gap: 1 });
      for (const t of w.warnings) l.paragraph(`- ${t}`, { size: 8, indent: 10, gap: 1 });
    }
  }
}

function searches(l: PdfLayout, m: ReportModel): void {
  l.heading('Searches');
  if (m.searches.length === 0) { l.paragraph('No searches were run in this case.'); return; }
  for (const s of m.searches) {
    l.subheading(`Search #${s.id}  -  ${s.createdAt} by ${s.actor}`);
    l.keyValues([
      ['Query as typed', s.queryText || '(form only)'],
      ['Query as slots', describeSlots(s.querySlots).join('; ')],
      ['Model hash', s.modelHash, 'mono'],
      ['Thresholds', describeThresholds(s.thresholds)],
      ['Scope', describeScope(s.scope)],
      ['Evidence searched', describeEvidenceSearched(s.evidenceSearched, (id) => fileNameOf(m, id)).join('; ')],
      ['Sightings returned', String(s.sightingsReturned)],
    ]);
  }
}

async function sightingsTable(l: PdfLayout, m: ReportModel): Promise<void> {
  l.heading(m.scope === 'confirmed' ? 'Confirmed sightings' : 'Sightings', m.sightings.length ? 120 : 40);
  if (m.sightings.length === 0) { l.paragraph(m.scope === 'confirmed' ? 'No sighting has been confirmed by a reviewer.' : 'No sightings.'); return; }
  const images = new Map<number, PDFImage>();
  for (const s of m.sightings) {
    if (!s.thumbnailPng) continue;
    try { images.set(s.id, await l.doc.embedPng(s.thumbnailPng)); } catch { /* unreadable PNG: the row says so */ }
  }
  l.table(
    [{ title: 'Thumbnail', width: 74 }, { title: 'Sighting', width: 62 }, { title: 'Video / time (video clock)', width: 120 },
      { title: 'Peak box l,t,r,b', width: 70, font: 'mono', size: 7.5 }, { title: 'Score', width: 38 }, { title: 'Review', width: l.width - 364 }],
    m.sightings.map((s): Cell[] => {
      const img = images.get(s.id);
      const review = s.history.map((d) => `${decisionLabel(d)} by ${d.reviewer}, ${shortTime(d.decidedAt)}${d.note ? `: ${d.note}` : ''}`).join('\n');
      const latest = s.decision?.decision;
      return [
        img ? { image: img, imageMax: 80, text: describeThumbnailTime(s), size: 6.5 } : { text: s.thumbnailPng ? '(unreadable image)' : '(no thumbnail)', colour: COLOURS.muted },
        { text: `#${s.id}\nsearch #${s.searchId}\nrank ${s.rank}` },
        { text: `${s.videoFileName}\n${formatSeconds(s.startS)} -\n${formatSeconds(s.endS)}\npeak ${formatSeconds(s.peakS)}` },
        { text: formatBox(s.peakBox) },
        { text: [s.score.toFixed(3), supportText(s.track)].filter(Boolean).join('\nsupp. ') },
        { text: `${decisionLabel(s.decision)}${review ? `\n${review}` : ''}`, colour: latest === 'confirm' ? COLOURS.ok : latest === 'reject' ? COLOURS.bad : COLOURS.ink },
      ];
    }),
  );
}

function notesAndAudit(l: PdfLayout, m: ReportModel): void {
  l.heading('Case notes');
  if (m.notes.length === 0) l.paragraph('No notes.');
  else l.table([{ title: 'Time', width: 118 }, { title: 'Author', width: 92 }, { title: 'Note', width: l.width - 210 }],
    m.notes.map((n) => [{ text: shortTime(n.createdAt) }, { text: n.author }, { text: n.text }]));
  l.heading('Audit log');
  l.keyValues([
    ['Entries', String(m.audit.entries)],
    ['Head entry', `#${m.audit.headSeq}`],
    ['Head hash', m.audit.headHash, 'mono'],
    ['Verification', m.audit.ok ? 'chain intact' : `broken at #${m.audit.brokenAt?.seq}: ${m.audit.brokenAt?.reason}`],
  ]);
  l.paragraph('Each audit entry stores SHA-256(previous hash || canonical JSON of the entry). The SHA-256 of this report file is appended to the log (action "export.written") before the file appears under its name. To check later that the log still contains, unchanged, everything this report was based on, run:',
    { size: 8.5, colour: COLOURS.muted, gap: 2 });
  l.paragraph(`fastpr audit verify --anchor ${m.audit.headSeq}:${m.audit.headHash}`, { font: 'mono', size: 7.2 });
}

export async function renderPdf(m: ReportModel): Promise<RenderedPdf> {
  const l = await PdfLayout.create(`Match report  -  ${m.case.name}  -  generated ${m.generatedAt}`);
  const replaced = l.sanitizer.count(m);
  l.doc.setTitle(`Match report - ${m.case.name}`);
  l.doc.setSubject(`FastPR match report for case ${m.case.name}`);
  l.doc.setAuthor(m.generatedBy);
  l.doc.setCreator(`${m.tool.name} ${m.tool.version}`);
  l.doc.setProducer(`${m.tool.name} ${m.tool.version} (pdf-lib)`);
  const generated = new Date(m.generatedAt);
  l.doc.setCreationDate(generated);
  l.doc.setModificationDate(generated);
  titleBlock(l, m, replaced);
  evidenceTable(l, m);
  searches(l, m);
  await sightingsTable(l, m);
  notesAndAudit(l, m);
  l.finish(`${m.tool.name} ${m.tool.version}  -  case "${m.case.name}"  -  ${m.generatedAt}`);
  const bytes = await l.doc.save();
  return { bytes, pages: l.doc.getPageCount(), replacedCharacters: replaced };
}
