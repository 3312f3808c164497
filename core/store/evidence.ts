/** Evidence: a video file attached to a case, pinned by its SHA-256 at import. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError, NotFoundError } from '../errors';
import { appendAudit } from './audit';
import { requireOpenCase } from './cases';
import { hashFile } from './hashFile';
import { nowIso, write, type Store } from './store';

export type EvidenceState = 'imported' | 'indexing' | 'indexed' | 'failed';
export type VerifyStatus = 'match' | 'mismatch' | 'missing' | 'unreadable';

export interface VideoMetadata {
  durationS?: number | null;
  width?: number | null;
  height?: number | null;
  fps?: number | null;
  cameraLabel?: string | null;
  timeOffsetS?: number;
}

export interface EvidenceRecord {
  id: number;
  caseId: number;
  videoPath: string;
  sha256: string;
  sizeBytes: number;
  durationS: number | null;
  width: number | null;
  height: number | null;
  fps: number | null;
  cameraLabel: string | null;
  timeOffsetS: number;
  importedAt: string;
  state: EvidenceState;
  verifiedAt: string | null;
  verifyStatus: VerifyStatus | null;
}

interface EvidenceRow {
  id: number; case_id: number; video_path: string; sha256: string; size_bytes: number; duration_s: number | null;
  width: number | null; height: number | null; fps: number | null; camera_label: string | null; time_offset_s: number;
  imported_at: string; state: EvidenceState; verified_at: string | null; verify_status: VerifyStatus | null;
}

const toEvidence = (r: EvidenceRow): EvidenceRecord => ({
  id: r.id, caseId: r.case_id, videoPath: r.video_path, sha256: r.sha256, sizeBytes: r.size_bytes, durationS: r.duration_s,
  width: r.width, height: r.height, fps: r.fps, cameraLabel: r.camera_label, timeOffsetS: r.time_offset_s,
  importedAt: r.imported_at, state: r.state, verifiedAt: r.verified_at, verifyStatus: r.verify_status,
});

function checkMeta(m: VideoMetadata): void {
  for (const [k, v] of Object.entries({ durationS: m.durationS, width: m.width, height: m.height, fps: m.fps })) {
    if (v !== undefined && v !== null && !(Number.isFinite(v) && v >= 0)) throw new InputError(`evidence ${k} must be a non-negative number, got ${v}`, { field: k });
  }
  if (m.timeOffsetS !== undefined && !Number.isFinite(m.timeOffsetS)) throw new InputError(`evidence timeOffsetS must be a number`, { field: 'timeOffsetS' });
}

/** Records a video whose hash the caller already computed (e.g. during decode). */
export function addEvidence(store: Store, caseId: number, videoPath: string, hash: { sha256: string; sizeBytes: number }, meta: VideoMetadata = {}): EvidenceRecord {
  if (!/^[0-9a-f]{64}$/.test(hash.sha256)) throw new InputError(`sha256 must be 64 lowercase hex digits, got "${hash.sha256}"`, { field: 'sha256' });
  checkMeta(meta);
  const path = resolve(videoPath);
  return write(store, () => {
    requireOpenCase(store, caseId);
    const dup = store.db.prepare('SELECT id, video_path FROM evidence WHERE case_id = ? AND sha256 = ?').get(caseId, hash.sha256) as { id: number; video_path: string } | undefined;
    if (dup) throw new InputError(`${path} is already in this case as evidence #${dup.id} (${dup.video_path}, same SHA-256)`, { file: path });
    const importedAt = nowIso();
    const id = Number(store.db.prepare(`INSERT INTO evidence
      (case_id, video_path, sha256, size_bytes, duration_s, width, height, fps, camera_label, time_offset_s, imported_at, state)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'imported')`).run(
      caseId, path, hash.sha256, hash.sizeBytes, meta.durationS ?? null, meta.width ?? null, meta.height ?? null, meta.fps ?? null,
      meta.cameraLabel ?? null, meta.timeOffsetS ?? 0, importedAt,
    ).lastInsertRowid);
    appendAudit(store.db, store.actor, 'evidence.added', { caseId, evidenceId: id, videoPath: path, sha256: hash.sha256, sizeBytes: hash.sizeBytes }, importedAt);
    return getEvidence(store, id);
  });
}

