/** Every CLI command, one file each. Add yours here (keep alphabetical). */
import type { CliCommand } from '../command';
import { infoCommand } from './info';
import { serveCommand } from './serve';

export const COMMANDS: CliCommand[] = [
  infoCommand,
  serveCommand,
];
