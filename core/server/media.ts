/**
 * GET /api/media/evidence/<id>?token=…: an evidence video for the player's <video> element (which
 * cannot send headers, hence the query token). The file is found by evidence id in the case
 * database — no path comes from the request — and served with Range support for seeking.
 */
import { createReadStream, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Service } from '../api/service';
import { extname } from 'node:path';
import { contentTypeFor } from './staticFiles';
import { sendError, statusFor } from './respond';
import { serializeError } from '../errors';

export const MEDIA_PREFIX = '/api/media/evidence/';

/**
 * Video containers the player may meet. A proper type lets the browser decide quickly whether it
 * can play the file; when it cannot (AVI, an H.265 track…) the <video> errors and the player
 * falls back to stills.
 */
const VIDEO_TYPES: Record<string, string> = {
  '.mp4': 'video/mp4', '.m4v': 'video/mp4', '.mov': 'video/quicktime', '.webm': 'video/webm', '.mkv': 'video/x-matroska',
  '.ogv': 'video/ogg', '.avi': 'video/x-msvideo', '.mpg': 'video/mpeg', '.mpeg': 'video/mpeg', '.ts': 'video/mp2t', '.wmv': 'video/x-ms-wmv',
};

export function videoContentType(file: string): string {
  return VIDEO_TYPES[extname(file).toLowerCase()] ?? contentTypeFor(file);
}

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
  const raw = pathname.slice(MEDIA_PREFIX.length);
  // Digits only: the id is looked up in the case database; nothing of the request becomes a path.
  const id = /^[1-9]\d{0,15}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(id)) {
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
    'Content-Type': videoContentType(file),
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
