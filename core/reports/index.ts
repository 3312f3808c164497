/** Match reports: model, renderers and the export that writes and records them. */
export { buildReportModel, type ReportModel, type ReportScope, type BuildReportOptions } from './model';
export { exportReport, REPORT_FORMATS, type ReportFormat, type ExportReportInput, type ExportReportResult } from './exportReport';
export { renderPdf } from './pdf';
export { renderHtml, esc } from './html';
export { renderCsv } from './csv';
export { renderJson } from './json';
export { renderAvss } from './avss';
export { writeFileAtomic } from './atomicWrite';
