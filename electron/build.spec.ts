/**
 * The Electron bundles: built for real with esbuild, then checked for what Electron needs —
 * the sandboxed preload requires nothing but 'electron', and main requires only Node builtins
 * and the packages deliberately left external (native or optional).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { API_CALL_NAMES, DESKTOP_CALL_NAMES } from '../core/api/contract';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'dist-electron');

const requiresOf = (code: string) => [...new Set([...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!))].sort();

beforeAll(() => {
  execFileSync(process.execPath, [join(root, 'electron', 'build.mjs')], { cwd: root, stdio: 'pipe', timeout: 60_000 });
});

describe('electron/build.mjs', () => {
  it('writes dist-electron/main.cjs and preload.cjs that parse as CommonJS', () => {
    for (const f of ['main.cjs', 'preload.cjs']) {
      expect(existsSync(join(out, f)), f).toBe(true);
      execFileSync(process.execPath, ['--check', join(out, f)]);
    }
  });

  it('preload requires only electron and exposes every contract call', () => {
    const code = readFileSync(join(out, 'preload.cjs'), 'utf8');
    expect(requiresOf(code)).toEqual(['electron']);
    expect(code).toContain('exposeInMainWorld');
    for (const name of API_CALL_NAMES) expect(code).toContain(name);
  });

  it('preload exposes the desktop calls, the menu stream and webUtils.getPathForFile (not File.path)', () => {
    const code = readFileSync(join(out, 'preload.cjs'), 'utf8');
    for (const name of DESKTOP_CALL_NAMES) expect(code).toContain(name);
    expect(code).toContain('desktop:menu');
    expect(code).toContain('getPathForFile');
  });

  it('main requires only builtins and the external native/optional packages', () => {
    const allowed = /^(node:|electron$|better-sqlite3$|onnxruntime-node$|@napi-rs\/canvas$|@tensorflow\/|ffmpeg-static$|@ffmpeg-installer\/|@ffprobe-installer\/)/;
    const code = readFileSync(join(out, 'main.cjs'), 'utf8');
    const bad = requiresOf(code).filter((id) => !allowed.test(id));
    expect(bad).toEqual([]);
    expect(code).not.toMatch(/import\.meta\.url/);
  });
});
