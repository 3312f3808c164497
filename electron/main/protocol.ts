/**
 * The app:// scheme serving the renderer build with the CSP header — the same path checks and
 * content types as the loopback server, so both transports serve the UI identically.
 */
import { net, protocol } from 'electron';
import { pathToFileURL } from 'node:url';
import { readFile } from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { RENDERER_CSP } from '../../core/server/csp';
import { contentTypeFor, safeRelativePath } from '../../core/server/staticFiles';
import { APP_HOST, APP_SCHEME } from '../shared/channels';

/** Must run before app 'ready'. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: false, stream: true } },
  ]);
}

function textResponse(status: number, text: string): Response {
  return new Response(text, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Security-Policy': RENDERER_CSP } });
}

/** app://fastpr/media/evidence/<id>: the player's video, by evidence id (same path as the loopback server's /api/media/…). */
export const APP_MEDIA_PREFIX = '/media/evidence/';

/**
 * `mediaPath` maps an evidence id to its video file (the service looks it up in the case database;
 * no path comes from the page). Electron's file fetch answers Range requests, so the player can seek.
 */
export function serveRenderer(rendererDir: string, mediaPath?: (evidenceId: number) => string): void {
  const root = realpathSync(rendererDir);
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST) return textResponse(404, 'unknown host');
    if (mediaPath && url.pathname.startsWith(APP_MEDIA_PREFIX)) {
      const id = Number(url.pathname.slice(APP_MEDIA_PREFIX.length));
      if (!Number.isInteger(id) || id <= 0) return textResponse(400, 'not an evidence id');
      let file: string;
      try {
        file = mediaPath(id);
      } catch {
        return textResponse(404, 'no such evidence');
      }
      return net.fetch(pathToFileURL(file).href, { headers: request.headers });
    }
    const checked = safeRelativePath(url.pathname);
    if (!checked.ok) return textResponse(400, checked.problem);
    const file = resolve(root, checked.path);
    if (!file.startsWith(root + sep)) return textResponse(404, 'not found');
    try {
      const body = await readFile(file);
      return new Response(body, {
        status: 200,
        headers: {
          'Content-Type': contentTypeFor(file),
          'Content-Security-Policy': RENDERER_CSP,
          'X-Content-Type-Options': 'nosniff',
        },
      });
    } catch {
      return textResponse(404, 'not found');
    }
  });
}
