/** POST /api/<call>: JSON body in, `{result}` or `{error:{name,message}}` out. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { serializeError } from '../errors';
import { isApiCall } from '../api/contract';
import type { Service } from '../api/service';
import { readBody } from './body';
import { sendError, sendJson, statusFor } from './respond';

export const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** After refusing an oversized body: give the client a moment to read the 413, then drop the connection. */
const OVERSIZE_GRACE_MS = 1000;

function refuseOversized(req: IncomingMessage, res: ServerResponse, limit: number): void {
  sendError(res, 413, 'InputError', `Request body exceeds ${limit} bytes`, { Connection: 'close' });
  res.on('finish', () => {
    // Node discards (does not buffer) the rest of the upload while the grace runs; then we stop reading.
    setTimeout(() => req.socket.destroy(), OVERSIZE_GRACE_MS).unref();
  });
}

export async function handleApiCall(
  req: IncomingMessage, res: ServerResponse, callName: string, service: Service, maxBodyBytes = MAX_BODY_BYTES,
): Promise<void> {
  if (!isApiCall(callName)) {
    sendError(res, 404, 'NotFoundError', `Unknown API call "${callName}"`);
    return;
  }
  if (req.method !== 'POST') {
    sendError(res, 405, 'InputError', `API calls use POST, not ${req.method}`, { Allow: 'POST' });
    return;
  }
  const type = req.headers['content-type'];
  if (type !== undefined && !/^application\/json\s*(;|$)/i.test(type)) {
    sendError(res, 415, 'InputError', `Content-Type must be application/json, got "${type}"`);
    return;
  }
  const body = await readBody(req, maxBodyBytes);
  if (!body.ok) {
    if (body.reason === 'too-large') refuseOversized(req, res, maxBodyBytes);
    else res.destroy();
    return;
  }
  let input: unknown;
  const text = body.body.toString('utf8');
  if (text.trim() !== '') {
    try {
      input = JSON.parse(text);
    } catch (err) {
      sendError(res, 400, 'InputError', `Malformed JSON body: ${(err as Error).message}`);
      return;
    }
  }
  try {
    const result = await service.invoke(callName, input);
    sendJson(res, 200, { result });
  } catch (err) {
    const e = serializeError(err);
    const status = statusFor(err);
    sendError(res, status, e.name, e.message, status === 503 ? { 'Retry-After': '1' } : {});
  }
}
