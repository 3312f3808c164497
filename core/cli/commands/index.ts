/** Every CLI command, one file each. Add yours here (keep alphabetical). */
import type { CliCommand } from '../command';

export const COMMANDS: CliCommand[] = [
];
