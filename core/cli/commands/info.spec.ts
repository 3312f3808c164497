import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createService } from '../../api/service';
import { infoCommand } from './info';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../..', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'fastpr-info-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('fastpr info', () => {
  it('--json prints the same object as the system.info call', async () => {
    const { stdout } = await run(process.execPath, [join(root, 'bin', 'fastpr.mjs'), 'info', '--json', '--data-dir', dataDir], { cwd: root, timeout: 60_000 });
    const printed = JSON.parse(stdout);
    const expected = await createService({ dataDir }).call('system.info');
    expect(printed).toEqual(JSON.parse(JSON.stringify(expected)));
    expect(printed.dataDir).toBe(dataDir);
    expect(printed.ffmpeg.found).toBe(true);
  });

  it('prints readable lines without --json', async () => {
    const lines: string[] = [];
    await infoCommand.run({
      positionals: [], values: {}, dataDir, json: false, print: (l) => lines.push(l), progress: () => {}, signal: new AbortController().signal,
    });
    const text = lines.join('\n');
    expect(text).toMatch(/^TF\.js backend: +\S+ — /m);
    expect(text).toMatch(/^ffmpeg: +\S+ \(/m);
    expect(text).toMatch(/^ {2}\+ cpu +compiled into/m);
    expect(text).toContain(`Data directory:  ${dataDir}`);
  });
});
