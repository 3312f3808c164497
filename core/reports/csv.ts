/** CSV: one row per reported sighting, with its search, video, hash state and decision. */
import type { ReportModel } from './model';
import { describeSlots, describeStorage, describeThresholds, supportText } from './describe';

/**
 * RFC 4180 quoting; text that a spreadsheet would run as a formula (= + - @ tab CR) gets a
 * leading apostrophe, so a crafted case name or note cannot execute when the CSV is opened.
 */
export function csvText(v: string): string {
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
const num = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? '' : String(v));

export const CSV_COLUMNS = [
  'case', 'search_id', 'query_text', 'query_slots', 'model_hash', 'thresholds', 'sighting_id', 'rank',
  'evidence_id', 'video_path', 'video_sha256', 'video_verification', 'camera', 'start_s', 'end_s', 'peak_s',
  'box_left', 'box_top', 'box_right', 'box_bottom', 'score', 'decision', 'reviewer', 'decided_at', 'decision_note',
  // Added last so older column positions hold: the index the search read for this video (empty: not recorded).
  'index_id', 'index_sampling_fps', 'index_storage',
  // What the search ranked by (mean of the five best frame confidences); empty for older sightings.
  'support',
] as const;

export function renderCsv(model: ReportModel): string {
  const searches = new Map(model.searches.map((s) => [s.id, s]));
  const evidence = new Map(model.evidence.map((e) => [e.id, e]));
  const lines = [CSV_COLUMNS.join(',')];
  for (const s of model.sightings) {
    const q = searches.get(s.searchId);
    const e = evidence.get(s.evidenceId);
    const read = q?.evidenceSearched?.find((x) => x.evidenceId === s.evidenceId)?.index;
    lines.push([
      csvText(model.case.name), num(s.searchId), csvText(q?.queryText ?? ''), csvText(q ? describeSlots(q.querySlots).join('; ') : ''),
      csvText(q?.modelHash ?? ''), csvText(q ? describeThresholds(q.thresholds) : ''), num(s.id), num(s.rank),
      num(s.evidenceId), csvText(e?.videoPath ?? ''), csvText(e?.sha256 ?? ''), csvText(e?.verification.status ?? ''), csvText(e?.cameraLabel ?? ''),
      num(s.startS), num(s.endS), num(s.peakS), ...s.peakBox.map(num), num(s.score),
      csvText(s.decision?.decision ?? ''), csvText(s.decision?.reviewer ?? ''), csvText(s.decision?.decidedAt ?? ''), csvText(s.decision?.note ?? ''),
      num(read?.id), num(read?.samplingFps), csvText(read ? describeStorage(read) : ''),
      supportText(s.track),
    ].join(','));
  }
  return lines.join('\r\n') + '\r\n';
}
