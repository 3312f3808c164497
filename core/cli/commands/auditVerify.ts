/** `fastpr audit verify [--json]`: re-checks the whole audit hash chain; exit 1 at the first broken link. */
import { verifyAuditChain } from '../../store/audit';
import { withStore } from '../../store/store';
import type { CliCommand } from '../command';

export const auditVerifyCommand: CliCommand = {
  name: 'audit verify',
  summary: "Verify the audit log's hash chain and report the first broken link",
  usage: 'fastpr audit verify [--json] [--data-dir DIR]   (exit 0 = intact, 1 = broken)',
  async run(ctx) {
    const r = await withStore(ctx.dataDir, (store) => ({ ...verifyAuditChain(store.db), database: store.file }));
    if (ctx.json) ctx.print(JSON.stringify(r, null, 2));
    else if (r.ok) ctx.print(`Audit chain intact: ${r.entries} entries; head #${r.headSeq} ${r.headHash}`);
    else ctx.print(`AUDIT CHAIN BROKEN at entry #${r.brokenAt!.seq}: ${r.brokenAt!.reason}\n(${r.entries} entries verified before it; last good hash ${r.headHash})`);
    return r.ok ? 0 : 1;
  },
};
