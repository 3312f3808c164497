/** `fastpr dataset check DIR`: full validation; exit 1 with the first problem. */
import { validateDataset } from '../../dataset/validate';
import { InputError } from '../../errors';
import type { CliCommand } from '../command';

export const datasetCheckCommand: CliCommand = {
  name: 'dataset check',
  summary: 'Validate a dataset folder (manifest, every line, images, boxes, queries, splits)',
  usage: 'fastpr dataset check DIR [--max-problems N] [--no-images] [--json]',
  options: {
    'max-problems': { type: 'string' },
    'no-images': { type: 'boolean', default: false },
  },
  async run(ctx) {
    const dir = ctx.positionals[0];
    if (!dir) throw new InputError('give the dataset folder');
    const maxProblems = Number(ctx.values['max-problems'] ?? 1);
    if (!Number.isInteger(maxProblems) || maxProblems < 1) throw new InputError('--max-problems must be a positive integer');
    const r = validateDataset(dir, { maxProblems, checkImages: ctx.values['no-images'] !== true });
    if (ctx.json) {
      ctx.print(JSON.stringify({ ok: r.ok, counts: r.counts, problems: r.problems }, null, 2));
    } else if (r.ok) {
      const c = r.counts;
      ctx.print(`OK ${dir}: ${c.frames} frames (${c.labelledFrames} labelled), ${c.persons} people, ${c.queries} queries, ${c.sequences} sequences`);
    } else {
      for (const p of r.problems) ctx.print(`FAIL ${p.message}`);
    }
    return r.ok ? 0 : 1;
  },
};
