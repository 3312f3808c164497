/**
 * The Electron security checklist, on the real main-process code (electron/main). No Electron
 * binary exists on this machine, so the `electron` module is replaced by a recorder of what the
 * code asks of it (the options of BrowserWindow, the handlers it installs); the handlers are then
 * driven with hostile URLs, frames and payloads. The IPC handlers run against a real service
 * (real SQLite) so schema refusals are the service's own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { API_CALL_NAMES, DESKTOP_CALL_NAMES } from '../../core/api/contract';
import { desktopChannel } from '../../electron/shared/channels';
import { createService, type Service } from '../../core/api/service';
import { RENDERER_CSP } from '../../core/server/csp';
import { tally } from './tally';

type Handler = (...args: any[]) => any;
const recorded = vi.hoisted(() => ({
  windows: [] as Array<{ options: any; loaded: string[] }>,
  appListeners: new Map<string, Handler[]>(),
  ipc: new Map<string, Handler>(),
  opened: [] as string[],
  dialogs: [] as unknown[],
  session: { permissionRequest: undefined as Handler | undefined, permissionCheck: undefined as Handler | undefined, headers: undefined as Handler | undefined, before: undefined as Handler | undefined },
}));

vi.mock('electron', () => {
  class BrowserWindow {
    readonly loaded: string[] = [];
    constructor(readonly options: any) { recorded.windows.push({ options, loaded: this.loaded }); }
    maximize() {}
    once() {}
    on() {}
    isDestroyed() { return false; }
    getNormalBounds() { return { width: 1360, height: 880, x: 0, y: 0 }; }
    isMaximized() { return false; }
    loadURL(url: string) { this.loaded.push(url); return Promise.resolve(); }
    static getAllWindows() { return []; }
    static fromWebContents() { return null; }
  }
  const app = {
    on(name: string, fn: Handler) { recorded.appListeners.set(name, [...(recorded.appListeners.get(name) ?? []), fn]); return app; },
  };
  const session = {
    defaultSession: {
      setPermissionRequestHandler(fn: Handler) { recorded.session.permissionRequest = fn; },
      setPermissionCheckHandler(fn: Handler) { recorded.session.permissionCheck = fn; },
      webRequest: {
        onHeadersReceived(fn: Handler) { recorded.session.headers = fn; },
        onBeforeRequest(fn: Handler) { recorded.session.before = fn; },
      },
    },
  };
  const ipcMain = {
    handle(channel: string, fn: Handler) { recorded.ipc.set(channel, fn); },
    removeHandler(channel: string) { recorded.ipc.delete(channel); },
  };
  const shell = { openExternal(url: string) { recorded.opened.push(url); return Promise.resolve(); } };
  // One 1920×1080 display; a dialog records its options and answers "cancelled".
  const screen = { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] };
  const dialog = { showOpenDialog(...args: unknown[]) { recorded.dialogs.push(args.at(-1)); return Promise.resolve({ canceled: true, filePaths: [] }); } };
  return { app, BrowserWindow, session, ipcMain, shell, screen, dialog, default: { app, BrowserWindow, session, ipcMain, shell, screen, dialog } };
});

const { createMainWindow } = await import('../../electron/main/window');
const { hardenSessions, hardenWebContents } = await import('../../electron/main/security');
const { isTrustedSender, registerApiHandlers } = await import('../../electron/main/ipc');
const { registerDesktopHandlers } = await import('../../electron/main/desktopIpc');

const root = mkdtempSync(join(tmpdir(), 'fastpr-hardening-electron-'));
let service: Service;
afterAll(async () => {
  await service?.close();
  rmSync(root, { recursive: true, force: true });
});

/** A stand-in WebContents with a main frame at `url`. */
function fakeContents(url = 'app://fastpr/index.html') {
  const mainFrame = { url };
  const handlers = new Map<string, Handler>();
  let openHandler: Handler | undefined;
  const sent: unknown[] = [];
  return {
    mainFrame,
    handlers,
    get openHandler() { return openHandler; },
    sent,
    on(name: string, fn: Handler) { handlers.set(name, fn); },
    setWindowOpenHandler(fn: Handler) { openHandler = fn; },
    isDestroyed: () => false,
    send: (_c: string, e: unknown) => sent.push(e),
  };
}

