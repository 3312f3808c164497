/**
 * better-sqlite3 is a native add-on compiled for one ABI (NODE_MODULE_VERSION): `npm ci` builds it
 * for Node's, Electron needs its own (rebuilt by electron-builder's npmRebuild when packaging, or
 * by hand with @electron/rebuild). This module checks whether it loads under a given binary run as
 * Node (ELECTRON_RUN_AS_NODE, the same ABI as Electron's main process and job workers), and turns
 * the loader's cryptic message into one an investigator can act on. Used by bin/start.mjs before
 * it opens the window, and by electron/main when the service cannot start.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { workerEntryFor } from '../../core/jobs/spawn';

export interface AbiMismatch {
  /** NODE_MODULE_VERSION the add-on was built for (null when the message does not say). */
  builtFor: number | null;
  /** NODE_MODULE_VERSION the running binary needs. */
  needs: number | null;
}

/** The manual fix, for a checkout (a packaged app is rebuilt by electron-builder). */
export const REBUILD_COMMAND = 'npx @electron/rebuild -f -o better-sqlite3';

/** Reads Node's "was compiled against a different Node.js version" loader error; undefined for any other text. */
export function parseAbiMismatch(text: string): AbiMismatch | undefined {
  if (!/NODE_MODULE_VERSION|compiled against a different Node\.js version/.test(text)) return undefined;
  const built = /using\s+NODE_MODULE_VERSION\s+(\d+)/.exec(text);
  const needs = /requires\s+NODE_MODULE_VERSION\s+(\d+)/.exec(text);
  return { builtFor: built ? Number(built[1]) : null, needs: needs ? Number(needs[1]) : null };
}

export function abiMismatchMessage(m: AbiMismatch): string {
  const versions = m.builtFor !== null && m.needs !== null ? ` (built for NODE_MODULE_VERSION ${m.builtFor}, Electron needs ${m.needs})` : '';
  return [
    `The case database module (better-sqlite3) is compiled for Node, not for Electron${versions}.`,
    `To use the desktop window from this checkout, rebuild it for Electron: ${REBUILD_COMMAND}`,
    '(afterwards the CLI and tests under plain Node need `npm rebuild better-sqlite3` to switch back).',
  ].join('\n');
}

/** A startup error for a person: the ABI explanation when that is the cause, else the error's own message. */
export function describeStartupError(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const mismatch = parseAbiMismatch(text);
  return mismatch ? abiMismatchMessage(mismatch) : text;
}

export type NativeProbe = { ok: true } | { ok: false; mismatch?: AbiMismatch; message: string };

/** core/store/sqlite.ts, the one module that imports better-sqlite3 (resolved in the checkout). */
const SQLITE_MODULE = new URL('../../core/store/sqlite.ts', import.meta.url).href;

/**
 * Opens an in-memory SQLite database through core/store/sqlite.ts (sqliteVersion) in `binary`
 * run as Node, with the tsx loader as the job workers use it. The add-on loads lazily, so only
 * opening a database proves it loads. `moduleUrl` replaces the module (tests).
 */
export function probeSqliteUnder(binary: string, options: { moduleUrl?: string; timeoutMs?: number } = {}): NativeProbe {
  const moduleUrl = options.moduleUrl ?? SQLITE_MODULE;
  const script = `import(${JSON.stringify(moduleUrl)}).then((m) => { m.sqliteVersion(); })`
    + '.catch((e) => { console.error(e && e.message ? e.message : String(e)); process.exit(1); });';
  const run = spawnSync(binary, [...workerEntryFor(fileURLToPath(moduleUrl)).execArgv, '-e', script], {
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 60_000,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (run.error) return { ok: false, message: `could not run ${binary}: ${run.error.message}` };
  if (run.status === 0) return { ok: true };
  const stderr = run.stderr ?? '';
  const mismatch = parseAbiMismatch(stderr);
  if (mismatch) return { ok: false, mismatch, message: abiMismatchMessage(mismatch) };
  const firstLines = stderr.split('\n').filter((l) => l.trim()).slice(0, 4).join('\n');
  return { ok: false, message: `The case database module (better-sqlite3) failed to load under ${binary} (exit ${run.status ?? run.signal}):\n${firstLines}` };
}
