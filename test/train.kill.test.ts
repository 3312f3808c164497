/**
 * A training process killed with SIGKILL mid-run and resumed with --resume ends with exactly the
 * losses (every step) and weights of an uninterrupted run: real processes, real dataset folder.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../core/cli/main';
import { tinyConfig } from '../core/model/config';

const BIN = resolve(__dirname, '../bin/fastpr.mjs');
const STEPS = 10;

/** In-process CLI for the runs that are not killed (process start-up is the slow part here). */
async function fastpr(args: string[]): Promise<void> {
  const code = await main(args);
  if (code !== 0) throw new Error(`fastpr ${args.join(' ')} exited ${code}`);
}

const metricLines = (dir: string) => (existsSync(join(dir, 'metrics.jsonl')) ? readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').filter(Boolean) : []);

describe('fastpr train: kill -9 and --resume', () => {
  it('gives the same loss at every step and the same final weights as an uninterrupted run', { timeout: 90_000 }, async () => {
    const root = mkdtempSync(join(tmpdir(), 'fastpr-kill-'));
    const data = join(root, 'data');
    await fastpr(['synth', '--out', data, '--frames', '16', '--seed', '5', '--size', '128x96', '--frames-per-scene', '3', '--json']);
    const cfg = join(root, 'tiny.json');
    writeFileSync(cfg, JSON.stringify({
      model: tinyConfig(),
      training: { batchSize: 4, checkpointEvery: 1, schedule: 'alternate', phaseUnit: 'step', proxyPhaseLength: 2, localisationPhaseLength: 2 },
    }));
    const common = ['--data', data, '--config', cfg, '--steps', String(STEPS), '--backend', 'wasm', '--json'];
    const a = join(root, 'a');
    const b = join(root, 'b');
    await fastpr(['train', '--out', a, ...common]);

    const child = spawn(process.execPath, [BIN, 'train', '--out', b, ...common], { stdio: 'ignore' });
    const exited = new Promise((r) => child.once('exit', r));
    while (metricLines(b).length < 4) {
      if (child.exitCode !== null) throw new Error('training ended before it could be killed');
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGKILL');
    await exited;
    const killedAt = metricLines(b).length;
    expect(killedAt).toBeLessThan(STEPS);

    await fastpr(['train', '--out', b, '--data', data, '--resume', '--backend', 'wasm', '--json']);
    const la = metricLines(a).map((l) => JSON.parse(l) as { step: number; total: number });
    const lb = metricLines(b).map((l) => JSON.parse(l) as { step: number; total: number });
    expect(lb.map((m) => m.step)).toEqual(Array.from({ length: STEPS }, (_, i) => i));
    expect(lb.map((m) => m.total)).toEqual(la.map((m) => m.total));
    expect(readFileSync(join(b, 'weights.bin')).equals(readFileSync(join(a, 'weights.bin')))).toBe(true);
  });
});
