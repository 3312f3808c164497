/**
 * The browser transport: a loopback-only HTTP server exposing the API contract to the renderer
 * served from the same origin. See guards.ts for who may talk to it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Service } from '../api/service';
import { handleApiCall, MAX_BODY_BYTES } from './apiRoute';
import { handleEvents } from './events';
import { handleMedia, MEDIA_PREFIX } from './media';
import { hostAllowed, newToken, originAllowed, tokenAllowed } from './guards';
import { applySecurityHeaders, sendError } from './respond';
import { serveStatic } from './staticFiles';

export interface LoopbackServerOptions {
  service: Service;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Defaults to a fresh random token per run. */
  token?: string;
  /** The renderer build to serve (renderer/dist). */
  staticDir: string;
  maxBodyBytes?: number;
}

export interface LoopbackServer {
  port: number;
  token: string;
  /** Base URL without the token. */
  origin: string;
  /** What to open in a browser: the token travels in the fragment, never sent over HTTP. */
  url: string;
  close(): Promise<void>;
}

function route(
  req: IncomingMessage, res: ServerResponse, port: number, options: Required<Omit<LoopbackServerOptions, 'port'>>,
  sse: Set<ServerResponse>,
): void {
  applySecurityHeaders(res);
  if (!hostAllowed(req, port)) {
    sendError(res, 403, 'InputError', `Host header ${JSON.stringify(req.headers.host ?? '')} is not this server (use 127.0.0.1:${port})`);
    return;
  }
  if (!originAllowed(req, port)) {
    sendError(res, 403, 'InputError', `Origin ${JSON.stringify(req.headers.origin)} may not call this server`);
    return;
  }
  const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
  if (url.pathname.startsWith('/api/')) {
    const isEvents = url.pathname === '/api/events';
    const isMedia = url.pathname.startsWith(MEDIA_PREFIX);
    // EventSource and <video src> cannot send headers: only they may carry the token in the query.
    if (!tokenAllowed(req, url, options.token, isEvents || isMedia)) {
      sendError(res, 401, 'InputError', 'Missing or wrong API token (open the URL printed by npm start)', { 'WWW-Authenticate': 'Bearer' });
      return;
    }
    if (isEvents) {
      if (req.method !== 'GET') {
        sendError(res, 405, 'InputError', `The event stream uses GET, not ${req.method}`, { Allow: 'GET' });
        return;
      }
      handleEvents(req, res, options.service, sse);
      return;
    }
    if (isMedia) {
      handleMedia(req, res, options.service, url.pathname);
      return;
    }
    const callName = decodeURIComponent(url.pathname.slice('/api/'.length));
    handleApiCall(req, res, callName, options.service, options.maxBodyBytes).catch((err: unknown) => {
      sendError(res, 500, 'Error', (err as Error).message);
    });
    return;
  }
  serveStatic(req, res, options.staticDir);
}

export async function startLoopbackServer(options: LoopbackServerOptions): Promise<LoopbackServer> {
  const resolved = {
    service: options.service,
    token: options.token ?? newToken(),
    staticDir: options.staticDir,
    maxBodyBytes: options.maxBodyBytes ?? MAX_BODY_BYTES,
  };
  const sse = new Set<ServerResponse>();
  let port = 0;
  const server: Server = createServer((req, res) => {
    try {
      route(req, res, port, resolved, sse);
    } catch (err) {
      sendError(res, 500, 'Error', (err as Error).message);
    }
  });
  // Slow or stalled clients must not hold sockets forever and starve the renderer.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
  server.maxHeadersCount = 100;
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    port,
    token: resolved.token,
    origin,
    url: `${origin}/#token=${resolved.token}`,
    async close() {
      for (const res of sse) res.end();
      sse.clear();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
