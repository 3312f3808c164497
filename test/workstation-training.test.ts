/**
 * Training and evaluation from the workstation API (in-process transport; the jobs still run in
 * worker processes, with data-parallel replicas on every core): a tiny model trained on the tiny synthetic recipe becomes the active model,
 * its loss curve is readable while/after it runs, and an evaluation job returns its table.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createService } from '../core/api/service';
import type { ProgressEvent } from '../core/api/contract';
import { resolveReplicas } from '../core/train/parallel/replicaCount';
import { RERANKER_FILE } from '../core/rerank/file';
import { ALPHA_GRID } from '../core/rerank/fitReranker';

const root = mkdtempSync(join(tmpdir(), 'fastpr-ws-train-'));
process.env.FASTPR_SHIPPED_MODEL_DIR = join(root, 'no-shipped-model');
const service = createService({ dataDir: join(root, 'data') });
const events: ProgressEvent[] = [];
service.onProgress((e) => events.push(e));
const ended = (jobId: string) => new Promise<ProgressEvent>((resolve) => {
  const dispose = service.onProgress((e) => { if (e.jobId === jobId && e.state !== 'running') { dispose(); resolve(e); } });
});

afterAll(async () => {
  await service.close();
  rmSync(root, { recursive: true, force: true });
});

describe('training and evaluation jobs', () => {
  it('trains on a synthetic recipe, exports ONNX, becomes the active model, evaluates to a table', async () => {
    expect((await service.call('models.active')).state).toBe('none');
    const recipes = await service.call('training.datasets');
    expect(recipes.filter((d) => d.kind === 'synthetic').map((d) => d.id)).toEqual(['tiny', 'small', 'standard']);

    const { jobId, modelId } = await service.call('training.start', { dataset: { kind: 'synthetic', recipe: 'tiny', seed: 4 }, backbone: 'tiny', steps: 4, name: 'tiny-test' });
    expect(modelId).toBe('tiny-test');
    const end = await ended(jobId);
    expect(end.state).toBe('done');
    expect(events.some((e) => e.jobId === jobId && e.state === 'running' && e.metrics?.total !== undefined)).toBe(true);
    const status = await service.call('training.status', { jobId });
    expect(status.job.state).toBe('done');
    expect(status.curve.map((p) => p.step)).toEqual([0, 1, 2, 3]);
    expect(status.job.result).toMatchObject({ modelId: 'tiny-test', steps: 4 });
    // A new training job trains on as many cores as its batch (4, the tiny backbone's) allows.
    expect((status.job.result as { replicas: number }).replicas).toBe(resolveReplicas('auto', 4, 'wasm'));
    // The recipe's dataset has a validation split: the job fitted the crop-colour re-ranker after the export.
    expect(ALPHA_GRID).toContain((status.job.result as { reranker: { alpha: number } }).reranker.alpha);
    expect(existsSync(join((status.job.result as { modelDir: string }).modelDir, RERANKER_FILE))).toBe(true);
    expect(events.some((e) => e.jobId === jobId && e.phase === 're-ranker: fit')).toBe(true);

    const active = await service.call('models.active');
    expect(active).toMatchObject({ state: 'ready', model: { id: 'tiny-test', exported: true, source: 'trained', trainedSteps: 4 } });
    expect((await service.call('training.datasets')).some((d) => d.kind === 'dir' && d.label === 'tiny-s4')).toBe(true);
    await expect(service.call('training.start', { dataset: { kind: 'synthetic', recipe: 'tiny', seed: 4 }, name: 'tiny-test' })).rejects.toThrow(/already exists/);
    // A replica count the batch does not divide is refused before anything is queued or created.
    const jobsBefore = (await service.call('jobs.list', { kind: 'train' })).length;
    await expect(service.call('training.start', { dataset: { kind: 'synthetic', recipe: 'tiny', seed: 4 }, backbone: 'tiny', name: 'tiny-3', replicas: 3 }))
      .rejects.toThrow(/replicas 3: a batch of 4 samples does not split evenly/);
    expect((await service.call('jobs.list', { kind: 'train' })).length).toBe(jobsBefore);
    expect((await service.call('models.list')).some((m) => m.id === 'tiny-3')).toBe(false);

    const ev = await service.call('models.evaluate', { modelId: 'tiny-test', dataset: { kind: 'synthetic', recipe: 'tiny', seed: 4 }, split: 'test' });
    expect((await ended(ev.jobId)).state).toBe('done');
    const table = (await service.call('jobs.get', { jobId: ev.jobId })).result as { rows: Array<{ metric: string; value: number }>; queries: number; markdown: string };
    expect(table.queries).toBeGreaterThan(0);
    expect(table.rows.map((r) => r.metric)).toContain('R@1 IoU>0.5');
    for (const r of table.rows) expect(Number.isFinite(r.value)).toBe(true);
    expect(table.markdown).toMatch(/R@1/);
  }, 120_000);
});
