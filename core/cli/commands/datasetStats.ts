/** `fastpr dataset stats DIR [--json]`: attribute histograms, people per frame, box sizes, per split. */
import { readDataset } from '../../dataset/reader';
import { datasetStats, formatStats } from '../../dataset/stats';
import { InputError } from '../../errors';
import type { CliCommand } from '../command';

export const datasetStatsCommand: CliCommand = {
  name: 'dataset stats',
  summary: 'Attribute histograms, people per frame, box sizes and queries of a dataset, per split',
  usage: 'fastpr dataset stats DIR [--json]',
  async run(ctx) {
    const dir = ctx.positionals[0];
    if (!dir) throw new InputError('give the dataset folder');
    const stats = datasetStats(readDataset(dir));
    ctx.print(ctx.json ? JSON.stringify(stats, null, 2) : formatStats(stats));
  },
};
