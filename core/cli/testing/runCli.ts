/** For specs: the real CLI entry point in-process, its stdout and console errors captured (stderr's progress bars dropped). */
import { vi } from 'vitest';
import { main } from '../main';

export async function runCli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const chunks: string[] = [], errors: string[] = [];
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => { chunks.push(String(c)); return true; });
  const err = vi.spyOn(console, 'error').mockImplementation((m: string) => { errors.push(String(m)); });
  const errw = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    return { code: await main(argv), out: chunks.join(''), err: errors.join('\n') };
  } finally {
    out.mockRestore(); err.mockRestore(); errw.mockRestore();
  }
}

/** The last line of a `--json` command's output, parsed. */
export const lastJson = (out: string) => JSON.parse(out.trim().split('\n').pop()!);
