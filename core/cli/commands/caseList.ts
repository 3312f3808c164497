/** `fastpr case list [--json]`: every case with its status and counts. */
import { listCases } from '../../store/cases';
import { withStore } from '../../store/store';
import type { CliCommand } from '../command';

export const caseListCommand: CliCommand = {
  name: 'case list',
  summary: 'List cases (optionally filtered by name)',
  usage: 'fastpr case list [--name TEXT] [--json] [--data-dir DIR]',
  options: { name: { type: 'string' } },
  async run(ctx) {
    const rows = await withStore(ctx.dataDir, (store) => {
      const count = store.db.prepare('SELECT (SELECT COUNT(*) FROM evidence WHERE case_id = ?) AS evidence, (SELECT COUNT(*) FROM searches WHERE case_id = ?) AS searches');
      return listCases(store, { nameContains: ctx.values.name as string | undefined }).map((c) => ({ ...c, ...(count.get(c.id, c.id) as { evidence: number; searches: number }) }));
    });
    if (ctx.json) { ctx.print(JSON.stringify(rows, null, 2)); return; }
    if (rows.length === 0) { ctx.print('No cases yet. Create one with: fastpr case create NAME'); return; }
    const width = Math.min(40, Math.max(4, ...rows.map((r) => r.name.length)));
    ctx.print(`${'ID'.padStart(4)}  ${'NAME'.padEnd(width)}  ${'STATUS'.padEnd(6)}  EVIDENCE  SEARCHES  CREATED`);
    for (const r of rows) {
      const name = r.name.length > width ? `${r.name.slice(0, width - 1)}…` : r.name.padEnd(width);
      ctx.print(`${String(r.id).padStart(4)}  ${name}  ${r.status.padEnd(6)}  ${String(r.evidence).padStart(8)}  ${String(r.searches).padStart(8)}  ${r.createdAt}`);
    }
  },
};
