/** reports.export: an export job (off the main process) awaited here, so the call answers with the files. */
import { join } from 'node:path';
import { FastprError, rebuildError } from '../../errors';
import { getCase } from '../../store/index';
import { ensureDataDir } from '../../platform/dataDir';
import type { ReportExportResult } from '../types/cases';
import type { HandlerGroup } from './types';

const EXT: Record<string, string> = { pdf: '.pdf', html: '.html', csv: '.csv', json: '.json', avss: '' };

function defaultOut(dataDir: string, caseId: number, caseName: string, format: string): string {
  const safe = caseName.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 60) || `case-${caseId}`;
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  return join(ensureDataDir(dataDir).exports, `${safe}-${stamp}${format === 'avss' ? '-avss' : ''}${EXT[format]}`);
}

/** Node's codes for "this cannot be written here" (also found in messages from the worker, whose code is lost). */
const STORAGE_CODES = /\b(ENOSPC|EROFS|EACCES|EPERM|EDQUOT)\b/;

/**
 * Whatever failed (job record, worker, disk), the investigator is told which report it was; a full
 * disk or unwritable folder is a StorageError (HTTP 507), other plain Node errors a FastprError.
 */
function nameTheOutput(err: unknown, outPath: string): Error {
  const e = err instanceof Error ? err : new Error(String(err));
  const code = (e as NodeJS.ErrnoException).code ?? STORAGE_CODES.exec(e.message)?.[1];
  const untyped = e.name === 'Error' || e.name === 'FastprError';
  const name = untyped && code && STORAGE_CODES.test(code) ? 'StorageError' : e.name === 'Error' ? 'FastprError' : e.name;
  if (e.message.includes(outPath)) return name === e.name ? e : rebuildError({ name, message: e.message });
  const reason = code === 'ENOSPC' ? `the disk is full (${e.message})` : e.message;
  return rebuildError({ name, message: `exporting the report to ${outPath} failed: ${reason}` });
}

export const reportHandlers: HandlerGroup<'reports.export'> = {
  'reports.export': async ({ caseId, format, scope, out }, ctx) => {
    const c = getCase(ctx.store(), caseId);
    const outPath = out ?? defaultOut(ctx.dataDir, caseId, c.name, format);
    try {
      const job = ctx.jobs.start({ kind: 'export', label: `Export ${format.toUpperCase()} of ${c.name}`, caseId, params: { caseId, format, scope, out: outPath } });
      const done = await ctx.jobs.wait(job.id);
      if (done.state !== 'done') throw done.error ? rebuildError(done.error) : new FastprError(`export job ${job.id} ended ${done.state}`);
      return { jobId: job.id, ...(done.result as Omit<ReportExportResult, 'jobId'>) };
    } catch (err) {
      throw nameTheOutput(err, outPath);
    }
  },
};
