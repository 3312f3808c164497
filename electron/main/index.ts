/**
 * Electron main process: one service for the app's lifetime, the renderer served from app://,
 * IPC handlers derived from the contract, and one hardened window.
 */
import { app, BrowserWindow } from 'electron';
import { join } from 'node:path';
import { createService, type Service } from '../../core/api/service';
import { resolveDataDir } from '../../core/platform/dataDir';
import { dataDirFromArgv } from './dataDirArg';
import { registerApiHandlers } from './ipc';
import { installMenu } from './menu';
import { registerAppScheme, serveRenderer } from './protocol';
import { hardenSessions, hardenWebContents } from './security';
import { createMainWindow, preloadPathNextTo } from './window';

// Bundled to dist-electron/main.cjs; the renderer build sits in renderer/dist beside it.
const MAIN_DIR = __dirname;
const RENDERER_DIR = join(MAIN_DIR, '..', 'renderer', 'dist');

const dataDir = resolveDataDir(dataDirFromArgv(process.argv));
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
    serveRenderer(RENDERER_DIR);
    installMenu();
    service = createService({ dataDir });
    registerApiHandlers(service, () => mainWindow?.webContents);
    mainWindow = createMainWindow(dataDir, preloadPathNextTo(MAIN_DIR));
    mainWindow.on('closed', () => (mainWindow = undefined));
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) mainWindow = createMainWindow(dataDir, preloadPathNextTo(MAIN_DIR));
    });
  }).catch((err: unknown) => {
    console.error('FastPR Workstation failed to start:', err);
    app.exit(1);
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('will-quit', () => {
    void service?.close();
  });
}
