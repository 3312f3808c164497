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
  /**
   * What the build warned about (decode errors of a damaged file, a poor fit of the compression
   * basis), as stored when it finished; [] = none. null = not recorded: not finished yet, or
   * finished before schema 5 (the 'index.built' audit entry's detail holds those).
   */
  warnings: string[] | null;
}

interface IndexRow {
  id: number; evidence_id: number; model_hash: string; sampling_fps: number; file_path: string; frames: number;
  frames_total: number | null; state: IndexState; checkpoint: string | null; created_at: string; updated_at: string; warnings: string | null;
}

const toIndex = (r: IndexRow): IndexRecord => ({
  id: r.id, evidenceId: r.evidence_id, modelHash: r.model_hash, samplingFps: r.sampling_fps, filePath: r.file_path, frames: r.frames,
  framesTotal: r.frames_total, state: r.state, checkpoint: r.checkpoint === null ? null : JSON.parse(r.checkpoint), createdAt: r.created_at, updatedAt: r.updated_at,
  warnings: r.warnings === null ? null : (JSON.parse(r.warnings) as string[]),
});

/** Longest stored text of one warning, and of all of an index's warnings together. */
export const INDEX_WARNING_MAX_CHARS = 1000;
export const INDEX_WARNINGS_MAX_CHARS = 6000;
/** The audit entry's detail: the warnings joined, as short as it always was. */
const AUDIT_DETAIL_MAX_CHARS = 2000;

/**
 * The warnings as stored: each whole up to INDEX_WARNING_MAX_CHARS (longer ones cut with '…'),
 * in order while the total stays within INDEX_WARNINGS_MAX_CHARS; the rest are replaced by one
 * line saying how many were left out. Decode warnings are at most 20 lines of 200 characters, so in
 * practice every warning is kept whole.
 */
export function storedIndexWarnings(warnings: readonly string[]): string[] {
  const out: string[] = [];
  let total = 0;
  for (const [i, raw] of warnings.entries()) {
    const w = raw.length > INDEX_WARNING_MAX_CHARS ? `${raw.slice(0, INDEX_WARNING_MAX_CHARS - 1)}…` : raw;
    if (total + w.length > INDEX_WARNINGS_MAX_CHARS) {
      const left = warnings.length - i;
      out.push(`… ${left} more warning${left === 1 ? '' : 's'} not stored (too long); the case log's index.built entry holds the start of all of them`);
      break;
    }
    out.push(w);
    total += w.length;
  }
  return out;
}

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

/** The newest complete index of an evidence item for a model (what searches read), if any. */
export function searchableIndex(store: Store, evidenceId: number, modelHash: string): IndexRecord | undefined {
  return listIndexes(store, evidenceId).filter((i) => i.modelHash === modelHash && i.state === 'complete').pop();
}

/**
 * `encoder`: the encoder graph that will make the features (recorded in the case log's
 * index.started entry; the index file's header holds it too).
 */
export function startIndex(
  store: Store,
  input: { evidenceId: number; modelHash: string; samplingFps: number; filePath: string; framesTotal?: number; encoder?: { precision: 'float' | 'int8'; sha256: string } },
): IndexRecord {
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
    appendAudit(store.db, store.actor, 'index.started', {
      caseId: e.caseId, evidenceId: e.id, indexId: id, modelHash: input.modelHash, samplingFps: input.samplingFps, ...(input.encoder ? { encoder: input.encoder } : {}),
    }, now);
    return getIndex(store, id);
  });
}

/**
 * Records that an interrupted build goes on in this run: 'index.resumed' from its checkpoint's frame,
 * or 'index.restarted' from frame 0 when the checkpoint could not be used (another encoder or
 * pixel path, a missing or short file). Names the encoder of this run, which may differ from the
 * one index.started recorded (a build started with the float encoder and finished with the int8 one
 * starts over).
 */
export function noteIndexContinued(store: Store, id: number, input: { fromFrame: number; encoder: { precision: 'float' | 'int8'; sha256: string } }): void {
  write(store, () => {
    const idx = getIndex(store, id);
    if (idx.state !== 'building') throw new InputError(`index #${id} is '${idx.state}': only a build in progress is resumed`);
    const e = getEvidence(store, idx.evidenceId);
    appendAudit(store.db, store.actor, input.fromFrame > 0 ? 'index.resumed' : 'index.restarted', {
      caseId: e.caseId, evidenceId: e.id, indexId: id, modelHash: idx.modelHash, samplingFps: idx.samplingFps, fromFrame: input.fromFrame, encoder: input.encoder,
    });
  });
}

