/**
 * Feature indexes: one file per (video, model, sampling rate), built by the ingest pipeline.
 * Checkpoint saves are progress, not user actions, and are not audited; start and end are.
 */
import { InputError, NotFoundError } from '../errors';
import { appendAudit } from './audit';
import { getEvidence } from './evidence';
import { nowIso, write, type Store } from './store';

export type IndexState = 'building' | 'complete' | 'failed' | 'cancelled';

export interface IndexRecord {
  id: number; evidenceId: number; modelHash: string; samplingFps: number; filePath: string;
  frames: number; framesTotal: number | null; state: IndexState; checkpoint: unknown; createdAt: string; updatedAt: string;
}

interface IndexRow {
  id: number; evidence_id: number; model_hash: string; sampling_fps: number; file_path: string; frames: number;
  frames_total: number | null; state: IndexState; checkpoint: string | null; created_at: string; updated_at: string;
}

const toIndex = (r: IndexRow): IndexRecord => ({
  id: r.id, evidenceId: r.evidence_id, modelHash: r.model_hash, samplingFps: r.sampling_fps, filePath: r.file_path, frames: r.frames,
  framesTotal: r.frames_total, state: r.state, checkpoint: r.checkpoint === null ? null : JSON.parse(r.checkpoint), createdAt: r.created_at, updatedAt: r.updated_at,
});

export function getIndex(store: Store, id: number): IndexRecord {
  const row = store.db.prepare('SELECT * FROM indexes WHERE id = ?').get(id) as IndexRow | undefined;
  if (!row) throw new NotFoundError(`index #${id} does not exist`);
  return toIndex(row);
}

export function findIndex(store: Store, evidenceId: number, modelHash: string, samplingFps: number): IndexRecord | undefined {
  const row = store.db.prepare('SELECT * FROM indexes WHERE evidence_id = ? AND model_hash = ? AND sampling_fps = ?')
    .get(evidenceId, modelHash, samplingFps) as IndexRow | undefined;
  return row && toIndex(row);
}

export function listIndexes(store: Store, evidenceId: number): IndexRecord[] {
  return (store.db.prepare('SELECT * FROM indexes WHERE evidence_id = ? ORDER BY id').all(evidenceId) as IndexRow[]).map(toIndex);
}

export function startIndex(store: Store, input: { evidenceId: number; modelHash: string; samplingFps: number; filePath: string; framesTotal?: number }): IndexRecord {
  if (!(input.samplingFps > 0)) throw new InputError(`sampling rate must be > 0 frames/s, got ${input.samplingFps}`, { field: 'samplingFps' });
  if (!input.modelHash) throw new InputError('model hash is empty', { field: 'modelHash' });
  return write(store, () => {
    const e = getEvidence(store, input.evidenceId);
    if (findIndex(store, input.evidenceId, input.modelHash, input.samplingFps)) {
      throw new InputError(`evidence #${input.evidenceId} already has an index for model ${input.modelHash} at ${input.samplingFps} frames/s`);
    }
    const now = nowIso();
    const id = Number(store.db.prepare(`INSERT INTO indexes (evidence_id, model_hash, sampling_fps, file_path, frames, frames_total, state, created_at, updated_at)
      VALUES (?, ?, ?, ?, 0, ?, 'building', ?, ?)`).run(input.evidenceId, input.modelHash, input.samplingFps, input.filePath, input.framesTotal ?? null, now, now).lastInsertRowid);
    appendAudit(store.db, store.actor, 'index.started', { caseId: e.caseId, evidenceId: e.id, indexId: id, modelHash: input.modelHash, samplingFps: input.samplingFps }, now);
    return getIndex(store, id);
  });
}

/** Saves resumable progress (frames written so far and the pipeline's own checkpoint JSON). */
export function saveIndexCheckpoint(store: Store, id: number, frames: number, checkpoint: unknown): void {
  write(store, () => {
    const r = store.db.prepare("UPDATE indexes SET frames = ?, checkpoint = ?, updated_at = ? WHERE id = ? AND state = 'building'")
      .run(frames, JSON.stringify(checkpoint ?? null), nowIso(), id);
    if (r.changes === 0) throw new InputError(`index #${id} is not being built; cannot save a checkpoint`);
  });
}

export function finishIndex(store: Store, id: number, state: Exclude<IndexState, 'building'>, frames: number, detail?: string): IndexRecord {
  return write(store, () => {
    const idx = getIndex(store, id);
    const now = nowIso();
    store.db.prepare('UPDATE indexes SET state = ?, frames = ?, updated_at = ? WHERE id = ?').run(state, frames, now, id);
    const e = getEvidence(store, idx.evidenceId);
    appendAudit(store.db, store.actor, state === 'complete' ? 'index.built' : `index.${state}`, {
      caseId: e.caseId, evidenceId: e.id, indexId: id, modelHash: idx.modelHash, samplingFps: idx.samplingFps, frames, detail: detail ?? null,
    }, now);
    return getIndex(store, id);
  });
}
