/** Every CLI command, one file each. Add yours here (keep alphabetical). */
import type { CliCommand } from '../command';
import { baselineTrainCommand } from './baselineTrain';
import { datasetCheckCommand } from './datasetCheck';
import { datasetSheetCommand } from './datasetSheet';
import { datasetStatsCommand } from './datasetStats';
import { evalCommand } from './eval';
import { importSoftbioCommand } from './importSoftbio';
import { infoCommand } from './info';
import { parseCommand } from './parse';
import { serveCommand } from './serve';
import { synthCommand } from './synth';

export const COMMANDS: CliCommand[] = [
  baselineTrainCommand,
  datasetCheckCommand,
  datasetSheetCommand,
  datasetStatsCommand,
  evalCommand,
  importSoftbioCommand,
  infoCommand,
  parseCommand,
  serveCommand,
  synthCommand,
];
