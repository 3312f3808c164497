/**
 * `fastpr report --case NAME --format pdf|html|csv|json|avss --out PATH [--all]`: exports the case's
 * match report. Evidence hashes are re-verified first; exit code 3 when the report was written but
 * some evidence no longer matches its recorded hash (so scripts cannot miss it).
 */
import { InputError } from '../../errors';
import { exportReport, REPORT_FORMATS, type ReportFormat } from '../../reports/exportReport';
import { withStore } from '../../store/store';
import type { CliCommand } from '../command';

export const EXIT_INTEGRITY_PROBLEM = 3;

export const reportCommand: CliCommand = {
  name: 'report',
  summary: 'Export a case report (PDF, HTML, CSV, JSON or AVSS challenge CSVs)',
  usage: `fastpr report --case NAME --format ${REPORT_FORMATS.join('|')} --out PATH [--all] [--search ID] [--json] [--data-dir DIR]
  --all        include every sighting with its review state (default: confirmed only)
  --search ID  avss only: which search to export (default: the latest); --out is then a folder
  exit 3: report written, but evidence failed hash re-verification`,
  options: {
    case: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' },
    all: { type: 'boolean', default: false }, search: { type: 'string' },
  },
  async run(ctx) {
    const caseName = ctx.values.case as string | undefined;
    const format = ctx.values.format as string | undefined;
    const out = ctx.values.out as string | undefined;
    if (!caseName) throw new InputError('--case NAME is required', { field: 'case' });
    if (!format || !(REPORT_FORMATS as readonly string[]).includes(format)) {
      throw new InputError(`--format must be one of ${REPORT_FORMATS.join(', ')}${format ? `; got "${format}"` : ''}`, { field: 'format' });
    }
    if (!out) throw new InputError('--out PATH is required', { field: 'out' });
    const searchArg = ctx.values.search as string | undefined;
    const searchId = searchArg === undefined ? undefined : Number(searchArg);
    if (searchId !== undefined && !Number.isInteger(searchId)) throw new InputError(`--search must be a search id (integer), got "${searchArg}"`, { field: 'search' });
    const result = await withStore(ctx.dataDir, (store) => exportReport(store, {
      caseName, format: format as ReportFormat, out, scope: ctx.values.all ? 'all' : 'confirmed', searchId, signal: ctx.signal,
    }));
    const { model, files } = result;
    if (ctx.json) {
      ctx.print(JSON.stringify({ files, integrity: model.integrity, audit: model.audit, sightings: model.sightings.length, replacedCharacters: result.replacedCharacters }, null, 2));
    } else {
      for (const f of files) ctx.print(`Wrote ${f.path}\n  SHA-256 ${f.sha256}  (${f.sizeBytes} bytes, recorded as export #${f.id})`);
      ctx.print(`${model.sightings.length} ${model.scope === 'confirmed' ? 'confirmed ' : ''}sighting(s); audit chain ${model.audit.ok ? 'intact' : `BROKEN at #${model.audit.brokenAt?.seq}`}`);
      if (result.replacedCharacters) ctx.print(`Note: ${result.replacedCharacters} character(s) could not be shown in the PDF's standard fonts and were simplified or replaced by '?'.`);
    }
    if (!model.integrity.evidenceOk) {
      for (const p of model.integrity.problems) process.stderr.write(`WARNING: ${p}\n`);
      return EXIT_INTEGRITY_PROBLEM;
    }
    return model.audit.ok ? 0 : 1;
  },
};
