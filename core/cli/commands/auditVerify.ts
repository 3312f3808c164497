/** `fastpr audit verify [--json]`: re-checks the whole audit hash chain; exit 1 at the first broken link. */
import { InputError } from '../../errors';
import { verifyAuditChain, type AuditAnchor } from '../../store/audit';
import { withStore } from '../../store/store';
import type { CliCommand } from '../command';

export const auditVerifyCommand: CliCommand = {
  name: 'audit verify',
  summary: "Verify the audit log's hash chain and report the first broken link",
  usage: `fastpr audit verify [--anchor SEQ:HASH]... [--json] [--data-dir DIR]   (exit 0 = intact, 1 = broken)
  --anchor SEQ:HASH  an audit head printed in an earlier report; the entry must still have that hash`,
  options: { anchor: { type: 'string', multiple: true } },
  async run(ctx) {
    const anchors: AuditAnchor[] = ((ctx.values.anchor as string[] | undefined) ?? []).map((a) => {
      const m = /^#?(\d+):([0-9a-fA-F]{64})$/.exec(a.trim());
      if (!m) throw new InputError(`--anchor must be SEQ:HASH (entry number, colon, 64 hex digits); got "${a}"`, { field: 'anchor' });
      return { seq: Number(m[1]), hash: m[2]! };
    });
    const r = await withStore(ctx.dataDir, (store) => ({ ...verifyAuditChain(store.db, { anchors }), anchors: anchors.length, database: store.file }));
    if (ctx.json) ctx.print(JSON.stringify(r, null, 2));
    else if (r.ok) ctx.print(`Audit chain intact: ${r.entries} entries${anchors.length ? `, ${anchors.length} anchor(s) matched` : ''}; head #${r.headSeq} ${r.headHash}`);
    else ctx.print(`AUDIT CHAIN BROKEN at entry #${r.brokenAt!.seq}: ${r.brokenAt!.reason}\n(${r.entries} entries verified before it; last good hash ${r.headHash})`);
    return r.ok ? 0 : 1;
  },
};
