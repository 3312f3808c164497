/**
 * App-wide hardening (Electron security checklist): no navigation away from the app, no new
 * windows, no <webview>, no permissions, CSP on every response of the default session.
 */
import { app, session, shell } from 'electron';
import { RENDERER_CSP } from '../../core/server/csp';
import { APP_ORIGIN } from '../shared/channels';

function isAppUrl(url: string): boolean {
  try {
    return new URL(url).origin === APP_ORIGIN || url.startsWith(`${APP_ORIGIN}/`);
  } catch {
    return false;
  }
}

export function hardenSessions(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [RENDERER_CSP] } });
  });
  // The app is offline: refuse every request that is not its own page or a local data URL.
  ses.webRequest.onBeforeRequest((details, callback) => {
    const allowed = isAppUrl(details.url) || details.url.startsWith('data:') || details.url.startsWith('blob:') || details.url.startsWith('devtools:');
    callback({ cancel: !allowed });
  });
}

export function hardenWebContents(): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isAppUrl(url)) event.preventDefault();
    });
    contents.on('will-redirect', (event, url) => {
      if (!isAppUrl(url)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      // Only documentation links the user clicks (https) go to the system browser; nothing opens in-app.
      if (url.startsWith('https://')) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });
}
