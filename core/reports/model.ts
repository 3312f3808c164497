/**
 * The report model: everything a match report states, gathered from the case store in one place
 * so every renderer (PDF, HTML, CSV, JSON, AVSS) reports the same facts.
 * Evidence hashes are re-verified against the files on disk at export time and the outcome is
 * both recorded in the audit log and shown in the report.
 */
import { createHash } from 'node:crypto';
import { verifyAuditChain, type AuditVerification } from '../store/audit';
import { getCase, type CaseRecord } from '../store/cases';
import { decisionHistoryForCase, type DecisionRecord } from '../store/decisions';
import { checkEvidenceHash, listEvidence, recordVerification, type EvidenceRecord, type Verification } from '../store/evidence';
import { listIndexes } from '../store/indexes';
import { listNotes, type NoteRecord } from '../store/notes';
import { listSearches, listSightings, type SearchRecord, type SightingRecord } from '../store/searches';
import type { Store } from '../store/store';
import { TOOL_NAME, toolVersion } from './toolVersion';

export type ReportScope = 'confirmed' | 'all';

/** An index of the evidence that was built with warnings (decode errors, a poor basis fit). */
export interface ReportIndexWarnings { indexId: number; modelHash: string; samplingFps: number; warnings: string[] }
export interface ReportEvidence extends EvidenceRecord {
  fileName: string;
  verification: Verification;
  /** Its indexes with stored warnings (indexes finished before schema 5 have none recorded). */
  indexWarnings: ReportIndexWarnings[];
}
export interface ReportSearch extends SearchRecord { sightingsReturned: number }
export interface ReportSighting extends Omit<SightingRecord, 'thumbnailPng'> {
  videoFileName: string;
  /** Latest decision (the one that counts), undefined when nobody reviewed it. */
  decision?: DecisionRecord;
  history: DecisionRecord[];
  thumbnailPng?: Uint8Array;
  thumbnailSha256?: string;
}

export interface ReportModel {
  format: 'fastpr-match-report';
  formatVersion: 1;
  tool: { name: string; version: string };
  generatedAt: string;
  generatedBy: string;
  scope: ReportScope;
  case: CaseRecord;
  evidence: ReportEvidence[];
  integrity: { evidenceOk: boolean; problems: string[] };
  searches: ReportSearch[];
  sightings: ReportSighting[];
  notes: NoteRecord[];
  audit: AuditVerification;
}

export interface BuildReportOptions {
  scope?: ReportScope;
  /** PNG thumbnails for sightings without one stored (e.g. rendered from the index). */
  thumbnail?: (s: SightingRecord) => Uint8Array | undefined;
  signal?: AbortSignal;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
export const isPng = (b: Uint8Array | undefined | null): b is Uint8Array =>
  !!b && b.length > PNG_SIGNATURE.length && PNG_SIGNATURE.every((v, i) => b[i] === v);

const baseName = (p: string) => p.split(/[\\/]/).pop() ?? p;

/** The report's file name for an evidence id ("evidence #7" for one no longer listed). */
export function fileNameOf(m: Pick<ReportModel, 'evidence'>, evidenceId: number): string {
  return m.evidence.find((e) => e.id === evidenceId)?.fileName ?? `evidence #${evidenceId}`;
}

export async function buildReportModel(store: Store, caseId: number, options: BuildReportOptions = {}): Promise<ReportModel> {
  const scope = options.scope ?? 'confirmed';
  const theCase = getCase(store, caseId);

  // Re-verify every evidence file now; a mismatch is recorded and shown, never ignored.
  const evidence: ReportEvidence[] = [];
  for (const e of listEvidence(store, caseId)) {
    const verification = await checkEvidenceHash(e, options.signal);
    recordVerification(store, verification);
    const indexWarnings = listIndexes(store, e.id).filter((i) => i.warnings?.length)
      .map((i) => ({ indexId: i.id, modelHash: i.modelHash, samplingFps: i.samplingFps, warnings: i.warnings! }));
    evidence.push({ ...e, fileName: baseName(e.videoPath), verifiedAt: verification.checkedAt, verifyStatus: verification.status, verification, indexWarnings });
  }
  const problems = evidence.filter((e) => e.verification.status !== 'match').map((e) => `Evidence #${e.id} ${e.fileName}: ${e.verification.message}`);
  const byEvidence = new Map(evidence.map((e) => [e.id, e]));

  const history = decisionHistoryForCase(store, caseId);
  const bySighting = new Map<number, DecisionRecord[]>();
  for (const d of history) bySighting.set(d.sightingId, [...(bySighting.get(d.sightingId) ?? []), d]);

  const searches = listSearches(store, caseId);
  const sightings: ReportSighting[] = [];
  const reportSearches: ReportSearch[] = [];
  for (const search of searches) {
    const all = listSightings(store, search.id);
    reportSearches.push({ ...search, sightingsReturned: all.length });
    for (const s of all) {
      const h = bySighting.get(s.id) ?? [];
      const decision = h[h.length - 1];
      if (scope === 'confirmed' && decision?.decision !== 'confirm') continue;
      const candidate = s.thumbnailPng ?? options.thumbnail?.(s);
      const thumb = isPng(candidate) ? candidate : undefined;
      const { thumbnailPng: _stored, ...rest } = s;
      // The stored time and box describe the stored picture only.
      const own = thumb !== undefined && thumb === s.thumbnailPng;
      sightings.push({
        ...rest, thumbnailS: own ? s.thumbnailS : null, thumbnailBox: own ? s.thumbnailBox : null,
        videoFileName: byEvidence.get(s.evidenceId)?.fileName ?? `evidence #${s.evidenceId}`, decision, history: h,
        ...(thumb ? { thumbnailPng: thumb, thumbnailSha256: createHash('sha256').update(thumb).digest('hex') } : {}),
      });
    }
  }

  return {
    format: 'fastpr-match-report',
    formatVersion: 1,
    tool: { name: TOOL_NAME, version: toolVersion() },
    generatedAt: new Date().toISOString(),
    generatedBy: store.actor,
    scope,
    case: theCase,
    evidence,
    integrity: { evidenceOk: problems.length === 0, problems },
    searches: reportSearches,
    sightings,
    notes: listNotes(store, caseId),
    // Read after the verifications above were recorded: the head includes them.
    audit: verifyAuditChain(store.db),
  };
}
