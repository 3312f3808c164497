/** `fastpr case close NAME`: closes a case; it stays readable and exportable, but no longer changes. */
import { InputError } from '../../errors';
import { closeCase, getCaseByName } from '../../store/cases';
import { withStore } from '../../store/store';
import type { CliCommand } from '../command';

export const caseCloseCommand: CliCommand = {
  name: 'case close',
  summary: 'Close a case (read-only afterwards; reports can still be exported)',
  usage: 'fastpr case close NAME [--json] [--data-dir DIR]',
  async run(ctx) {
    const name = ctx.positionals.join(' ');
    if (!name.trim()) throw new InputError('name the case to close: fastpr case close NAME');
    const c = await withStore(ctx.dataDir, (store) => closeCase(store, getCaseByName(store, name).id));
    ctx.print(ctx.json ? JSON.stringify(c) : `Closed case "${c.name}" (#${c.id}) at ${c.closedAt}`);
  },
};
