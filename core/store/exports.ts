/** Files exported from a case (reports, AVSS CSVs, clips), pinned by their SHA-256. */
import { InputError } from '../errors';
import { appendAudit } from './audit';
import { getCase } from './cases';
import { nowIso, write, type Store } from './store';

export interface ExportRecord { id: number; caseId: number; kind: string; path: string; sha256: string; sizeBytes: number; actor: string; createdAt: string }
interface ExportRow { id: number; case_id: number; kind: string; path: string; sha256: string; size_bytes: number; actor: string; created_at: string }

/** Records an export already written to disk. Closed cases may still be exported. */
export function recordExport(store: Store, caseId: number, file: { kind: string; path: string; sha256: string; sizeBytes: number; detail?: unknown }): ExportRecord {
  if (!/^[0-9a-f]{64}$/.test(file.sha256)) throw new InputError(`export sha256 must be 64 lowercase hex digits`, { field: 'sha256' });
  return write(store, () => {
    getCase(store, caseId);
    const createdAt = nowIso();
    const id = Number(store.db.prepare('INSERT INTO exports (case_id, kind, path, sha256, size_bytes, actor, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(caseId, file.kind, file.path, file.sha256, file.sizeBytes, store.actor, createdAt).lastInsertRowid);
    appendAudit(store.db, store.actor, 'export.written', {
      caseId, exportId: id, kind: file.kind, path: file.path, sha256: file.sha256, sizeBytes: file.sizeBytes, detail: file.detail ?? null,
    }, createdAt);
    return { id, caseId, kind: file.kind, path: file.path, sha256: file.sha256, sizeBytes: file.sizeBytes, actor: store.actor, createdAt };
  });
}

export function listExports(store: Store, caseId: number): ExportRecord[] {
  return (store.db.prepare('SELECT * FROM exports WHERE case_id = ? ORDER BY id').all(caseId) as ExportRow[])
    .map((r) => ({ id: r.id, caseId: r.case_id, kind: r.kind, path: r.path, sha256: r.sha256, sizeBytes: r.size_bytes, actor: r.actor, createdAt: r.created_at }));
}
