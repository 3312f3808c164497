import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeSystem, probe } from './info';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('system.info facts', () => {
  it('reports the real versions of this installation', async () => {
    const info = await describeSystem('/data/dir');
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    expect(info.app).toEqual({ name: 'fastpr-workstation', version: pkg.version });
    expect(info.dataDir).toBe('/data/dir');
    expect(info.sqlite.version).toMatch(/^3\.\d+\.\d+$/);
    expect(info.onnxruntime.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(info.onnxruntime.providers.find((p) => p.name === 'cpu')).toMatchObject({ available: true, bundled: true });
    expect(['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu']).toContain(info.tfjs.chosen);
    expect(info.tfjs.candidates.find((c) => c.name === info.tfjs.chosen)?.available).toBe(true);
    for (const tool of [info.ffmpeg, info.ffprobe]) {
      expect(tool.found).toBe(true);
      expect(existsSync(tool.path!)).toBe(true);
      expect(tool.version).not.toBe('unknown');
    }
    expect(info.node.version).toBe(process.versions.node);
  });

  it('says whether the Electron binary is present exactly as its package records it', async () => {
    const info = await describeSystem('/data/dir');
    const dir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    const pathTxt = join(dir, 'path.txt');
    const present = existsSync(pathTxt) && existsSync(join(dir, 'dist', readFileSync(pathTxt, 'utf8').trim()));
    expect(info.electron.packageInstalled).toBe(true);
    expect(info.electron.binaryPresent).toBe(present);
  });

  it('turns a failing probe into a reported problem', async () => {
    const result = await probe(async () => {
      throw new Error('was compiled against a different Node.js version');
    }, (problem) => ({ version: 'unavailable', problem }));
    expect(result).toEqual({ version: 'unavailable', problem: 'was compiled against a different Node.js version' });
  });
});
