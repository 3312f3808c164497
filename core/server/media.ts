/**
 * GET /api/media/evidence/<id>?token=…: an evidence video for the player's <video> element (which
 * cannot send headers, hence the query token). The file is found by evidence id in the case
 * database — no path comes from the request — and served with Range support for seeking.
 */
import { createReadStream, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Service } from '../api/service';
import { contentTypeFor } from './staticFiles';
import { sendError, statusFor } from './respond';
import { serializeError } from '../errors';

export const MEDIA_PREFIX = '/api/media/evidence/';

/** Parses a single `bytes=a-b` range (suffix and open ranges too); null when absent or unsatisfiable. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | null | 'bad' {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return 'bad';
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  return start <= end && start < size ? { start, end } : 'bad';
}

export function handleMedia(req: IncomingMessage, res: ServerResponse, service: Service, pathname: string): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendError(res, 405, 'InputError', `Media uses GET, not ${req.method}`, { Allow: 'GET, HEAD' });
    return;
  }
  const id = Number(pathname.slice(MEDIA_PREFIX.length));
  if (!Number.isInteger(id) || id <= 0) {
    sendError(res, 400, 'InputError', `evidenceId: "${pathname.slice(MEDIA_PREFIX.length)}" is not an evidence id`);
    return;
  }
  let file: string;
  let size: number;
  try {
    file = service.mediaPath(id);
    size = statSync(file).size;
  } catch (err) {
    const e = serializeError(err);
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    sendError(res, missing ? 404 : statusFor(err), missing ? 'NotFoundError' : e.name, missing ? `evidence #${id}: the video file is missing` : e.message);
    return;
  }
  const range = parseRange(req.headers.range, size);
  if (range === 'bad') {
    sendError(res, 416, 'InputError', `Range ${JSON.stringify(req.headers.range)} is not satisfiable (size ${size})`, { 'Content-Range': `bytes */${size}` });
    return;
  }
  const { start, end } = range ?? { start: 0, end: size - 1 };
  res.writeHead(range ? 206 : 200, {
    'Content-Type': contentTypeFor(file),
    'Content-Length': end - start + 1,
    'Accept-Ranges': 'bytes',
    ...(range ? { 'Content-Range': `bytes ${start}-${end}/${size}` } : {}),
  });
  if (req.method === 'HEAD' || size === 0) {
    res.end();
    return;
  }
  createReadStream(file, { start, end }).on('error', () => res.destroy()).pipe(res);
}
