import { describe, expect, it } from 'vitest';
import { spawnPumped } from './pumpedProcess';

/** Runs `script` in a child node through spawnPumped; collects stdout, stderr and the exit code. */
function run(script: string, onStart?: (p: ReturnType<typeof spawnPumped>) => void, recordBytes?: number, chunks: Buffer[] = []): Promise<{ out: Buffer; err: string; code: number | null }> {
  const p = spawnPumped(process.execPath, ['-e', script], recordBytes);
  const out = chunks;
  let err = '';
  p.stdout.on('data', (d: Buffer) => out.push(d));
  p.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  onStart?.(p);
  return new Promise((resolve) => p.on('close', (code: number | null) => resolve({ out: Buffer.concat(out), err, code })));
}

describe('spawnPumped (child pipes read on a worker thread)', () => {
  it('delivers stdout in order and whole, stderr, and the exit code', async () => {
    // 8 MB of a counting pattern, written in uneven pieces.
    const r = await run(`
      const total = 8 << 20; let sent = 0;
      const piece = (n) => { const b = Buffer.alloc(n); for (let i = 0; i < n; i++) b[i] = (sent + i) % 251; sent += n; return b; };
      process.stderr.write('hello from stderr\\n');
      (function go() { while (sent < total) { if (!process.stdout.write(piece(Math.min(total - sent, 1000 + (sent % 70000))))) { process.stdout.once('drain', go); return; } } process.exitCode = 3; })();
    `);
    expect(r.code).toBe(3);
    expect(r.err).toContain('hello from stderr');
    expect(r.out.length).toBe(8 << 20);
    let bad = -1;
    for (let i = 0; i < r.out.length; i++) if (r.out[i] !== i % 251) { bad = i; break; }
    expect(bad).toBe(-1);
  });

  it('with recordBytes: stdout in records of exactly that size, the rest last, each in a buffer of its own', async () => {
    const chunks: Buffer[] = [];
    // 1,000,003 bytes of a counting pattern in uneven pieces; records of 65,537 bytes.
    const r = await run(`
      const total = 1000003; let sent = 0;
      const piece = (n) => { const b = Buffer.alloc(n); for (let i = 0; i < n; i++) b[i] = (sent + i) % 251; sent += n; return b; };
      (function go() { while (sent < total) { if (!process.stdout.write(piece(Math.min(total - sent, 777 + (sent % 40000))))) { process.stdout.once('drain', go); return; } } })();
    `, undefined, 65537, chunks);
    expect(r.code).toBe(0);
    expect(chunks.map((c) => c.length)).toEqual([...new Array(15).fill(65537), 1000003 - 15 * 65537]);
    expect(chunks.every((c) => c.byteOffset === 0 && c.buffer.byteLength === c.length)).toBe(true);
    let bad = -1;
    for (let i = 0; i < r.out.length; i++) if (r.out[i] !== i % 251) { bad = i; break; }
    expect(bad).toBe(-1);
  });

  it('keeps reading while this thread is blocked, pauses on request, and kills', async () => {
    const blocked = await run(`process.stdout.write(Buffer.alloc(4 << 20, 7));`, () => {
      const until = Date.now() + 200;
      while (Date.now() < until) { /* this thread busy: the child must still be able to finish */ }
    });
    expect(blocked.out.length).toBe(4 << 20);
    let paused = 0;
    const killed = await run(`setInterval(() => process.stdout.write('x'.repeat(1000)), 5);`, (p) => {
      p.stdout.on('data', () => { if (++paused === 3) { p.stdout.pause(); setTimeout(() => { p.stdout.resume(); p.kill(); }, 50); } });
    });
    expect(killed.code).toBeNull();
    expect(killed.out.length).toBeGreaterThan(0);
  });

  it('reports a binary that cannot start as an error and a close', async () => {
    const p = spawnPumped('/nonexistent/ffmpeg-binary', []);
    const error = new Promise<Error>((resolve) => p.on('error', resolve));
    const code = await new Promise((resolve) => p.on('close', resolve));
    expect((await error).message).toMatch(/ENOENT/);
    expect(code).not.toBe(0);
  });
});
