import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService, type Service } from '../api/service';
import { RENDERER_CSP } from './csp';
import { startLoopbackServer, type LoopbackServer } from './loopbackServer';

interface Reply { status: number; headers: Record<string, string | string[] | undefined>; text: string; json: any }

let root: string;
let service: Service;
let server: LoopbackServer;

/** A raw HTTP request (fetch cannot forge Host or send traversal paths verbatim). */
function send(opts: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer; auth?: boolean }): Promise<Reply> {
  const headers: Record<string, string> = { Host: `127.0.0.1:${server.port}`, ...opts.headers };
  if (opts.auth !== false && !('Authorization' in headers) && !('X-FastPR-Token' in headers)) headers.Authorization = `Bearer ${server.token}`;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, method: opts.method ?? 'GET', path: opts.path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    // The server may drop an oversized upload after answering; the answer is what we assert on.
    req.on('error', reject);
    if (opts.body !== undefined) req.end(opts.body);
    else req.end();
  });
}

const health = (headers: Record<string, string> = {}, extra: Partial<Parameters<typeof send>[0]> = {}) =>
  send({ method: 'POST', path: '/api/system.health', headers: { 'Content-Type': 'application/json', ...headers }, body: '{}', ...extra });

async function expectStillServing(): Promise<void> {
  const ok = await health();
  expect(ok.status).toBe(200);
  expect(ok.json.result.ok).toBe(true);
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'fastpr-server-'));
  const site = join(root, 'site');
  mkdirSync(join(site, 'assets'), { recursive: true });
  writeFileSync(join(site, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(site, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(root, 'secret.txt'), 'top secret');
  service = createService({ dataDir: join(root, 'data') });
  server = await startLoopbackServer({ service, staticDir: site });
});

afterAll(async () => {
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('loopback server: good requests', () => {
  it('binds 127.0.0.1 on a random port and puts the token in the URL fragment', () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/#token=${server.token}`);
    expect(server.token.length).toBeGreaterThanOrEqual(32);
  });

  it('answers a call with {result}, by Bearer token or X-FastPR-Token, Host localhost or 127.0.0.1', async () => {
    await expectStillServing();
    const viaHeader = await send({ method: 'POST', path: '/api/system.health', headers: { 'X-FastPR-Token': server.token, Host: `localhost:${server.port}` } });
    expect(viaHeader.status).toBe(200);
    expect(viaHeader.json.result.dataDirWritable).toBe(true);
  });

  it('accepts a same-origin Origin header', async () => {
    const r = await health({ Origin: `http://127.0.0.1:${server.port}` });
    expect(r.status).toBe(200);
  });

  it('serves the renderer with CSP and content types', async () => {
    const page = await send({ path: '/', auth: false });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toBe(RENDERER_CSP);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    const js = await send({ path: '/assets/app.js', auth: false });
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.text).toBe('console.log(1)');
  });

  it('streams progress events over SSE to a client holding the token', async () => {
    const event = { jobId: 'job-1', kind: 'ingest', done: 3, total: 10, state: 'running' as const };
    const received = await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: server.port, path: `/api/events?token=${server.token}`, headers: { Host: `127.0.0.1:${server.port}` } }, (res) => {
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
        let buffer = '';
        res.on('data', (c: Buffer) => {
          buffer += c.toString('utf8');
          if (buffer.includes('\n\n') && !buffer.includes('data:')) service.emitProgress(event);
          const m = /data: (.*)\n\n/.exec(buffer);
          if (m?.[1]) {
            req.destroy();
            resolve(m[1]);
          }
        });
      });
      req.on('error', reject);
      req.end();
    });
    expect(JSON.parse(received)).toEqual(event);
  });
});

