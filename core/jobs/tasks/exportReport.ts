/** Report export job: core/reports' exportReport (re-verifies evidence hashes, writes atomically, records). */
import { exportReport, type ReportFormat } from '../../reports/index';
import { getCase } from '../../store/cases';
import { openStore } from '../../store/store';
import type { Task } from './types';

export interface ExportParams { caseId: number; format: ReportFormat; scope: 'confirmed' | 'all'; out: string }

export const exportTask: Task = async ({ dataDir, job, signal, progress }) => {
  const p = job.params as unknown as ExportParams;
  const store = openStore(dataDir);
  try {
    progress({ jobId: job.id, kind: 'export', done: 0, total: 1, unit: 'files', phase: 'verifying evidence', state: 'running' });
    const r = await exportReport(store, { caseName: getCase(store, p.caseId).name, format: p.format, out: p.out, scope: p.scope, signal });
    progress({ jobId: job.id, kind: 'export', done: 1, total: 1, unit: 'files', phase: 'written', state: 'running' });
    return {
      format: p.format, scope: p.scope, files: r.files.map((f) => ({ path: f.path, sha256: f.sha256, sizeBytes: f.sizeBytes })),
      sightings: r.model.sightings.length, evidenceOk: r.model.integrity.evidenceOk, auditHeadHash: r.model.audit.headHash,
    };
  } finally {
    store.close();
  }
};
