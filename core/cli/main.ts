/** Entry point of the `fastpr` CLI: global flags, command lookup, error reporting. */
import { parseArgs } from 'node:util';
import { resolveDataDir } from '../platform/dataDir';
import { COMMANDS, loadAllCommands, type CommandEntry } from './commands/index';
import type { CliContext } from './command';
import { terminalProgress } from './progressBar';

function findCommand(argv: string[]): { entry: CommandEntry; rest: string[] } | undefined {
  const words = argv.filter((a) => !a.startsWith('-'));
  // Longest match first: 'dataset check' before 'dataset'.
  const sorted = [...COMMANDS].sort((a, b) => b.name.split(' ').length - a.name.split(' ').length);
  for (const entry of sorted) {
    const parts = entry.name.split(' ');
    if (parts.every((p, i) => words[i] === p)) {
      const rest = [...argv];
      for (const p of parts) rest.splice(rest.indexOf(p), 1);
      return { entry, rest };
    }
  }
  return undefined;
}

async function helpText(): Promise<string> {
  const lines = ['Usage: fastpr <command> [options]   (global: --data-dir DIR, --json)', '', 'Commands:'];
  const commands = await loadAllCommands();
  for (const c of commands.sort((a, b) => a.name.localeCompare(b.name))) lines.push(`  ${c.name.padEnd(18)} ${c.summary}`);
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    console.log(await helpText());
    return argv.length === 0 ? 1 : 0;
  }
  const found = findCommand(argv);
  if (!found) {
    const names = COMMANDS.map((c) => c.name).sort().join(', ');
    console.error(`fastpr: unknown command "${argv.filter((a) => !a.startsWith('-'))[0] ?? argv[0]}"; commands: ${names} (fastpr --help)`);
    return 2;
  }
  const { rest } = found;
  const command = await found.entry.load();
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        ...command.options,
        'data-dir': { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    console.error(`fastpr ${command.name}: ${(err as Error).message}\nUsage: ${command.usage}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(`${command.summary}\nUsage: ${command.usage}`);
    return 0;
  }
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const json = parsed.values.json === true;
  try {
    const code = await command.run({
      positionals: parsed.positionals,
      values: parsed.values as CliContext['values'],
      dataDir: resolveDataDir(parsed.values['data-dir'] as string | undefined),
      json,
      print: (line) => process.stdout.write(line + '\n'),
      progress: json ? () => {} : terminalProgress(),
      signal: controller.signal,
    });
    return code ?? 0;
  } catch (err) {
    const e = err as Error;
    if (json) process.stdout.write(JSON.stringify({ error: { name: e.name, message: e.message } }) + '\n');
    console.error(`fastpr ${command.name}: ${e.name}: ${e.message}`);
    if (process.env.FASTPR_DEBUG) console.error(e.stack);
    return e.name === 'CancelledError' ? 130 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