describe('loopback server: rejections (each followed by a good request)', () => {
  it('401 without a token', async () => {
    const r = await health({}, { auth: false });
    expect(r.status).toBe(401);
    expect(r.json.error.message).toMatch(/token/i);
    await expectStillServing();
  });

  it('401 with a wrong token, in either header, and on the event stream', async () => {
    expect((await health({ Authorization: 'Bearer nope' })).status).toBe(401);
    expect((await health({ 'X-FastPR-Token': `${server.token}x` })).status).toBe(401);
    expect((await send({ path: '/api/events?token=wrong', auth: false })).status).toBe(401);
    // The query-string token is for EventSource only, not for calls.
    expect((await send({ method: 'POST', path: `/api/system.health?token=${server.token}`, auth: false, body: '{}' })).status).toBe(401);
    await expectStillServing();
  });

  it('403 for a non-loopback Host header (DNS rebinding)', async () => {
    for (const host of ['evil.example:80', `evil.example:${server.port}`, '127.0.0.1', `127.0.0.1:${server.port + 1}`]) {
      const r = await health({ Host: host });
      expect(r.status, host).toBe(403);
      expect(r.json.error.message).toMatch(/Host/);
    }
    await expectStillServing();
  });

  it('403 for a foreign Origin', async () => {
    const r = await health({ Origin: 'http://evil.example' });
    expect(r.status).toBe(403);
    expect(r.json.error.message).toMatch(/Origin/);
    await expectStillServing();
  });

  it('404 for an unknown call', async () => {
    const r = await send({ method: 'POST', path: '/api/system.reboot', body: '{}' });
    expect(r.status).toBe(404);
    expect(r.json.error).toEqual({ name: 'NotFoundError', message: 'Unknown API call "system.reboot"' });
    await expectStillServing();
  });

  it('405 for a wrong method', async () => {
    const r = await send({ method: 'GET', path: '/api/system.health' });
    expect(r.status).toBe(405);
    expect(r.headers.allow).toBe('POST');
    expect((await send({ method: 'DELETE', path: '/', auth: false })).status).toBe(405);
    await expectStillServing();
  });

  it('400 for malformed JSON', async () => {
    const r = await health({}, { body: '{"oops":' });
    expect(r.status).toBe(400);
    expect(r.json.error.name).toBe('InputError');
    expect(r.json.error.message).toMatch(/Malformed JSON/);
    await expectStillServing();
  });

  it('400 for an invalid payload, naming the field', async () => {
    const r = await health({}, { body: '{"bogus":1}' });
    expect(r.status).toBe(400);
    expect(r.json.error.name).toBe('InputError');
    expect(r.json.error.message).toMatch(/bogus/);
    expect((await health({}, { body: '[1,2]' })).status).toBe(400);
    await expectStillServing();
  });

  it('415 for a non-JSON content type', async () => {
    const r = await health({ 'Content-Type': 'text/plain' });
    expect(r.status).toBe(415);
    await expectStillServing();
  });

  it('413 for a body over 10 MB, declared or streamed', async () => {
    const big = Buffer.alloc(10 * 1024 * 1024 + 1, 0x20);
    const declared = await health({}, { body: big });
    expect(declared.status).toBe(413);
    expect(declared.json.error.message).toMatch(/exceeds 10485760 bytes/);
    const chunked = await health({ 'Transfer-Encoding': 'chunked' }, { body: big });
    expect(chunked.status).toBe(413);
    await expectStillServing();
  });

  it('refuses path traversal in every spelling and never leaks files outside the root', async () => {
    const attempts = ['/..%2fsecret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/%2e%2e%5csecret.txt', '//etc/passwd', '/%2f%2fetc%2fpasswd', '/a%00.html', '/C:%5cWindows'];
    for (const path of attempts) {
      const r = await send({ path, auth: false });
      expect([400, 404], path).toContain(r.status);
      expect(r.text, path).not.toContain('top secret');
    }
    // Plain ../ is normalised by URL parsing or refused; either way nothing outside the root is served.
    const plain = await send({ path: '/../secret.txt', auth: false });
    expect(plain.text).not.toContain('top secret');
    expect((await send({ path: '/missing.js', auth: false })).status).toBe(404);
    await expectStillServing();
  });
});
