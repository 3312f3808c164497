/** Every CLI command, one file each. Add yours here (keep alphabetical). */
import type { CliCommand } from '../command';
import { baselineTrainCommand } from './baselineTrain';
import { evalCommand } from './eval';
import { infoCommand } from './info';
import { serveCommand } from './serve';

export const COMMANDS: CliCommand[] = [
  baselineTrainCommand,
  evalCommand,
  infoCommand,
  serveCommand,
];