/**
 * Records that this run's build stopped before the end: 'index.stopped' with the reason
 * ('cancelled', or 'error' with the error's name and message) and how many frames the last
 * checkpoint kept, so the case log tells a cancelled or failed ingest from one still running. The
 * index stays 'building': the next ingest of the video resumes it from those frames. `rebuild`: the
 * run was rebuilding a complete index in another storage (that index stays live and unchanged).
 */
export function noteIndexStopped(store: Store, id: number, input: { framesKept: number; error: unknown; rebuild?: boolean }): void {
  const err = input.error instanceof Error ? input.error : new Error(String(input.error));
  const cancelled = err.name === 'CancelledError';
  write(store, () => {
    const idx = getIndex(store, id);
    const e = getEvidence(store, idx.evidenceId);
    appendAudit(store.db, store.actor, 'index.stopped', {
      caseId: e.caseId, evidenceId: e.id, indexId: id, modelHash: idx.modelHash, samplingFps: idx.samplingFps,
      reason: cancelled ? 'cancelled' : 'error', framesKept: input.framesKept, ...(input.rebuild ? { rebuild: true } : {}),
      ...(cancelled ? {} : { detail: `${err.name}: ${err.message}`.slice(0, AUDIT_DETAIL_MAX_CHARS) }),
    });
  });
}

/**
 * Points a complete index at a rebuilt file (the same video, model and sampling rate, another
 * feature storage): its file, frame count and warnings change in one transaction, with an
 * 'index.rebuilt' audit entry naming both files. The caller deletes the old file afterwards.
 */
export function replaceIndexFile(store: Store, id: number, next: { filePath: string; frames: number; warnings: readonly string[]; storage: string; previousStorage: string | null }): IndexRecord {
  return write(store, () => {
    const idx = getIndex(store, id);
    if (idx.state !== 'complete') throw new InputError(`index #${id} is '${idx.state}': only a complete index is rebuilt`);
    const now = nowIso();
    store.db.prepare('UPDATE indexes SET file_path = ?, frames = ?, warnings = ?, checkpoint = NULL, updated_at = ? WHERE id = ?')
      .run(next.filePath, next.frames, JSON.stringify(storedIndexWarnings(next.warnings)), now, id);
    const e = getEvidence(store, idx.evidenceId);
    const detail = `${next.previousStorage ?? 'unknown'} storage (${idx.filePath}) → ${next.storage} (${next.filePath})`
      + (next.warnings.length ? ` | ${next.warnings.join(' | ')}` : '');
    appendAudit(store.db, store.actor, 'index.rebuilt', {
      caseId: e.caseId, evidenceId: e.id, indexId: id, modelHash: idx.modelHash, samplingFps: idx.samplingFps, frames: next.frames,
      detail: detail.slice(0, AUDIT_DETAIL_MAX_CHARS),
    }, now);
    return getIndex(store, id);
  });
}

/** Saves a rebuild's resumable progress on its complete index (replaceIndexFile clears it). */
export function saveRebuildCheckpoint(store: Store, id: number, checkpoint: { rebuild: unknown }): void {
  write(store, () => {
    const r = store.db.prepare("UPDATE indexes SET checkpoint = ?, updated_at = ? WHERE id = ? AND state = 'complete'").run(JSON.stringify(checkpoint), nowIso(), id);
    if (r.changes === 0) throw new InputError(`index #${id} is not complete; cannot save a rebuild checkpoint`);
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

/**
 * Ends a build. `warnings` (the build's, e.g. decode errors of a damaged file) are stored with the
 * index (storedIndexWarnings) and, joined with ' | ' and cut to 2,000 characters, in the audit
 * entry's detail.
 */
export function finishIndex(store: Store, id: number, state: Exclude<IndexState, 'building'>, frames: number, warnings: readonly string[] = []): IndexRecord {
  return write(store, () => {
    const idx = getIndex(store, id);
    const now = nowIso();
    store.db.prepare('UPDATE indexes SET state = ?, frames = ?, warnings = ?, updated_at = ? WHERE id = ?')
      .run(state, frames, JSON.stringify(storedIndexWarnings(warnings)), now, id);
    const e = getEvidence(store, idx.evidenceId);
    const detail = warnings.length ? warnings.join(' | ').slice(0, AUDIT_DETAIL_MAX_CHARS) : null;
    appendAudit(store.db, store.actor, state === 'complete' ? 'index.built' : `index.${state}`, {
      caseId: e.caseId, evidenceId: e.id, indexId: id, modelHash: idx.modelHash, samplingFps: idx.samplingFps, frames, detail,
    }, now);
    return getIndex(store, id);
  });
}
