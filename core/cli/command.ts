/** The shape of one CLI command. Commands live one per file in core/cli/commands/. */
import type { ParseArgsConfig } from 'node:util';
import type { ProgressListener } from '../jobs/progress';

export interface CliContext {
  /** Positional arguments after the command's own words. */
  positionals: string[];
  /** Parsed option values. */
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  /** Resolved data directory (--data-dir > FASTPR_DATA_DIR > platform default). */
  dataDir: string;
  /** --json: print machine-readable output only. */
  json: boolean;
  /** Writes a line to stdout. */
  print: (line: string) => void;
  /** Progress bar on a terminal (stderr), silent otherwise or with --json. */
  progress: ProgressListener;
  /** Aborted on SIGINT/SIGTERM so long jobs stop cleanly and stay resumable. */
  signal: AbortSignal;
}

export interface CliCommand {
  /** One or more words, e.g. 'synth' or 'dataset check'. */
  name: string;
  summary: string;
  usage: string;
  options?: NonNullable<ParseArgsConfig['options']>;
  /** Returns the exit code (0 when undefined). */
  run(ctx: CliContext): Promise<number | void>;
}
