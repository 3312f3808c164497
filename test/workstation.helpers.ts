/**
 * Helpers for the workstation API tests: a real service behind the real loopback server, a typed
 * HTTP caller, the SSE progress stream collected into an array, and a short synthetic clip.
 */
import { request } from 'node:http';
import { join } from 'node:path';
import { createService, type Service } from '../core/api/service';
import type { ApiCallName, ApiInput, ApiResult, ProgressEvent } from '../core/api/contract';
import { startLoopbackServer, type LoopbackServer } from '../core/server/loopbackServer';
import { synthesize } from '../core/synth/synthesize';
import { defaultOptions } from '../core/synth/options';

export interface Http {
  server: LoopbackServer;
  service: Service;
  /** POST /api/<name>; resolves with {status, body}. */
  raw(name: string, body: unknown): Promise<{ status: number; body: any }>;
  /** GET a path of the server (no token added); resolves with status, headers and body bytes. */
  get(path: string, headers?: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>;
  /** A call that must succeed. */
  call<K extends ApiCallName>(name: K, input?: ApiInput<K>): Promise<ApiResult<K>>;
  /** Every progress event received over SSE so far. */
  events: ProgressEvent[];
  /** Resolves with the first SSE event matching `pred` (already received or future). */
  waitEvent(pred: (e: ProgressEvent) => boolean, timeoutMs?: number): Promise<ProgressEvent>;
  close(): Promise<void>;
}

export async function startHttp(dataDir: string, staticDir: string): Promise<Http> {
  const service = createService({ dataDir });
  const server = await startLoopbackServer({ service, staticDir });
  const events: ProgressEvent[] = [];
  const watchers = new Set<() => void>();
  const sse = request({ host: '127.0.0.1', port: server.port, path: `/api/events?token=${server.token}`, headers: { Host: `127.0.0.1:${server.port}` } }, (res) => {
    let buf = '';
    res.on('data', (c: Buffer) => {
      buf += c.toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const m = /^data: (.*)$/m.exec(block);
        if (m?.[1]) { events.push(JSON.parse(m[1]) as ProgressEvent); for (const w of [...watchers]) w(); }
      }
    });
  });
  sse.on('error', () => {});
  sse.end();
  const raw = (name: string, body: unknown) => new Promise<{ status: number; body: any }>((resolve, reject) => {
    const text = JSON.stringify(body ?? {});
    const req = request({
      host: '127.0.0.1', port: server.port, method: 'POST', path: `/api/${name}`,
      headers: { Host: `127.0.0.1:${server.port}`, Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
    });
    req.on('error', reject);
    req.end(text);
  });
  const get = (path: string, headers: Record<string, string> = {}) => new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, headers: { Host: `127.0.0.1:${server.port}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
  return {
    server, service, events, raw, get,
    async call(name, input) {
      const r = await raw(name, input);
      if (r.status !== 200) throw new Error(`${name} → ${r.status} ${JSON.stringify(r.body.error)}`);
      return r.body.result;
    },
    waitEvent(pred, timeoutMs = 45_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = events.find(pred);
          if (hit) { watchers.delete(check); clearTimeout(timer); resolve(hit); }
        };
        const timer = setTimeout(() => { watchers.delete(check); reject(new Error('no matching progress event')); }, timeoutMs);
        watchers.add(check);
        check();
      });
    },
    async close() {
      sse.destroy();
      await server.close();
      await service.close();
    },
  };
}

/** A short synthetic clip (seeded, deterministic): `seconds` at 10 frames/s, 192×144. Returns its path. */
export async function syntheticClip(dir: string, seed: number, seconds = 6): Promise<string> {
  const m = await synthesize(dir, defaultOptions({
    seed, frames: seconds * 10, width: 192, height: 144, crowd: { min: 2, max: 4 }, video: { seconds, fps: 10, imageEvery: 1000 },
  }), { overwrite: true });
  return join(dir, Object.values(m.videos ?? {})[0]!);
}