const HOSTILE_URLS = [
  'https://evil.example/', 'http://127.0.0.1:8080/', 'file:///etc/passwd', 'javascript:alert(1)', 'data:text/html,<script>alert(1)</script>',
  'app://evil/index.html', 'app://fastpr.evil.example/', 'app://fastprx/', 'about:blank', 'chrome://settings', 'view-source:app://fastpr/',
  'blob:https://evil.example/1', 'ftp://evil.example/', 'APP://FASTPR.evil/',
];

describe('the main window', () => {
  it('is created with the hardened webPreferences and loads only the app origin', () => {
    createMainWindow(join(root, 'data'), '/opt/fastpr/preload.cjs');
    const w = recorded.windows.at(-1)!;
    const p = w.options.webPreferences;
    const checks: Array<[string, unknown, unknown]> = [
      ['contextIsolation', p.contextIsolation, true], ['sandbox', p.sandbox, true], ['nodeIntegration', p.nodeIntegration, false],
      ['nodeIntegrationInWorker', p.nodeIntegrationInWorker, false], ['nodeIntegrationInSubFrames', p.nodeIntegrationInSubFrames, false],
      ['webviewTag', p.webviewTag, false], ['webSecurity', p.webSecurity, true], ['allowRunningInsecureContent', p.allowRunningInsecureContent, false],
      ['experimentalFeatures', p.experimentalFeatures, false],
    ];
    for (const [name, actual, want] of checks) {
      expect(actual, `webPreferences.${name}`).toBe(want);
      tally({ kind: 'probe', name: `electron webPreferences.${name}`, rejected: actual === want });
    }
    // No option that re-opens Node or remote content may be present at all.
    for (const k of ['enableRemoteModule', 'nodeIntegrationInSubFrames', 'additionalArguments', 'allowpopups']) {
      if (k in p) expect(p[k] === false || p[k] === undefined, k).toBe(true);
    }
    expect(p.preload).toBe('/opt/fastpr/preload.cjs');
    expect(w.loaded).toEqual(['app://fastpr/index.html']);
  });
});

describe('navigation, new windows and webviews', () => {
  let contents: ReturnType<typeof fakeContents>;
  beforeAll(() => {
    hardenWebContents();
    contents = fakeContents();
    for (const fn of recorded.appListeners.get('web-contents-created') ?? []) fn({}, contents);
  });

  it('will-navigate and will-redirect refuse every URL outside app://fastpr', () => {
    for (const event of ['will-navigate', 'will-redirect']) {
      const handler = contents.handlers.get(event)!;
      expect(handler, event).toBeTypeOf('function');
      for (const url of HOSTILE_URLS) {
        const e = { preventDefault: vi.fn() };
        handler(e, url);
        expect(e.preventDefault, `${event} ${url}`).toHaveBeenCalled();
        tally({ kind: 'probe', name: `${event} ${url}`, rejected: e.preventDefault.mock.calls.length > 0 });
      }
      const ok = { preventDefault: vi.fn() };
      handler(ok, 'app://fastpr/index.html#/cases');
      expect(ok.preventDefault).not.toHaveBeenCalled();
    }
  });

  it('window.open is always denied; only https links go to the system browser', () => {
    for (const url of [...HOSTILE_URLS, 'https://docs.example/manual', 'app://fastpr/index.html']) {
      const before = recorded.opened.length;
      const r = contents.openHandler!({ url, frameName: '', features: '', disposition: 'new-window' });
      expect(r, url).toEqual({ action: 'deny' });
      const external = recorded.opened.slice(before);
      expect(external.every((u) => u.startsWith('https://')), url).toBe(true);
      tally({ kind: 'probe', name: `window.open ${url}`, rejected: r.action === 'deny' && external.every((u) => u.startsWith('https://')) });
    }
  });

  it('a <webview> is never attached', () => {
    const e = { preventDefault: vi.fn() };
    contents.handlers.get('will-attach-webview')!(e, {}, {});
    expect(e.preventDefault).toHaveBeenCalled();
    tally({ kind: 'probe', name: 'will-attach-webview', rejected: true });
  });
});

