/**
 * The better-sqlite3 ABI check of `npm start`. Electron is not installed on CI, so the probe runs
 * under this Node (same mechanism: a binary run as Node with the tsx loader), where the add-on
 * really loads; the mismatch text is Node's own loader message.
 */
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { abiMismatchMessage, describeStartupError, parseAbiMismatch, probeSqliteUnder, REBUILD_COMMAND } from './nativeAbi';

// Node's message (src/node_binding.cc) when an add-on was built for another ABI, as better-sqlite3 reports it.
const NODE_MESSAGE = `The module '/app/node_modules/better-sqlite3/build/Release/better_sqlite3.node'
was compiled against a different Node.js version using
NODE_MODULE_VERSION 115. This version of Node.js requires
NODE_MODULE_VERSION 146. Please try re-compiling or re-installing
the module (for instance, using \`npm rebuild\` or \`npm install\`).`;

describe('ABI mismatch message', () => {
  it('reads both versions from the loader error', () => {
    expect(parseAbiMismatch(NODE_MESSAGE)).toEqual({ builtFor: 115, needs: 146 });
    expect(parseAbiMismatch('SQLITE_CANTOPEN: unable to open database file')).toBeUndefined();
  });

  it('tells the user what is wrong and the command that fixes it', () => {
    const text = abiMismatchMessage({ builtFor: 115, needs: 146 });
    expect(text).toContain('better-sqlite3');
    expect(text).toContain('NODE_MODULE_VERSION 115');
    expect(text).toContain(REBUILD_COMMAND);
    expect(describeStartupError(new Error(NODE_MESSAGE))).toBe(text);
    expect(describeStartupError(new Error('disk full'))).toBe('disk full');
  });
});

describe('probeSqliteUnder', () => {
  it('opens a database through core/store/sqlite.ts under a binary run as Node', () => {
    expect(probeSqliteUnder(process.execPath)).toEqual({ ok: true });
  });

  it('reports a module that does not load, without claiming an ABI mismatch', () => {
    const r = probeSqliteUnder(process.execPath, { moduleUrl: pathToFileURL(join(tmpdir(), 'fastpr-no-such-module.ts')).href });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.mismatch).toBeUndefined();
    expect(r.message).toMatch(/failed to load/);
    expect(r.message).toMatch(/fastpr-no-such-module/);
  });

  it('reports a binary that does not exist', () => {
    const r = probeSqliteUnder(join(tmpdir(), 'no-electron-here'));
    expect(r).toMatchObject({ ok: false, message: expect.stringMatching(/could not run/) });
  });
});
