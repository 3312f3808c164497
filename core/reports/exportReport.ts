/**
 * Export a case's report: build the model (re-verifying evidence hashes), render the chosen
 * format, write each file atomically and record it (exports table + audit entry with SHA-256).
 */
import { join, resolve } from 'node:path';
import { InputError } from '../errors';
import { getCase, getCaseByName } from '../store/cases';
import { recordExport, type ExportRecord } from '../store/exports';
import type { Store } from '../store/store';
import { writeFileAtomic } from './atomicWrite';
import { renderAvss } from './avss';
import { renderCsv } from './csv';
import { renderHtml } from './html';
import { renderJson } from './json';
import { buildReportModel, type BuildReportOptions, type ReportModel } from './model';
import { renderPdf } from './pdf';

export const REPORT_FORMATS = ['pdf', 'html', 'csv', 'json', 'avss'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface ExportReportInput extends BuildReportOptions {
  /** The case, by name (CLI) or id (API); one of the two is required. */
  caseName?: string;
  caseId?: number;
  format: ReportFormat;
  /** A file path; for 'avss' a folder that receives one CSV per video. */
  out: string;
  /** avss only: which search (default: the latest). */
  searchId?: number;
}

export interface ExportReportResult {
  model: ReportModel;
  files: ExportRecord[];
  /** PDF only: characters the standard fonts could not show. */
  replacedCharacters?: number;
}

export async function exportReport(store: Store, input: ExportReportInput): Promise<ExportReportResult> {
  if (!(REPORT_FORMATS as readonly string[]).includes(input.format)) {
    throw new InputError(`unknown report format "${input.format}"; use one of ${REPORT_FORMATS.join(', ')}`, { field: 'format' });
  }
  if (!input.out) throw new InputError('no output path given', { field: 'out' });
  if (input.caseId === undefined && !input.caseName) throw new InputError('no case given (caseName or caseId)', { field: 'case' });
  const theCase = input.caseId !== undefined ? getCase(store, input.caseId) : getCaseByName(store, input.caseName!);
  const model = await buildReportModel(store, theCase.id, input);
  const detail = { scope: model.scope, sightings: model.sightings.length, auditHeadSeq: model.audit.headSeq, auditHeadHash: model.audit.headHash, evidenceOk: model.integrity.evidenceOk };
  /** Writes one file; its export row and audit entry commit before it appears under its final name. */
  const emit = (kind: string, path: string, data: Uint8Array | string, extra: object = {}): ExportRecord => {
    let rec: ExportRecord | undefined;
    writeFileAtomic(path, data, { beforeRename: (w) => { rec = recordExport(store, theCase.id, { kind, ...w, detail: { ...detail, ...extra } }); } });
    return rec!;
  };

  switch (input.format) {
    case 'pdf': {
      const pdf = await renderPdf(model);
      const file = emit('report.pdf', input.out, pdf.bytes, { pages: pdf.pages, replacedCharacters: pdf.replacedCharacters });
      return { model, files: [file], replacedCharacters: pdf.replacedCharacters };
    }
    case 'html':
      return { model, files: [emit('report.html', input.out, renderHtml(model))] };
    case 'csv':
      return { model, files: [emit('report.csv', input.out, renderCsv(model))] };
    case 'json':
      return { model, files: [emit('report.json', input.out, renderJson(model))] };
    case 'avss': {
      const dir = resolve(input.out);
      const files = renderAvss(model, input.searchId).map((f) =>
        emit('avss.csv', join(dir, f.name), f.content, { evidenceId: f.evidenceId, frames: f.frames, framesWithBox: f.framesWithBox }));
      return { model, files };
    }
  }
}
