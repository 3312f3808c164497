/** `fastpr parse "free text" [--json]`: how the workstation reads a query, slot by slot. */
import { formatSlotText } from '../../attributes/codec';
import { parseQuery, slotReport } from '../../query/index';
import type { CliCommand } from '../command';

export const parseCommand: CliCommand = {
  name: 'parse',
  summary: 'Parse a free-text (or slot=value) person description into the 16 attribute slots',
  usage: 'fastpr parse "tall woman in a red top with a backpack" [--json]',
  async run(ctx) {
    const input = ctx.positionals.join(' ');
    const q = parseQuery(input);
    const slots = slotReport(q.codes);
    const ignored = q.ignored.map((t) => ({ text: t.text, start: t.start, end: t.end, reason: t.reason }));
    if (ctx.json) {
      ctx.print(JSON.stringify({
        input: q.input, mode: q.mode, codes: q.codes, slotText: formatSlotText(q.codes), text: q.text, slots, ignored,
        filler: q.tokens.filter((t) => t.use === 'filler').map((t) => t.text),
      }, null, 2));
      return;
    }
    ctx.print(`query: ${q.text}`);
    for (const s of slots) if (s.code !== -1) ctx.print(`  ${s.tag.padEnd(18)} ${String(s.code).padStart(2)}  ${s.value}`);
    const unknown = slots.filter((s) => s.code === -1).map((s) => s.tag);
    if (unknown.length) ctx.print(`  unknown: ${unknown.join(', ')}`);
    if (ignored.length) {
      ctx.print('ignored:');
      for (const t of ignored) ctx.print(`  "${t.text}" — ${t.reason}`);
    }
  },
};
