#!/usr/bin/env node
// `npm start`: builds what is missing or stale, then opens the Electron window where the Electron
// binary is installed; otherwise says so in one line and serves the UI on 127.0.0.1 for a browser.
//   npm start -- [--data-dir DIR] [--port N] [--no-open]      (FASTPR_DATA_DIR is honoured too)
import { execFileSync, spawn } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    port: { type: 'string' },
    'no-open': { type: 'boolean', default: false },
    browser: { type: 'boolean', default: false },
  },
  allowPositionals: false,
});

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

/** Rebuilds `output` with `command` when it is missing or older than any of `inputs`. */
function buildIfStale(what, output, inputs, args) {
  const outTime = existsSync(output) ? statSync(output).mtimeMs : 0;
  if (outTime > 0 && outTime >= Math.max(...inputs.map((p) => newestMtime(join(root, p))))) return;
  console.log(`Building ${what}…`);
  execFileSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
}

function electronBinary() {
  try {
    const dir = dirname(require.resolve('electron/package.json'));
    const pathFile = join(dir, 'path.txt');
    if (!existsSync(pathFile)) return undefined;
    const binary = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
    return existsSync(binary) ? binary : undefined;
  } catch {
    return undefined;
  }
}

function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Opens the URL in the user's browser when there is one and a display to show it on. */
function openBrowser(url) {
  if (process.env.CI || values['no-open']) return 'skipped (CI or --no-open)';
  let command;
  let args = [url];
  if (process.platform === 'darwin') command = 'open';
  else if (process.platform === 'win32') {
    command = 'cmd';
    args = ['/c', 'start', '""', url];
  } else {
    if (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return 'no display to open a browser on';
    command = ['xdg-open', 'chromium', 'chromium-browser', 'google-chrome', 'firefox'].map(onPath).find(Boolean);
    if (!command) return 'no browser installed';
  }
  try {
    const child = spawn(command, args, { detached: true, stdio: 'ignore' });
    child.on('error', () => {});
    child.unref();
    return `opening with ${command}`;
  } catch {
    return 'could not start a browser';
  }
}

buildIfStale('the renderer', join(root, 'renderer', 'dist', 'index.html'),
  ['renderer/src', 'renderer/public', 'renderer/index.html', 'renderer/vite.config.ts', 'core/server/csp.ts'],
  [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', join(root, 'renderer', 'vite.config.ts')]);

/** Lets this script import the TypeScript sources (once). */
let tsxRegistered = false;
async function useTsx() {
  if (tsxRegistered) return;
  const { register } = await import('tsx/esm/api');
  register();
  tsxRegistered = true;
}

/**
 * Electron can open the window only if the case database's native module (better-sqlite3) loads
 * under Electron's ABI; `npm ci` builds it for Node's. Checked in a child before the window opens,
 * so a mismatch is one clear message and the browser transport, not a crash.
 */
async function electronUsable(binary) {
  await useTsx();
  const { probeSqliteUnder } = await import('../electron/main/nativeAbi.ts');
  const probe = probeSqliteUnder(binary);
  if (probe.ok) return true;
  console.error(`Electron found, but it cannot open the case database:\n${probe.message}`);
  return false;
}

let electron = values.browser ? undefined : electronBinary();
if (electron && !(await electronUsable(electron))) electron = undefined;
if (electron) {
  buildIfStale('the Electron bundles', join(root, 'dist-electron', 'main.cjs'), ['electron', 'core'], [join(root, 'electron', 'build.mjs')]);
  const args = [root];
  if (values['data-dir']) args.push('--data-dir', values['data-dir']);
  const child = spawn(electron, args, { cwd: root, stdio: 'inherit' });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  console.log(values.browser
    ? 'Browser mode requested: serving the workstation on 127.0.0.1.'
    : electronBinary()
      ? 'Falling back to the browser transport: serving the workstation to your browser on 127.0.0.1.'
      : 'Electron binary not available here (node_modules/electron has no downloaded binary): serving the workstation to your browser on 127.0.0.1 instead.');
  await useTsx();
  const { resolveDataDir } = await import('../core/platform/dataDir.ts');
  const { startWorkstationServer } = await import('../core/server/workstationServer.ts');
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port must be an integer 0–65535, got "${values.port}"`);
    process.exit(2);
  }
  const dataDir = resolveDataDir(values['data-dir']);
  // npm start is the investigator's entry point: first start creates the demo case (core/demo).
  const server = await startWorkstationServer({ dataDir, port, demo: true });
  console.log(`Open: ${server.url}`);
  console.log(`Data directory: ${dataDir}`);
  console.log(`Browser: ${openBrowser(server.url)}. Press Ctrl+C to stop.`);
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
