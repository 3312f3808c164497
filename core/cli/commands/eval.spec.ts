/** `fastpr baseline train` then `fastpr eval --json` through the real CLI entry point, on a tiny dataset. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { writeBlocksDataset } from '../../baseline/testData';
import { main } from '../main';

const root = mkdtempSync(join(tmpdir(), 'fastpr-evalcli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function run(argv: string[]): Promise<{ code: number; out: string }> {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => { chunks.push(String(c)); return true; });
  try {
    const code = await main(argv);
    return { code, out: chunks.join('') };
  } finally {
    spy.mockRestore();
  }
}

describe('fastpr baseline train / fastpr eval', () => {
  it('trains a baseline directory and evaluates it as JSON and Markdown', async () => {
    const data = join(root, 'data');
    const model = join(root, 'model');
    await writeBlocksDataset(data, 16);
    const trained = await run(['baseline', 'train', '--data', data, '--out', model, '--input-size', '64',
      '--detector-steps', '2', '--classifier-steps', '2', '--batch', '2', '--crop-batch', '4', '--json']);
    expect(trained.code).toBe(0);
    expect(existsSync(join(model, 'baseline.json'))).toBe(true);
    const info = JSON.parse(trained.out.trim().split('\n').pop()!);
    expect(info.training.detectorSteps).toBe(2);
    expect(info.training.macs.detector).toBeGreaterThan(0);

    const json = await run(['eval', '--model', model, '--data', data, '--protocol', 'all', '--json']);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.out.trim().split('\n').pop()!);
    expect(report.counts.queries).toBe(8);
    expect(report.paper.anyMatch).toHaveLength(6);
    expect(report.avss.sequences).toHaveLength(1);

    const md = await run(['eval', '--model', model, '--data', data, '--protocol', 'paper', '--method', 'cascade']);
    expect(md.code).toBe(0);
    expect(md.out).toContain('| Model | R@1 IoU>0.4 |');
    expect(md.out).toContain('cascade');
    expect(md.out).toContain('onnxruntime');
    const tfjs = await run(['eval', '--model', model, '--data', data, '--runtime', 'tfjs', '--json']);
    expect(JSON.parse(tfjs.out.trim().split('\n').pop()!).paper).toEqual(report.paper);
    expect(md.out).not.toContain('AVSS 2018 protocol');
    // Test-time augmentation is FastPR's: a baseline directory refuses it.
    const errors: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((m: string) => { errors.push(m); });
    try {
      expect((await run(['eval', '--model', model, '--data', data, '--tta', 'flip'])).code).toBe(1);
    } finally {
      spy.mockRestore();
    }
    expect(errors.join('\n')).toMatch(/test-time augmentation is for FastPR models/);
  });

  it('refuses bad arguments with exit code 1 and a clear message', async () => {
    const errors: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((m: string) => { errors.push(m); });
    try {
      expect((await run(['eval', '--data', root])).code).toBe(1);
      expect((await run(['eval', '--model', join(root, 'nope'), '--data', join(root, 'data'), '--protocol', 'x'])).code).toBe(1);
      expect((await run(['eval', '--model', join(root, 'nope'), '--data', join(root, 'data'), '--tta', 'rotate'])).code).toBe(1);
    } finally {
      spy.mockRestore();
    }
    expect(errors.join('\n')).toMatch(/--model MODEL_DIR is required/);
    expect(errors.join('\n')).toMatch(/--protocol must be paper, avss or all/);
    expect(errors.join('\n')).toMatch(/--tta must be none or flip, got "rotate"/);
  });
});
