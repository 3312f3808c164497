/**
 * The app:// scheme serving the renderer build with the CSP header — the same path checks and
 * content types as the loopback server, so both transports serve the UI identically.
 */
import { protocol } from 'electron';
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

export function serveRenderer(rendererDir: string): void {
  const root = realpathSync(rendererDir);
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST) return textResponse(404, 'unknown host');
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
