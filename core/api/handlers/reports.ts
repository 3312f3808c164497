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

export const reportHandlers: HandlerGroup<'reports.export'> = {
  'reports.export': async ({ caseId, format, scope, out }, ctx) => {
    const c = getCase(ctx.store(), caseId);
    const job = ctx.jobs.start({
      kind: 'export', label: `Export ${format.toUpperCase()} of ${c.name}`, caseId,
      params: { caseId, format, scope, out: out ?? defaultOut(ctx.dataDir, caseId, c.name, format) },
    });
    const done = await ctx.jobs.wait(job.id);
    if (done.state !== 'done') throw done.error ? rebuildError(done.error) : new FastprError(`export job ${job.id} ended ${done.state}`);
    return { jobId: job.id, ...(done.result as Omit<ReportExportResult, 'jobId'>) };
  },
};