/** Hashes the file (streamed) and records it. */
export async function importEvidenceFile(store: Store, caseId: number, videoPath: string, meta: VideoMetadata = {}, signal?: AbortSignal): Promise<EvidenceRecord> {
  requireOpenCase(store, caseId);
  const hash = await hashFile(videoPath, { signal });
  return addEvidence(store, caseId, videoPath, hash, meta);
}

export function getEvidence(store: Store, id: number): EvidenceRecord {
  const row = store.db.prepare('SELECT * FROM evidence WHERE id = ?').get(id) as EvidenceRow | undefined;
  if (!row) throw new NotFoundError(`evidence #${id} does not exist`);
  return toEvidence(row);
}

export function listEvidence(store: Store, caseId: number): EvidenceRecord[] {
  return (store.db.prepare('SELECT * FROM evidence WHERE case_id = ? ORDER BY id').all(caseId) as EvidenceRow[]).map(toEvidence);
}

export function setEvidenceState(store: Store, id: number, state: EvidenceState, meta: VideoMetadata = {}): EvidenceRecord {
  checkMeta(meta);
  return write(store, () => {
    const e = getEvidence(store, id);
    store.db.prepare(`UPDATE evidence SET state = ?, duration_s = COALESCE(?, duration_s), width = COALESCE(?, width),
      height = COALESCE(?, height), fps = COALESCE(?, fps) WHERE id = ?`)
      .run(state, meta.durationS ?? null, meta.width ?? null, meta.height ?? null, meta.fps ?? null, id);
    appendAudit(store.db, store.actor, 'evidence.state', { caseId: e.caseId, evidenceId: id, from: e.state, to: state });
    return getEvidence(store, id);
  });
}

export interface Verification { evidenceId: number; status: VerifyStatus; expectedSha256: string; actualSha256?: string; actualSizeBytes?: number; checkedAt: string; message: string }

/** Checks the file on disk against the hash recorded at import, without recording anything. */
export async function checkEvidenceHash(e: EvidenceRecord, signal?: AbortSignal): Promise<Verification> {
  const base = { evidenceId: e.id, expectedSha256: e.sha256 };
  if (!existsSync(e.videoPath)) {
    return { ...base, status: 'missing', checkedAt: nowIso(), message: `${e.videoPath} no longer exists` };
  }
  try {
    const h = await hashFile(e.videoPath, { signal });
    const ok = h.sha256 === e.sha256;
    return {
      ...base, status: ok ? 'match' : 'mismatch', actualSha256: h.sha256, actualSizeBytes: h.sizeBytes, checkedAt: nowIso(),
      message: ok ? 'SHA-256 matches the hash recorded at import'
        : `SHA-256 MISMATCH: the file changed since import (recorded ${e.sha256}, now ${h.sha256}; size ${e.sizeBytes} -> ${h.sizeBytes} bytes)`,
    };
  } catch (err) {
    if ((err as Error).name === 'CancelledError') throw err;
    return { ...base, status: 'unreadable', checkedAt: nowIso(), message: (err as Error).message };
  }
}

/** Re-hashes the evidence file and records the outcome (evidence row + audit entry). */
export async function verifyEvidence(store: Store, id: number, signal?: AbortSignal): Promise<Verification> {
  const v = await checkEvidenceHash(getEvidence(store, id), signal);
  recordVerification(store, v);
  return v;
}

export function recordVerification(store: Store, v: Verification): void {
  write(store, () => {
    const e = getEvidence(store, v.evidenceId);
    store.db.prepare('UPDATE evidence SET verified_at = ?, verify_status = ? WHERE id = ?').run(v.checkedAt, v.status, v.evidenceId);
    appendAudit(store.db, store.actor, 'evidence.verified', {
      caseId: e.caseId, evidenceId: v.evidenceId, status: v.status, expectedSha256: v.expectedSha256, actualSha256: v.actualSha256 ?? null,
    }, v.checkedAt);
  });
}
