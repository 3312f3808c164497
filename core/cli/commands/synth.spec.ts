import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../main';
import { optionsFromCli } from './synth';

const root = mkdtempSync(join(tmpdir(), 'fastpr-cli-synth-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => { out += String(s); return true; });
  const e = vi.spyOn(console, 'error').mockImplementation((s) => { err += String(s); });
  try {
    return { code: await main(args), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('fastpr synth / dataset sheet', () => {
  it('parses size, crowd and video options and refuses bad values with the option named', () => {
    const o = optionsFromCli({ seed: '3', frames: '20', size: '320x240', crowd: '2-9', video: '2', fps: '10' });
    expect([o.width, o.height, o.crowd.min, o.crowd.max, o.frames]).toEqual([320, 240, 2, 9, 20]);
    expect(o.video).toEqual({ seconds: 2, fps: 10, imageEvery: 1 });
    expect(() => optionsFromCli({ size: '320by240' })).toThrow(/--size/);
    expect(() => optionsFromCli({ crowd: '9-2' })).toThrow(/--crowd/);
    expect(() => optionsFromCli({ frames: '0' })).toThrow(/--frames/);
    expect(() => optionsFromCli({ video: '-1' })).toThrow(/--video/);
    expect(optionsFromCli({ 'generator-version': '1.0.0' }).generatorVersion).toBe('1.0.0');
    expect(optionsFromCli({}).generatorVersion).toBeUndefined();
    expect(() => optionsFromCli({ 'generator-version': '0.9.0' })).toThrow(/--generator-version/);
  });

  it('writes a dataset and a contact sheet PNG', async () => {
    const out = join(root, 'ds');
    const r = await cli(['synth', '--out', out, '--frames', '4', '--seed', '5', '--size', '160x128', '--crowd', '3-6', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out.trim())).toMatchObject({ frames: 4 });
    const sheet = join(root, 'sheet.png');
    const s = await cli(['dataset', 'sheet', out, '--out', sheet, '--count', '4', '--tile-width', '160']);
    expect(s.code).toBe(0);
    expect(existsSync(sheet)).toBe(true);
    expect(readFileSync(sheet).subarray(1, 4).toString()).toBe('PNG');
    const again = await cli(['synth', '--out', out, '--frames', '4']);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/already exists/);
  });
});
