/** `fastpr case create NAME`: opens a new case. */
import { InputError } from '../../errors';
import { createCase } from '../../store/cases';
import { withStore } from '../../store/store';
import type { CliCommand } from '../command';

export const caseCreateCommand: CliCommand = {
  name: 'case create',
  summary: 'Open a new case',
  usage: 'fastpr case create NAME [--json] [--data-dir DIR]',
  async run(ctx) {
    const name = ctx.positionals.join(' ');
    if (!name.trim()) throw new InputError('give the case a name: fastpr case create NAME');
    const c = await withStore(ctx.dataDir, (store) => createCase(store, name));
    ctx.print(ctx.json ? JSON.stringify(c) : `Created case "${c.name}" (#${c.id})`);
  },
};
