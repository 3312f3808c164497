/**
 * The loopback HTTP transport under attack: tokens, Host/Origin (DNS rebinding, cross-site),
 * path traversal in every spelling, API names that are not calls, oversized and malformed bodies,
 * prototype pollution, slow-loris connections; the CSP on every served page of the real renderer
 * build. Raw sockets and node:http requests (fetch cannot forge Host or send traversal verbatim).
 * Extends core/server/loopbackServer.spec.ts with many more spellings and the slow-loris case.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService, type Service } from '../../core/api/service';
import { RENDERER_CSP, RENDERER_CSP_META } from '../../core/server/csp';
import { startLoopbackServer, type LoopbackServer } from '../../core/server/loopbackServer';
import { tally } from './tally';

interface Reply { status: number; headers: Record<string, string | string[] | undefined>; text: string }

const root = mkdtempSync(join(tmpdir(), 'fastpr-hardening-http-'));
const SECRET = 'TOP-SECRET-EVIDENCE';
let service: Service;
let server: LoopbackServer;
let site: LoopbackServer;
const RENDERER_DIST = join(import.meta.dirname, '..', '..', 'renderer', 'dist');

function send(srv: LoopbackServer, opts: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer; auth?: boolean }): Promise<Reply> {
  const headers: Record<string, string> = { Host: `127.0.0.1:${srv.port}`, ...opts.headers };
  if (opts.auth !== false && !('Authorization' in headers) && !('X-FastPR-Token' in headers)) headers.Authorization = `Bearer ${srv.token}`;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: srv.port, method: opts.method ?? 'GET', path: opts.path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** A raw request over a socket: the request line goes out byte for byte. */
function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let out = '';
    s.on('data', (d) => { out += d.toString('latin1'); });
    s.on('close', () => resolve(out));
    s.on('error', () => resolve(out));
    s.end(text);
  });
}

const health = (srv: LoopbackServer, headers: Record<string, string> = {}, auth = true) =>
  send(srv, { method: 'POST', path: '/api/system.health', headers: { 'Content-Type': 'application/json', ...headers }, body: '{}', auth });

function probe(name: string, rejected: boolean): void {
  tally({ kind: 'probe', name: `http ${name}`, rejected });
  expect(rejected, name).toBe(true);
}

