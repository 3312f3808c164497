import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'fastpr-serve-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('fastpr serve', () => {
  it('serves the API for its data directory on 127.0.0.1 and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [join(root, 'bin', 'fastpr.mjs'), 'serve', '--json', '--data-dir', dataDir], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    const firstLine = await new Promise<string>((resolve, reject) => {
      let buffer = '';
      child.stdout.on('data', (c: Buffer) => {
        buffer += c.toString('utf8');
        const nl = buffer.indexOf('\n');
        if (nl >= 0) resolve(buffer.slice(0, nl));
      });
      child.on('exit', (code) => reject(new Error(`serve exited early with ${code}`)));
    });
    const started = JSON.parse(firstLine) as { url: string; port: number; token: string; dataDir: string };
    expect(started.url).toBe(`http://127.0.0.1:${started.port}/#token=${started.token}`);

    const res = await fetch(`http://127.0.0.1:${started.port}/api/system.health`, {
      method: 'POST', headers: { Authorization: `Bearer ${started.token}`, 'Content-Type': 'application/json' }, body: '{}',
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { result: { dataDir: string } }).result.dataDir).toBe(dataDir);

    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  });
});
