/**
 * Request checks of the loopback server: only this machine's browser, talking to us by a loopback
 * name (defeats DNS rebinding), from our own page (defeats cross-site requests), holding this run's token.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
}

export function hostAllowed(req: IncomingMessage, port: number): boolean {
  const host = req.headers.host?.toLowerCase();
  return host !== undefined && allowedHosts(port).has(host);
}

/** Browsers send Origin on cross-site and on POST requests; when present it must be our own page. */
export function originAllowed(req: IncomingMessage, port: number): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  return origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
}

function sameToken(given: string | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Token from `Authorization: Bearer`, `X-FastPR-Token`, or (for EventSource, which cannot set headers) `?token=`. */
export function tokenAllowed(req: IncomingMessage, url: URL, token: string, allowQuery: boolean): boolean {
  const auth = req.headers.authorization;
  const bearer = auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length).trim() : undefined;
  const header = req.headers['x-fastpr-token'];
  const fromHeader = typeof header === 'string' ? header : undefined;
  const fromQuery = allowQuery ? (url.searchParams.get('token') ?? undefined) : undefined;
  return sameToken(bearer, token) || sameToken(fromHeader, token) || sameToken(fromQuery, token);
}
