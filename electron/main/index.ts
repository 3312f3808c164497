/**
 * Electron main process: one service for the app's lifetime, the renderer served from app://,
 * IPC handlers derived from the contract, and one hardened window.
 */
import { app, BrowserWindow, dialog } from 'electron';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createService, type Service } from '../../core/api/service';
import { workerEntryFor, type WorkerEntry } from '../../core/jobs/spawn';
import { resolveDataDir } from '../../core/platform/dataDir';
import { sqliteVersion } from '../../core/store/sqlite';
import { dataDirFromArgv } from './dataDirArg';
import { registerDesktopHandlers } from './desktopIpc';
import { registerApiHandlers } from './ipc';
import { installMenu } from './menu';
import { describeStartupError } from './nativeAbi';
import { registerAppScheme, serveRenderer } from './protocol';
import { hardenSessions, hardenWebContents } from './security';
import { createMainWindow, preloadPathNextTo } from './window';

// Bundled to dist-electron/main.cjs; the renderer build sits in renderer/dist beside it.
const MAIN_DIR = __dirname;
const RENDERER_DIR = join(MAIN_DIR, '..', 'renderer', 'dist');

const dataDir = resolveDataDir(dataDirFromArgv(process.argv));

// The shipped model sits at <app>/models/default; core/index's default is computed from its own
// module path, which inside this bundle (dist-electron/main.cjs) points one folder too high.
process.env.FASTPR_SHIPPED_MODEL_DIR ??= join(MAIN_DIR, '..', 'models', 'default');

/**
 * Long jobs run in child processes forked from here (Electron runs them as Node with its own ABI,
 * so native modules load as in main): the bundled dist-electron/jobWorker.mjs when the build made
 * one, else the checkout's core/jobs/worker.ts through tsx (development).
 */
function jobWorkerEntry(): WorkerEntry {
  const bundled = join(MAIN_DIR, 'jobWorker.mjs');
  return workerEntryFor(existsSync(bundled) ? bundled : join(MAIN_DIR, '..', 'core', 'jobs', 'worker.ts'));
}
let service: Service | undefined;
let mainWindow: BrowserWindow | undefined;

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  registerAppScheme();
  hardenWebContents();
  app.on('second-instance', () => {
    if (mainWindow?.isMinimized()) mainWindow.restore();
    mainWindow?.focus();
  });
  app.whenReady().then(() => {
    hardenSessions();
    installMenu(() => mainWindow?.webContents);
    // The case database opens lazily: load the native add-on now, so an ABI mismatch stops startup
    // with the error box below instead of failing every call in an open window.
    sqliteVersion();
    service = createService({ dataDir, demo: process.env.FASTPR_NO_DEMO !== '1', workerEntry: jobWorkerEntry() });
    const live = service;
    serveRenderer(RENDERER_DIR, (id) => live.mediaPath(id));
    registerApiHandlers(service, () => mainWindow?.webContents);
    registerDesktopHandlers(() => mainWindow?.webContents);
    mainWindow = createMainWindow(dataDir, preloadPathNextTo(MAIN_DIR));
    mainWindow.on('closed', () => (mainWindow = undefined));
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) mainWindow = createMainWindow(dataDir, preloadPathNextTo(MAIN_DIR));
    });
  }).catch((err: unknown) => {
    console.error('FastPR Workstation failed to start:', err);
    // Shown before any window exists; names the fix when better-sqlite3 is built for Node's ABI.
    dialog.showErrorBox('FastPR Workstation could not start', describeStartupError(err));
    app.exit(1);
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('will-quit', () => {
    void service?.close();
  });
}
