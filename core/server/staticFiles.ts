/**
 * Serves the renderer build (renderer/dist) with the CSP on every response. Paths are checked
 * before touching the disk: no `..` segments (raw or percent-encoded), no backslashes, drive
 * letters, NUL bytes or absolute escapes, and the resolved file must stay inside the root.
 */
import { createReadStream, existsSync, realpathSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';
import { RENDERER_CSP } from './csp';
import { sendError } from './respond';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
};

export function contentTypeFor(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** The decoded, validated request path, or an explanation of why it is refused. */
export function safeRelativePath(rawPath: string): { ok: true; path: string } | { ok: false; problem: string } {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return { ok: false, problem: 'malformed percent-encoding in path' };
  }
  if (!decoded.startsWith('/') || decoded.startsWith('//')) return { ok: false, problem: 'path must be relative to the site root' };
  if (/[\0\\:]/.test(decoded)) return { ok: false, problem: 'path contains a forbidden character' };
  const segments = decoded.split('/');
  if (segments.some((s) => s === '..' || s === '.')) return { ok: false, problem: 'path contains a dot segment' };
  const path = decoded === '/' ? 'index.html' : decoded.slice(1);
  return { ok: true, path };
}

export function serveStatic(req: IncomingMessage, res: ServerResponse, root: string): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendError(res, 405, 'InputError', `Static files use GET, not ${req.method}`, { Allow: 'GET, HEAD' });
    return;
  }
  res.setHeader('Content-Security-Policy', RENDERER_CSP);
  if (!existsSync(resolve(root, 'index.html'))) {
    sendError(res, 503, 'Error', `The renderer is not built (${root} has no index.html): run npm run build:renderer`);
    return;
  }
  const rawPath = (req.url ?? '/').split(/[?#]/, 1)[0] ?? '/';
  const checked = safeRelativePath(rawPath);
  if (!checked.ok) {
    sendError(res, 400, 'InputError', `Refused path ${JSON.stringify(rawPath)}: ${checked.problem}`);
    return;
  }
  const realRoot = realpathSync(root);
  const file = resolve(realRoot, checked.path);
  let real: string;
  try {
    real = realpathSync(file);
  } catch {
    sendError(res, 404, 'NotFoundError', `No such file: ${rawPath}`);
    return;
  }
  if (!real.startsWith(realRoot + sep) || !statSync(real).isFile()) {
    sendError(res, 404, 'NotFoundError', `No such file: ${rawPath}`);
    return;
  }
  res.writeHead(200, {
    'Content-Type': contentTypeFor(real),
    'Content-Length': statSync(real).size,
    // Hashed asset names can be cached; the page itself must pick up rebuilt bundles.
    'Cache-Control': checked.path.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-store',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(real).on('error', () => res.destroy()).pipe(res);
}
