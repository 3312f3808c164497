/** Store records → the contract's result shapes (core/api/types). One place, so every call agrees. */
import { basename } from 'node:path';
import type { DecisionRecord, EvidenceRecord, IndexRecord, SearchRecord, SightingRecord, Store } from '../store/index';
import { getCase, latestDecisionsForCase, listEvidence, listIndexes, listSearches } from '../store/index';
import { isPoorFitWarning } from '../index/basisFit';
import { storedTrackSupport } from '../index/sightings';
import { readIndexHeader } from '../index/format';
import type { CaseSummary, DecisionItem, EvidenceIndexStatus, EvidenceItem, SearchSummary } from './types/cases';
import type { SightingSummary } from './types/search';

export const DEMO_CASE_NAME = 'Demo — synthetic platform';

export function caseSummary(store: Store, caseId: number): CaseSummary {
  const c = getCase(store, caseId);
  const count = (sql: string) => (store.db.prepare(sql).get(caseId) as { n: number }).n;
  let confirmed = 0;
  for (const d of latestDecisionsForCase(store, caseId).values()) if (d.decision === 'confirm') confirmed++;
  return {
    ...c,
    evidenceCount: count('SELECT COUNT(*) AS n FROM evidence WHERE case_id = ?'),
    searchCount: count('SELECT COUNT(*) AS n FROM searches WHERE case_id = ?'),
    confirmedCount: confirmed,
    demo: c.name === DEMO_CASE_NAME,
  };
}

export function indexStatus(idx: IndexRecord | undefined): EvidenceIndexStatus | null {
  if (!idx) return null;
  const header = readIndexHeader(idx.filePath);
  return {
    indexId: idx.id, modelHash: idx.modelHash, samplingFps: idx.samplingFps, state: idx.state, frames: idx.frames, framesTotal: idx.framesTotal,
    warnings: idx.warnings ?? [],
    exactFeaturesAdvised: (idx.warnings ?? []).some(isPoorFitWarning),
    storage: header?.dtype ?? null,
    referenceFramesOnly: header?.referenceFramesOnly ?? false,
  };
}

/** The evidence's index for `modelHash` (the newest if several rates), else its newest of any model. */
export function pickIndex(store: Store, evidenceId: number, modelHash: string | null): IndexRecord | undefined {
  const all = listIndexes(store, evidenceId);
  const mine = modelHash ? all.filter((i) => i.modelHash === modelHash) : all;
  return mine[mine.length - 1];
}

export function evidenceItem(store: Store, e: EvidenceRecord, modelHash: string | null, jobId: string | null): EvidenceItem {
  return { ...e, fileName: basename(e.videoPath), index: indexStatus(pickIndex(store, e.id, modelHash)), jobId };
}

export function decisionItem(d: DecisionRecord | undefined): DecisionItem | null {
  return d ? { ...d } : null;
}

export function searchSummary(store: Store, s: SearchRecord): SearchSummary {
  const n = (store.db.prepare('SELECT COUNT(*) AS n FROM sightings WHERE search_id = ?').get(s.id) as { n: number }).n;
  return { ...s, querySlots: (s.querySlots ?? {}) as Record<string, number>, sightingCount: n };
}

export function pngDataUrl(png: Uint8Array | null): string | null {
  return png ? `data:image/png;base64,${Buffer.from(png).toString('base64')}` : null;
}

export function sightingSummary(s: SightingRecord, e: EvidenceRecord | undefined, decision: DecisionRecord | undefined): SightingSummary {
  return {
    id: s.id, searchId: s.searchId, evidenceId: s.evidenceId, videoFileName: e ? basename(e.videoPath) : `evidence #${s.evidenceId}`,
    cameraLabel: e?.cameraLabel ?? null, rank: s.rank, startS: s.startS, endS: s.endS, peakS: s.peakS, peakBox: s.peakBox, score: s.score,
    support: storedTrackSupport(s.track), trackLength: s.track.length, decision: decisionItem(decision), thumbnail: pngDataUrl(s.thumbnailPng),
    thumbnailS: s.thumbnailPng ? s.thumbnailS : null, thumbnailBox: s.thumbnailPng && s.thumbnailS !== null ? s.thumbnailBox : null,
    frameWidth: e?.width ?? null, frameHeight: e?.height ?? null,
  };
}

export function caseSearches(store: Store, caseId: number): SearchSummary[] {
  return listSearches(store, caseId).map((s) => searchSummary(store, s));
}

export function evidenceById(store: Store, caseId: number): Map<number, EvidenceRecord> {
  return new Map(listEvidence(store, caseId).map((e) => [e.id, e]));
}
