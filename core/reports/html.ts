/**
 * Self-contained HTML report (inline CSS, thumbnails as data: URIs, no scripts). Every string
 * that came from a user or a file name goes through esc(); a CSP forbids scripts outright as a
 * second line of defence.
 */
import { Buffer } from 'node:buffer';
import { fileNameOf, type ReportEvidence, type ReportModel, type ReportSighting } from './model';
import {
  decisionLabel, describeEvidenceSearched, describeIndex, describeScope, describeSlots, describeThresholds, describeThumbnailTime, formatBox, formatBytes, formatSeconds,
  INDEX_WARNINGS_NOTE, supportText, verificationLabel,
} from './describe';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };
export function esc(v: unknown): string {
  return String(v ?? '').replace(/[&<>"'`]/g, (c) => ESCAPES[c]!);
}

const CSS = `
body{font:13px/1.45 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#1b1f24;margin:0;background:#eef0f3}
main{max-width:1000px;margin:0 auto;background:#fff;padding:32px 40px 48px}
header{border-bottom:3px solid #1f3a5f;padding-bottom:12px;margin-bottom:20px}
.kicker{font-size:11px;letter-spacing:.12em;text-transform:uppercase;color:#5a6573}
h1{font-size:24px;margin:4px 0 0;color:#1f3a5f}h2{font-size:16px;color:#1f3a5f;border-bottom:1px solid #c9d1db;padding-bottom:4px;margin-top:28px}
table{border-collapse:collapse;width:100%;margin:8px 0}th,td{border:1px solid #c9d1db;padding:5px 7px;text-align:left;vertical-align:top}
th{background:#e6ebf1;font-weight:600}dl{display:grid;grid-template-columns:190px 1fr;gap:3px 12px;margin:8px 0}dt{color:#5a6573}dd{margin:0}
.mono,code{font-family:"DejaVu Sans Mono",Consolas,Menlo,monospace;font-size:12px;word-break:break-all}
.ok{color:#155d27;font-weight:600}.bad{color:#a4161a;font-weight:700}
.banner{padding:10px 14px;border-radius:4px;margin:12px 0;font-weight:600}.banner.ok{background:#e3f3e6;border:1px solid #6fb27c}
.banner.bad{background:#fde4e4;border:2px solid #a4161a}.thumb{max-width:120px;max-height:120px;border:1px solid #c9d1db}
.note{white-space:pre-wrap}.warn{color:#7a4b00}.warn ul{margin:4px 0 0;padding-left:18px}.warn li{overflow-wrap:anywhere}footer{margin-top:32px;font-size:11px;color:#5a6573;border-top:1px solid #c9d1db;padding-top:8px}
`;

/** A row under the evidence's own for each of its indexes built with warnings, every warning in full. */
function indexWarningRows(e: ReportEvidence): string {
  return e.indexWarnings.map((w) => `
<tr class="warn"><td></td><td colspan="5"><b>Index warnings</b>, ${esc(describeIndex(w))}:<ul>${w.warnings.map((t) => `<li>${esc(t)}</li>`).join('')}</ul></td></tr>`).join('');
}

function evidenceSection(m: ReportModel): string {
  const rows = m.evidence.map((e) => `<tr>
<td>#${e.id}</td><td>${esc(e.fileName)}<br><span class="mono">${esc(e.videoPath)}</span></td><td>${esc(e.cameraLabel ?? '—')}<br>offset ${esc(e.timeOffsetS)} s</td>
<td>${e.durationS !== null ? esc(formatSeconds(e.durationS)) : '—'}<br>${e.width && e.height ? `${e.width}×${e.height}` : '—'}${e.fps ? ` @ ${esc(e.fps)} fps` : ''}<br>${esc(formatBytes(e.sizeBytes))}</td>
<td class="mono">${esc(e.sha256)}${e.verification.actualSha256 && e.verification.actualSha256 !== e.sha256 ? `<br><span class="bad">now: ${esc(e.verification.actualSha256)}</span>` : ''}</td>
<td class="${e.verification.status === 'match' ? 'ok' : 'bad'}">${esc(verificationLabel(e.verification.status))}<br><small>${esc(e.verification.checkedAt)}</small></td></tr>${indexWarningRows(e)}`).join('\n');
  const warned = m.evidence.some((e) => e.indexWarnings.length > 0);
  return `<h2>Evidence</h2>${warned ? `<p class="warn">${esc(INDEX_WARNINGS_NOTE)}</p>` : ''}<table><thead><tr><th>#</th><th>File</th><th>Camera</th><th>Duration / format / size</th><th>SHA-256 recorded at import</th><th>Re-verified at export</th></tr></thead>
<tbody>${rows || '<tr><td colspan="6">No evidence in this case.</td></tr>'}</tbody></table>`;
}

function searchesSection(m: ReportModel): string {
  const blocks = m.searches.map((s) => `<h3>Search #${s.id}</h3><dl>
<dt>Query as typed</dt><dd>${esc(s.queryText || '(form only)')}</dd>
<dt>Query as slots</dt><dd>${describeSlots(s.querySlots).map(esc).join('<br>')}</dd>
<dt>Model hash</dt><dd class="mono">${esc(s.modelHash)}</dd>
<dt>Thresholds</dt><dd>${esc(describeThresholds(s.thresholds))}</dd>
<dt>Scope</dt><dd>${esc(describeScope(s.scope))}</dd>
<dt>Evidence searched</dt><dd>${describeEvidenceSearched(s.evidenceSearched, (id) => fileNameOf(m, id)).map(esc).join('<br>')}</dd>
<dt>Run</dt><dd>${esc(s.createdAt)} by ${esc(s.actor)}; ${s.sightingsReturned} sighting(s) returned</dd></dl>`).join('\n');
  return `<h2>Searches</h2>${blocks || '<p>No searches were run.</p>'}`;
}

function sightingRow(s: ReportSighting): string {
  const support = supportText(s.track);
  const thumb = s.thumbnailPng
    ? `<img class="thumb" alt="sighting ${s.id}" src="data:image/png;base64,${Buffer.from(s.thumbnailPng).toString('base64')}"><br><small>${esc(describeThumbnailTime(s))}</small>`
    : '—';
  const history = s.history.map((d) => `${esc(decisionLabel(d))} by ${esc(d.reviewer)} at ${esc(d.decidedAt)}${d.note ? `: <span class="note">${esc(d.note)}</span>` : ''}`).join('<br>');
  return `<tr><td>${thumb}</td><td>#${s.id}<br>search #${s.searchId}, rank ${s.rank}</td><td>${esc(s.videoFileName)}</td>
<td>${esc(formatSeconds(s.startS))} – ${esc(formatSeconds(s.endS))}<br>peak ${esc(formatSeconds(s.peakS))}</td><td class="mono">${esc(formatBox(s.peakBox))}</td>
<td>${s.score.toFixed(3)}${support ? `<br><small>support ${support}</small>` : ''}</td><td><b>${esc(decisionLabel(s.decision))}</b>${history ? `<br><small>${history}</small>` : ''}</td></tr>`;
}

export function renderHtml(m: ReportModel): string {
  const integrity = m.integrity.evidenceOk
    ? `<div class="banner ok">All ${m.evidence.length} evidence file(s) re-verified at export: SHA-256 matches the hash recorded at import.</div>`
    : `<div class="banner bad">EVIDENCE INTEGRITY WARNING — ${m.integrity.problems.length} of ${m.evidence.length} file(s) failed re-verification:<ul>${m.integrity.problems.map((p) => `<li>${esc(p)}</li>`).join('')}</ul></div>`;
  const audit = m.audit.ok
    ? `<div class="banner ok">Audit chain verified: ${m.audit.entries} entries, unbroken.</div>`
    : `<div class="banner bad">AUDIT CHAIN BROKEN at entry ${m.audit.brokenAt?.seq}: ${esc(m.audit.brokenAt?.reason)}</div>`;
  const notes = m.notes.map((n) => `<tr><td>${esc(n.createdAt)}</td><td>${esc(n.author)}</td><td class="note">${esc(n.text)}</td></tr>`).join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Match report — ${esc(m.case.name)}</title><style>${CSS}</style></head>
<body><main>
<header><div class="kicker">Forensic video search · Match report</div><h1>${esc(m.case.name)}</h1></header>
<dl><dt>Case</dt><dd>#${m.case.id} · ${esc(m.case.status)} · opened ${esc(m.case.createdAt)}${m.case.closedAt ? ` · closed ${esc(m.case.closedAt)}` : ''}</dd>
<dt>Report generated</dt><dd>${esc(m.generatedAt)} by ${esc(m.generatedBy)}</dd>
<dt>Tool</dt><dd>${esc(m.tool.name)} ${esc(m.tool.version)}</dd>
<dt>Sightings included</dt><dd>${m.scope === 'confirmed' ? 'confirmed by a reviewer only' : 'all sightings, with their review state'} (${m.sightings.length})</dd>
<dt>Audit chain head</dt><dd class="mono">#${m.audit.headSeq} ${esc(m.audit.headHash)}</dd></dl>
${integrity}${audit}
${evidenceSection(m)}
${searchesSection(m)}
<h2>Sightings</h2><table><thead><tr><th>Thumbnail</th><th>Sighting</th><th>Video</th><th>Time (video clock)</th><th>Peak box [l, t, r, b] px</th><th>Score (peak; support = what the search ranked by)</th><th>Review</th></tr></thead>
<tbody>${m.sightings.map(sightingRow).join('\n') || `<tr><td colspan="7">No ${m.scope === 'confirmed' ? 'confirmed ' : ''}sightings.</td></tr>`}</tbody></table>
<h2>Case notes</h2>${notes ? `<table><thead><tr><th>Time</th><th>Author</th><th>Note</th></tr></thead><tbody>${notes}</tbody></table>` : '<p>No notes.</p>'}
<h2>Audit</h2><dl><dt>Entries</dt><dd>${m.audit.entries}</dd><dt>Head hash</dt><dd class="mono">${esc(m.audit.headHash)}</dd>
<dt>Verification</dt><dd class="${m.audit.ok ? 'ok' : 'bad'}">${m.audit.ok ? 'chain intact' : `broken at #${m.audit.brokenAt?.seq}: ${esc(m.audit.brokenAt?.reason)}`}</dd></dl>
<p>This file's own SHA-256 is recorded in the case's audit log (action <code>export.written</code>) before it appears under its name.
To check later that the log still holds, unchanged, everything this report was based on, run:<br><code>fastpr audit verify --anchor ${m.audit.headSeq}:${esc(m.audit.headHash)}</code></p>
<footer>${esc(m.tool.name)} ${esc(m.tool.version)} · case “${esc(m.case.name)}” · generated ${esc(m.generatedAt)}</footer>
</main></body></html>
`;
}
