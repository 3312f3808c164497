/**
 * A training job cancelled part-way (at a step boundary, checkpoint saved) and resumed under the
 * same job id continues at the next step: the loss curve has every step exactly once, and only the
 * finished run (exported to ONNX) becomes the active model.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createService } from '../core/api/service';
import type { ProgressEvent } from '../core/api/contract';

const root = mkdtempSync(join(tmpdir(), 'fastpr-ws-trainres-'));
process.env.FASTPR_SHIPPED_MODEL_DIR = join(root, 'no-shipped-model');
const service = createService({ dataDir: join(root, 'data') });
const first = (pred: (e: ProgressEvent) => boolean) => new Promise<ProgressEvent>((resolve) => {
  const dispose = service.onProgress((e) => { if (pred(e)) { dispose(); resolve(e); } });
});

afterAll(async () => {
  await service.close();
  rmSync(root, { recursive: true, force: true });
});

describe('training cancel and resume', () => {
  it('continues from the checkpoint with every step once', async () => {
    // One replica asked for explicitly (auto would use both cores of a 2-core machine for the tiny batch of 4).
    const { jobId, modelId } = await service.call('training.start', { dataset: { kind: 'synthetic', recipe: 'tiny', seed: 5 }, backbone: 'tiny', steps: 16, replicas: 1 });
    await first((e) => e.jobId === jobId && e.unit === 'steps' && e.done >= 2);
    const ended = first((e) => e.jobId === jobId && e.state !== 'running');
    await service.call('jobs.cancel', { jobId });
    expect((await ended).state).toBe('cancelled');
    const half = await service.call('training.status', { jobId });
    expect(half.job).toMatchObject({ state: 'cancelled', resumable: true });
    expect(half.curve.length).toBeGreaterThan(0);
    expect(half.curve.length).toBeLessThan(16);
    expect((await service.call('models.active')).state).toBe('none');

    const done = first((e) => e.jobId === jobId && e.state !== 'running');
    expect(await service.call('jobs.resume', { jobId })).toMatchObject({ id: jobId, attempts: 2 });
    expect((await done).state).toBe('done');
    const full = await service.call('training.status', { jobId });
    expect(full.curve.map((p) => p.step)).toEqual(Array.from({ length: 16 }, (_, i) => i));
    expect((full.job.result as { replicas: number }).replicas).toBe(1);
    expect((await service.call('models.active')).model?.id).toBe(modelId);
  }, 90_000);
});
