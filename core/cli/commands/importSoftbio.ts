/** `fastpr import-softbio SRC... --out DIR`: SoftBioSearch (index XML + sequence folders) → dataset folder. */
import { importSoftBio } from '../../dataset/softbio/importer';
import { InputError } from '../../errors';
import type { CliCommand } from '../command';

export const importSoftbioCommand: CliCommand = {
  name: 'import-softbio',
  summary: 'Import SoftBioSearch (QUTSoftBioSearch.xml or sequence folders) into the common dataset format',
  usage: 'fastpr import-softbio SRC [SRC...] --out DIR [--seed N] [--val-fraction F] [--overwrite] [--json]',
  options: {
    out: { type: 'string' },
    seed: { type: 'string' },
    'val-fraction': { type: 'string' },
    overwrite: { type: 'boolean', default: false },
  },
  async run(ctx) {
    const out = ctx.values.out as string | undefined;
    if (!out) throw new InputError('--out DIR is required');
    if (ctx.positionals.length === 0) throw new InputError('give the SoftBioSearch folder or its QUTSoftBioSearch.xml');
    const seed = Number(ctx.values.seed ?? 0);
    const valFraction = Number(ctx.values['val-fraction'] ?? 0);
    if (!Number.isInteger(seed)) throw new InputError(`--seed must be an integer, got "${String(ctx.values.seed)}"`);
    if (!(valFraction >= 0 && valFraction < 1)) throw new InputError(`--val-fraction must be in [0, 1), got "${String(ctx.values['val-fraction'])}"`);
    const r = await importSoftBio(ctx.positionals, {
      out, seed, valFraction, overwrite: ctx.values.overwrite === true, signal: ctx.signal, onProgress: ctx.progress,
    });
    const { splits } = r.manifest;
    if (ctx.json) {
      ctx.print(JSON.stringify({ out, frames: r.frames, labelledFrames: r.labelledFrames, splits, warnings: r.warnings }, null, 2));
      return;
    }
    ctx.print(`imported ${r.frames} frames (${r.labelledFrames} labelled) into ${out}`);
    ctx.print(`splits: train ${splits.train.length}, val ${splits.val.length}, test ${splits.test.length} sequences`);
    for (const w of r.warnings.slice(0, 20)) ctx.print(`warning: ${w}`);
    if (r.warnings.length > 20) ctx.print(`… ${r.warnings.length - 20} more warnings (use --json to see all)`);
  },
};