describe('the default session', () => {
  beforeAll(() => hardenSessions());

  it('denies every permission request and check', () => {
    for (const perm of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen', 'hid', 'serial', 'usb']) {
      const cb = vi.fn();
      recorded.session.permissionRequest!({}, perm, cb, {});
      expect(cb).toHaveBeenCalledWith(false);
      expect(recorded.session.permissionCheck!({}, perm, 'app://fastpr', {})).toBe(false);
      tally({ kind: 'probe', name: `permission ${perm}`, rejected: true });
    }
  });

  it('cancels every request that is not the app, data: or blob:', () => {
    for (const url of HOSTILE_URLS.filter((u) => !u.startsWith('data:') && !u.startsWith('blob:'))) {
      const cb = vi.fn();
      recorded.session.before!({ url }, cb);
      expect(cb, url).toHaveBeenCalledWith({ cancel: true });
      tally({ kind: 'probe', name: `session request ${url}`, rejected: true });
    }
    const ok = vi.fn();
    recorded.session.before!({ url: 'app://fastpr/assets/app.js' }, ok);
    expect(ok).toHaveBeenCalledWith({ cancel: false });
  });

  it('puts the renderer CSP on every response, replacing a served one', () => {
    const cb = vi.fn();
    recorded.session.headers!({ responseHeaders: { 'Content-Security-Policy': ["default-src *; script-src 'unsafe-inline'"] } }, cb);
    expect(cb.mock.calls[0]![0].responseHeaders['Content-Security-Policy']).toEqual([RENDERER_CSP]);
    tally({ kind: 'probe', name: 'session CSP header', rejected: true });
  });
});

