/**
 * The player's media route over a real loopback server and case database: the evidence file is
 * found by id (never a request path), byte ranges work for seeking, the token is required.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService, type Service } from '../api/service';
import { addEvidence, createCase, openStore } from '../store/index';
import { startLoopbackServer, type LoopbackServer } from './loopbackServer';
import { parseRange, videoContentType } from './media';

let root: string;
let service: Service;
let server: LoopbackServer;
let aviId: number;
const bytes = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7) % 256));

function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method, headers: { Host: `127.0.0.1:${server.port}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'fastpr-media-'));
  const dataDir = join(root, 'data');
  mkdirSync(join(root, 'media'));
  // The route serves bytes by id; whether the browser can decode them is the player's business.
  const file = join(root, 'media', 'camera 1.AVI');
  writeFileSync(file, bytes);
  const store = openStore(dataDir);
  const c = createCase(store, 'Media route');
  aviId = addEvidence(store, c.id, file, { sha256: createHash('sha256').update(bytes).digest('hex'), sizeBytes: bytes.length }).id;
  store.close();
  service = createService({ dataDir });
  server = await startLoopbackServer({ service, staticDir: join(root, 'no-site') });
});

afterAll(async () => {
  await server?.close();
  await service?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('media route', () => {
  it('parses single byte ranges, open and suffix ones, and refuses the unsatisfiable', () => {
    expect(parseRange(undefined, 100)).toBeNull();
    expect(parseRange('bytes=0-', 100)).toEqual({ start: 0, end: 99 });
    expect(parseRange('bytes=10-19', 100)).toEqual({ start: 10, end: 19 });
    expect(parseRange('bytes=90-500', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-30', 100)).toEqual({ start: 70, end: 99 });
    expect(parseRange('bytes=100-', 100)).toBe('bad');
    expect(parseRange('bytes=5-2', 100)).toBe('bad');
    expect(parseRange('bytes=-', 100)).toBe('bad');
    expect(parseRange('items=0-1', 100)).toBe('bad');
  });

  it('names video containers so the browser can tell what it cannot play', () => {
    expect(videoContentType('/x/a.mp4')).toBe('video/mp4');
    expect(videoContentType('/x/a.MKV')).toBe('video/x-matroska');
    expect(videoContentType('/x/a.avi')).toBe('video/x-msvideo');
    expect(videoContentType('/x/a.bin')).toBe('application/octet-stream');
  });

  it('serves the evidence by id with the query token: whole, ranged (seeking) and HEAD', async () => {
    const path = `/api/media/evidence/${aviId}?token=${server.token}`;
    const whole = await get(path);
    expect(whole.status).toBe(200);
    expect(whole.headers['content-type']).toBe('video/x-msvideo');
    expect(whole.headers['accept-ranges']).toBe('bytes');
    expect(whole.body.equals(bytes)).toBe(true);
    const part = await get(path, { Range: 'bytes=4000-' });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 4000-4999/${bytes.length}`);
    expect(part.body.equals(bytes.subarray(4000))).toBe(true);
    const head = await get(path, { Range: 'bytes=0-9' }, 'HEAD');
    expect(head.status).toBe(206);
    expect(head.headers['content-length']).toBe('10');
    expect(head.body.length).toBe(0);
    expect((await get(path, { Range: 'bytes=5000-' })).status).toBe(416);
    // A bearer header works as for any call; a wrong or missing token does not.
    expect((await get(`/api/media/evidence/${aviId}`, { Authorization: `Bearer ${server.token}` })).status).toBe(200);
    expect((await get(`/api/media/evidence/${aviId}?token=wrong`)).status).toBe(401);
    expect((await get(`/api/media/evidence/${aviId}`)).status).toBe(401);
  });

  it('takes nothing but a decimal id from the request: no paths, no other number forms', async () => {
    // A dot segment is resolved away by URL parsing: it never reaches the media route at all.
    expect((await get(`/api/media/evidence/%2e%2e/%2e%2e/secret?token=${server.token}`)).status).toBe(401);
    for (const bad of ['..%2f..%2fetc%2fpasswd', '0', '-1', '1e0', '0x1', '01', `%20${aviId}`, `${aviId}/x`, '99999999999999999999']) {
      const r = await get(`/api/media/evidence/${bad}?token=${server.token}`);
      expect(r.status, bad).toBe(400);
      expect(r.body.includes(bytes.subarray(0, 64))).toBe(false);
    }
    expect((await get(`/api/media/evidence/999?token=${server.token}`)).status).toBe(404);
    expect((await get(`/api/media/evidence/${aviId}?token=${server.token}`, {}, 'DELETE')).status).toBe(405);
  });
});
