/** `--data-dir DIR` / `--data-dir=DIR` from Electron's argv (Chromium switches are mixed in). */
export function dataDirFromArgv(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.startsWith('--data-dir=')) return arg.slice('--data-dir='.length);
    if (arg === '--data-dir' && argv[i + 1] !== undefined) return argv[i + 1];
  }
  return undefined;
}