describe('IPC: sender check and payload schemas on every channel', () => {
  let win: ReturnType<typeof fakeContents>;
  beforeAll(() => {
    process.env.FASTPR_SHIPPED_MODEL_DIR = join(root, 'no-shipped-model');
    service = createService({ dataDir: join(root, 'ipc-data') });
    win = fakeContents();
    registerApiHandlers(service, () => win as never);
  });

  const caseCount = async () => (await service.call('cases.list')).length;

  it('isTrustedSender accepts only the main frame of our window showing app://fastpr', () => {
    const other = fakeContents();
    const trusted = () => win as never;
    const cases: Array<[string, any, boolean]> = [
      ['main frame, app page', { sender: win, senderFrame: win.mainFrame }, true],
      ['sub-frame of our window', { sender: win, senderFrame: { url: 'app://fastpr/index.html' } }, false],
      ['another WebContents', { sender: other, senderFrame: other.mainFrame }, false],
      ['no sender frame (navigated away or destroyed)', { sender: win, senderFrame: null }, false],
    ];
    for (const [name, event, want] of cases) {
      expect(isTrustedSender(event, trusted), name).toBe(want);
      if (!want) tally({ kind: 'probe', name: `ipc sender: ${name}`, rejected: !isTrustedSender(event, trusted) });
    }
    for (const url of HOSTILE_URLS) {
      const foreign = fakeContents(url);
      expect(isTrustedSender({ sender: foreign, senderFrame: foreign.mainFrame } as never, () => foreign as never), url).toBe(false);
      tally({ kind: 'probe', name: `ipc sender: main frame at ${url}`, rejected: true });
    }
    expect(isTrustedSender({ sender: win, senderFrame: win.mainFrame } as never, () => undefined)).toBe(false);
  });

  it('every channel refuses a foreign frame before running anything', async () => {
    const before = await caseCount();
    const sub = { sender: win, senderFrame: { url: 'https://evil.example/' } };
    for (const name of API_CALL_NAMES) {
      const handler = recorded.ipc.get(`api:${name}`);
      expect(handler, name).toBeTypeOf('function');
      const r = await handler!(sub, name === 'cases.create' ? { name: 'from a foreign frame' } : {});
      expect(r.error?.message, name).toMatch(/not the workstation's own page/);
      tally({ kind: 'probe', name: `ipc ${name} from a foreign frame`, rejected: 'error' in r });
    }
    expect(await caseCount()).toBe(before);
  });

  it('every channel refuses wrong-typed payloads with an InputError', async () => {
    const trusted = { sender: win, senderFrame: win.mainFrame };
    const before = await caseCount();
    // Payloads of the wrong type altogether, and objects with a field no call knows.
    const hostile: unknown[] = [42, 'cases', [1, 2], true, { __proto__: { polluted: true }, zzUnknown: 1 }, JSON.parse('{"__proto__":{"polluted":1},"zzUnknown":1}')];
    for (const name of API_CALL_NAMES) {
      const handler = recorded.ipc.get(`api:${name}`)!;
      for (const payload of hostile) {
        const r = await handler(trusted, payload);
        expect(r.error?.name, `${name} ${JSON.stringify(payload)}: ${JSON.stringify(r).slice(0, 200)}`).toBe('InputError');
        expect(r.error.message).toContain(`Invalid input for ${name}`);
        tally({ kind: 'probe', name: `ipc ${name} payload ${JSON.stringify(payload)}`, rejected: r.error?.name === 'InputError' });
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(await caseCount()).toBe(before);
    // The trusted path works (the refusals above are not a broken handler).
    expect((await recorded.ipc.get('api:system.health')!(trusted, undefined)).result.ok).toBe(true);
  });
});

describe('IPC: the desktop (native dialog) channels', () => {
  let win: ReturnType<typeof fakeContents>;
  beforeAll(() => {
    win = fakeContents();
    registerDesktopHandlers(() => win as never);
  });

  it('every desktop channel refuses a foreign frame and wrong-typed payloads without opening a dialog', async () => {
    expect(DESKTOP_CALL_NAMES.length).toBeGreaterThan(0);
    const foreign = { sender: win, senderFrame: { url: 'https://evil.example/' } };
    const trusted = { sender: win, senderFrame: win.mainFrame };
    for (const name of DESKTOP_CALL_NAMES) {
      const handler = recorded.ipc.get(desktopChannel(name));
      expect(handler, name).toBeTypeOf('function');
      const r = await handler!(foreign, name === 'dialog.openFolder' ? { purpose: 'model' } : {});
      expect(r.error?.message, name).toMatch(/not the workstation's own page/);
      tally({ kind: 'probe', name: `ipc ${name} from a foreign frame`, rejected: 'error' in r });
      for (const payload of [42, 'x', [1], { purpose: 'etc/passwd' }, { zzUnknown: 1, purpose: 'model' }, JSON.parse('{"__proto__":{"polluted":1},"zzUnknown":1}')]) {
        const bad = await handler!(trusted, payload);
        expect(bad.error?.name, `${name} ${JSON.stringify(payload)}: ${JSON.stringify(bad)}`).toBe('InputError');
        tally({ kind: 'probe', name: `ipc ${name} payload ${JSON.stringify(payload)}`, rejected: bad.error?.name === 'InputError' });
      }
    }
    expect(recorded.dialogs).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // The trusted path opens the dialog (the refusals above are not a broken handler).
    expect((await recorded.ipc.get(desktopChannel('dialog.openFolder'))!(trusted, { purpose: 'dataset' })).result).toEqual({ path: null });
    expect(recorded.dialogs).toHaveLength(1);
  });
});
