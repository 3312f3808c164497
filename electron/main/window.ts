/** The hardened main window, with its size remembered in the data directory. */
import { BrowserWindow, screen } from 'electron';
import { join } from 'node:path';
import { APP_ORIGIN } from '../shared/channels';
import { loadWindowState, placeOnScreen, saveWindowState } from './windowState';

export function createMainWindow(dataDir: string, preloadPath: string): BrowserWindow {
  // Validated when read (malformed → default) and fitted to the displays present now (off-screen → centred).
  const state = placeOnScreen(loadWindowState(dataDir), screen.getAllDisplays().map((d) => d.workArea));
  const win = new BrowserWindow({
    width: state.width,
    height: state.height,
    x: state.x,
    y: state.y,
    minWidth: 960,
    minHeight: 600,
    show: false,
    backgroundColor: '#0d1117',
    title: 'FastPR Workstation',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      spellcheck: false,
    },
  });
  if (state.maximized) win.maximize();
  win.once('ready-to-show', () => win.show());

  let saveTimer: NodeJS.Timeout | undefined;
  const remember = () => {
    if (win.isDestroyed()) return;
    const bounds = win.getNormalBounds();
    try {
      saveWindowState(dataDir, { ...bounds, maximized: win.isMaximized() });
    } catch {
      // A read-only data directory must not break the window; the size is simply not remembered.
    }
  };
  const rememberSoon = () => {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(remember, 500);
  };
  win.on('resize', rememberSoon);
  win.on('move', rememberSoon);
  win.on('close', () => {
    clearTimeout(saveTimer);
    remember();
  });

  void win.loadURL(`${APP_ORIGIN}/index.html`);
  return win;
}

export function preloadPathNextTo(mainDir: string): string {
  return join(mainDir, 'preload.cjs');
}