beforeAll(async () => {
  const static1 = join(root, 'site');
  mkdirSync(join(static1, 'assets'), { recursive: true });
  writeFileSync(join(static1, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(static1, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(root, 'secret.txt'), SECRET);
  mkdirSync(join(root, 'outside'), { recursive: true });
  writeFileSync(join(root, 'outside', 'secret.txt'), SECRET);
  symlinkSync(join(root, 'outside'), join(static1, 'link-out'));
  symlinkSync(join(root, 'secret.txt'), join(static1, 'assets', 'evil.js'));
  service = createService({ dataDir: join(root, 'data') });
  server = await startLoopbackServer({ service, staticDir: static1 });
  site = await startLoopbackServer({ service, staticDir: RENDERER_DIST });
});

afterAll(async () => {
  await server?.close();
  await site?.close();
  await service?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('who may call', () => {
  it('refuses missing, wrong, truncated, padded and query-string tokens', async () => {
    const t = server.token;
    const cases: Array<[string, Record<string, string>, string?]> = [
      ['no token', {}],
      ['wrong token', { Authorization: `Bearer ${'A'.repeat(t.length)}` }],
      ['token minus one char', { Authorization: `Bearer ${t.slice(0, -1)}` }],
      ['token plus one char', { Authorization: `Bearer ${t}x` }],
      ['lower-case token', { Authorization: `Bearer ${t.toLowerCase() === t ? t.toUpperCase() : t.toLowerCase()}` }],
      ['Basic scheme', { Authorization: `Basic ${Buffer.from(`x:${t}`).toString('base64')}` }],
      ['empty X-FastPR-Token', { 'X-FastPR-Token': '' }],
      ['token in the query string of a call', {}, `/api/system.health?token=${t}`],
      ['token in a cookie', { Cookie: `token=${t}` }],
    ];
    for (const [name, headers, path] of cases) {
      const r = await send(server, { method: 'POST', path: path ?? '/api/cases.list', headers: { 'Content-Type': 'application/json', ...headers }, body: '{}', auth: false });
      probe(`token: ${name}`, r.status === 401 && !r.text.includes('"result"'));
    }
    expect((await health(server)).status).toBe(200);
  });

  it('refuses foreign Host headers (DNS rebinding) and foreign Origins (cross-site)', async () => {
    const p = server.port;
    for (const host of ['evil.example', `evil.example:${p}`, `127.0.0.1:${p + 1}`, `localhost.evil.example:${p}`, `127.0.0.1.nip.io:${p}`, '127.0.0.1', `[::1]:${p}`, `0.0.0.0:${p}`, `127.0.0.2:${p}`]) {
      const r = await health(server, { Host: host });
      probe(`Host ${JSON.stringify(host)}`, r.status === 403 || r.status === 400);
    }
    for (const origin of ['http://evil.example', 'null', `http://127.0.0.1:${p + 1}`, `https://127.0.0.1:${p}`, `http://localhost:${p}.evil.example`, `http://127.0.0.1:${p}/`, 'file://']) {
      const r = await health(server, { Origin: origin });
      probe(`Origin ${origin}`, r.status === 403);
    }
    // An HTTP/1.0 request with no Host at all.
    const noHost = await raw(p, `POST /api/system.health HTTP/1.0\r\nAuthorization: Bearer ${server.token}\r\nContent-Length: 2\r\n\r\n{}`);
    probe('no Host header (HTTP/1.0)', /^HTTP\/1\.[01] (403|400)/.test(noHost));
    // A simple cross-site form POST (text/plain) carrying a stolen token would still be refused by type.
    const form = await health(server, { 'Content-Type': 'text/plain' });
    probe('text/plain body (form CSRF)', form.status === 415);
  });
});

describe('static files: path traversal in every spelling', () => {
  const PATHS = [
    '/../secret.txt', '/../../secret.txt', '/%2e%2e/secret.txt', '/%2E%2E/secret.txt', '/.%2e/secret.txt', '/%2e./secret.txt',
    '/%252e%252e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/assets/%2e%2e%2f%2e%2e%2fsecret.txt', '/..%5csecret.txt', '/%5c..%5csecret.txt',
    '/..\\secret.txt', '//etc/passwd', '/%2f%2fetc/passwd', '/etc/passwd', '/C:/Windows/win.ini', '/c%3a/windows/win.ini', '/%00../secret.txt',
    '/index.html%00.js', '/link-out/secret.txt', '/assets/evil.js', '/./index.html', '/assets/./app.js', '/%c0%ae%c0%ae/secret.txt', '/%e0%80%ae%e0%80%ae/secret.txt',
    `/${'..%2f'.repeat(20)}etc/passwd`, '/%', '/%zz', `/${'a/'.repeat(2000)}x`,
  ];

  it.each(PATHS)('%s is refused and leaks nothing', async (path) => {
    const r = await send(server, { path });
    const leaked = r.text.includes(SECRET) || r.text.includes('root:x:0');
    probe(`static ${path}`, r.status >= 400 && !leaked);
    expect(r.headers['content-security-policy']).toBe(RENDERER_CSP);
  });

  it('raw request lines with traversal and absolute-form targets are refused', async () => {
    for (const target of ['/../secret.txt', '/..%2fsecret.txt', `http://127.0.0.1:${server.port}/../secret.txt`, 'http://evil.example/secret.txt', '*', 'secret.txt', '\\..\\secret.txt']) {
      const out = await raw(server.port, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nConnection: close\r\n\r\n`);
      probe(`raw GET ${target}`, /^HTTP\/1\.1 (4\d\d)/.test(out) && !out.includes(SECRET));
    }
  });

  it('API names that are not calls (prototype keys, traversal) are 404', async () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', '..%2f..%2fsecret.txt', '%2e%2e', 'system.health%00', 'cases.list/..', '']) {
      const r = await send(server, { method: 'POST', path: `/api/${name}`, headers: { 'Content-Type': 'application/json' }, body: '{}' });
      probe(`api name ${name}`, r.status >= 400 && !r.text.includes('"result"') && !r.text.includes(SECRET));
    }
  });
});

describe('bodies', () => {
  it('refuses oversized bodies, declared or streamed, and keeps serving', async () => {
    const big = Buffer.alloc(10 * 1024 * 1024 + 1, 0x20);
    const declared = await send(server, { method: 'POST', path: '/api/cases.create', headers: { 'Content-Type': 'application/json' }, body: big }).catch((e: Error) => ({ status: -1, text: e.message, headers: {} }));
    probe('10 MiB + 1 body (Content-Length)', declared.status === 413 || declared.status === -1);
    // Chunked upload without a length: refused once the limit is crossed.
    const chunked = await new Promise<number>((resolve) => {
      const req = request({ host: '127.0.0.1', port: server.port, method: 'POST', path: '/api/cases.create', headers: { Host: `127.0.0.1:${server.port}`, Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' } }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
      req.on('error', () => resolve(-1));
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      for (let i = 0; i < 12; i++) req.write(chunk);
      req.end();
    });
    probe('12 MiB chunked body', chunked === 413 || chunked === -1);
    expect((await service.call('cases.list')).length).toBe(0);
    expect((await health(server)).status).toBe(200);
  });

  it('refuses malformed JSON, wrong methods and prototype pollution', async () => {
    for (const body of ['{', '{"name":', 'null null', '\u0000', '{"name":"a"}{"name":"b"}', Buffer.from([0xff, 0xfe, 0x00])]) {
      const r = await send(server, { method: 'POST', path: '/api/cases.create', headers: { 'Content-Type': 'application/json' }, body });
      probe(`malformed body ${JSON.stringify(body.toString())}`, r.status === 400 && /InputError/.test(r.text));
    }
    const get = await send(server, { method: 'GET', path: '/api/system.health' });
    probe('GET on an API call', get.status === 405);
    const pollute = await send(server, { method: 'POST', path: '/api/cases.create', headers: { 'Content-Type': 'application/json' }, body: '{"name":"x","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted2":true}}}' });
    probe('prototype pollution payload', pollute.status === 400 && ({} as Record<string, unknown>).polluted === undefined && ({} as Record<string, unknown>).polluted2 === undefined);
    const events = await send(server, { path: '/api/events', auth: false });
    probe('event stream without token', events.status === 401);
    expect((await service.call('cases.list')).length).toBe(0);
  });
});

describe('slow-loris', () => {
  it('200 connections trickling headers do not starve a good request', async () => {
    const sockets: Socket[] = [];
    const timers: NodeJS.Timeout[] = [];
    for (let i = 0; i < 200; i++) {
      const s = connect(server.port, '127.0.0.1');
      s.on('error', () => {});
      s.write(`POST /api/system.health HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n`);
      sockets.push(s);
      timers.push(setInterval(() => { if (!s.destroyed) s.write(`X-Slow-${i}: a\r\n`); }, 500));
    }
    await new Promise((r) => setTimeout(r, 1500));
    const answers = await Promise.all([health(server), health(server), send(server, { path: '/index.html' })]);
    for (const t of timers) clearInterval(t);
    for (const s of sockets) s.destroy();
    probe('slow-loris ×200: good requests still answered', answers.every((a) => a.status === 200));
  }, 60_000);
});

describe('CSP on every served page of the renderer build', () => {
  it('every file of renderer/dist and every error page carries the CSP header', async () => {
    const files: string[] = [];
    const walk = (d: string) => { for (const f of readdirSync(d)) { const p = join(d, f); if (statSync(p).isDirectory()) walk(p); else files.push(`/${relative(RENDERER_DIST, p)}`); } };
    if (existsSync(RENDERER_DIST)) walk(RENDERER_DIST);
    for (const path of ['/', ...files, '/missing-page.html', '/../x', '/%2e%2e/x']) {
      const r = await send(site, { path });
      expect(r.headers['content-security-policy'], path).toBe(RENDERER_CSP);
      expect(r.headers['x-content-type-options'], path).toBe('nosniff');
      tally({ kind: 'probe', name: `CSP on ${path}`, rejected: r.headers['content-security-policy'] === RENDERER_CSP });
    }
    if (existsSync(join(RENDERER_DIST, 'index.html'))) {
      const html = readFileSync(join(RENDERER_DIST, 'index.html'), 'utf8');
      expect(html.replace(/&#39;/g, "'")).toContain(RENDERER_CSP_META);
      // No inline script or style survives in the built page (the CSP would block it anyway).
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
      expect(html).not.toMatch(/\son[a-z]+=/i);
    }
  });

  it('the CSP itself allows nothing remote, inline or evaluated', () => {
    for (const bad of ["'unsafe-inline'", "'unsafe-eval'", '*', 'http:', 'https:', "'unsafe-hashes'", 'ws:']) {
      expect(RENDERER_CSP.split(/[;\s]+/), bad).not.toContain(bad);
    }
    for (const must of ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'none'", "script-src 'self'"]) expect(RENDERER_CSP).toContain(must);
    tally({ kind: 'probe', name: 'CSP policy content', rejected: true });
  });
});
