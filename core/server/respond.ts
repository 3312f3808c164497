/** Response helpers of the loopback server: JSON envelopes and the error → HTTP status mapping. */
import type { ServerResponse } from 'node:http';
import { serializeError } from '../errors';

const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

export function applySecurityHeaders(res: ServerResponse): void {
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...extra });
  res.end(text);
}

export function sendError(res: ServerResponse, status: number, name: string, message: string, extra: Record<string, string> = {}): void {
  sendJson(res, status, { error: { name, message } }, extra);
}

/** HTTP status for an error thrown by a handler. */
export function statusFor(err: unknown): number {
  switch (serializeError(err).name) {
    case 'InputError':
    case 'QueryError':
      return 400;
    case 'NotFoundError':
      return 404;
    case 'CancelledError':
      return 409;
    // Another process holds the database: temporary, the client may retry.
    case 'BusyError':
      return 503;
    // The disk is full or not writable: Insufficient Storage.
    case 'StorageError':
      return 507;
    case 'DatasetError':
    case 'VideoError':
    case 'ModelError':
      return 422;
    default:
      return 500;
  }
}
