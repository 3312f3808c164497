/**
 * Bad models and datasets handed to the running service (badData.test.ts checks the loaders on
 * their own): the active model damaged after evidence was indexed with it, and a training job
 * started on a dataset whose JSONL is malformed. Real service, real job worker processes, real
 * onnxruntime and SQLite. Each must end in a typed error naming the file — as the call's error or
 * the job's — while the service keeps answering and the case store is unchanged.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../core/cli/main';
import { createService, type Service } from '../../core/api/service';
import { makeRandomOnnxModel } from '../../core/index/testing/randomModel';
import { openDatabase } from '../../core/store/sqlite';
import { syntheticClip } from '../workstation.helpers';
import { tally } from './tally';

const root = mkdtempSync(join(tmpdir(), 'fastpr-hardening-svcdata-'));
const dataDir = join(root, 'data');
const modelDir = join(dataDir, 'models', 'tiny-random');
let service: Service;
let caseId = 0;

/** Every row of the case store, as one string. */
function snapshot(): string {
  const db = openDatabase(join(dataDir, 'workstation.sqlite'), { readonly: true });
  try {
    return JSON.stringify(['cases', 'evidence', 'indexes', 'searches', 'notes', 'decisions', 'exports', 'audit_log'].map((t) => db.prepare(`SELECT * FROM ${t} ORDER BY 1`).all()));
  } finally {
    db.close();
  }
}

/** Starts a job with `start` and resolves with its final record. */
async function runJob(start: () => Promise<{ jobId: string | null }>): Promise<Awaited<ReturnType<Service['call']>>> {
  let id: string | null = null;
  const ended = new Map<string, string>();
  const done = new Promise<void>((res) => service.onProgress((e) => {
    if (e.state !== 'running') ended.set(e.jobId, e.state);
    if (id && ended.has(id)) res();
  }));
  id = (await start()).jobId;
  expect(id).not.toBeNull();
  if (!ended.has(id!)) await done;
  return service.call('jobs.get', { jobId: id! });
}

beforeAll(async () => {
  process.env.FASTPR_SHIPPED_MODEL_DIR = join(root, 'no-shipped-model');
  await makeRandomOnnxModel(modelDir, 'tiny');
  const clip = await syntheticClip(join(root, 'clip'), 41, 2);
  service = createService({ dataDir });
  caseId = (await service.call('cases.create', { name: 'Broken model' })).id;
  const job = await runJob(() => service.call('evidence.add', { caseId, path: clip, ingest: true }));
  expect(job).toMatchObject({ state: 'done' });
}, 180_000);

afterAll(async () => {
  await service?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('the active model damaged after indexing', () => {
  it('search.run and a re-ingest fail with a ModelError naming the file; nothing stored changes; the service answers', async () => {
    const good = join(root, 'model-backup');
    cpSync(modelDir, good, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(modelDir, 'onnx.json'), 'utf8')) as { encoder: { file: string }; head: { file: string } };
    const [evidence] = await service.call('evidence.list', { caseId });
    const damages: Array<[string, () => void, string]> = [
      ['head.onnx truncated', () => truncateSync(join(modelDir, manifest.head.file), 100), manifest.head.file],
      ['encoder.onnx replaced by garbage', () => writeFileSync(join(modelDir, manifest.encoder.file), 'not a model'), manifest.encoder.file],
    ];
    for (const [label, damage, file] of damages) {
      cpSync(good, modelDir, { recursive: true });
      damage();
      const before = snapshot();
      const search = await service.call('search.run', { caseId, text: 'man in a red top' }).catch((e: Error) => e);
      const searchClear = search instanceof Error && search.name === 'ModelError' && search.message.includes(file);
      tally({ kind: 'badInput', name: `service search.run with ${label}`, clearError: searchClear, detail: search instanceof Error ? `${search.name}: ${search.message}` : 'no error' });
      expect(search, `${label}: search.run must fail`).toBeInstanceOf(Error);
      expect((search as Error).name, (search as Error).message).toBe('ModelError');
      expect((search as Error).message).toContain(file);

      const job = await runJob(() => service.call('evidence.ingest', { evidenceId: evidence!.id }));
      const ingestClear = job.state === 'failed' && job.error?.name === 'ModelError' && job.error.message.includes(file);
      tally({ kind: 'badInput', name: `service ingest job with ${label}`, clearError: ingestClear, detail: `${job.state} ${job.error?.name}: ${job.error?.message}` });
      expect(job.state).toBe('failed');
      expect(job.error, JSON.stringify(job.error)).toMatchObject({ name: 'ModelError', message: expect.stringContaining(file) });
      expect(snapshot(), `${label}: the case store must not change`).toBe(before);
      expect((await service.call('system.health')).ok).toBe(true);
    }
    // Restored, the same search works again (the refusals were the damage, not a broken setup).
    cpSync(good, modelDir, { recursive: true });
    expect((await service.call('search.run', { caseId, text: 'man in a red top', threshold: 0 })).framesSearched).toBeGreaterThan(0);
  }, 180_000);
});

describe('training on a malformed dataset', () => {
  it('the job fails with a DatasetError naming annotations.jsonl and the line; no model is listed; the service answers', async () => {
    const data = join(root, 'dataset');
    expect(await main(['synth', '--out', data, '--frames', '6', '--seed', '5', '--size', '128x96', '--frames-per-scene', '3', '--json'])).toBe(0);
    const file = join(data, 'annotations.jsonl');
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[2] = '{"id": "broken", ';
    writeFileSync(file, lines.join('\n'));
    const modelsBefore = (await service.call('models.list')).map((m) => m.id);
    const before = snapshot();
    const job = await runJob(() => service.call('training.start', { dataset: { kind: 'dir', path: data }, backbone: 'tiny', steps: 2 }));
    const clear = job.state === 'failed' && job.error?.name === 'DatasetError' && /annotations\.jsonl:3/.test(job.error.message);
    tally({ kind: 'badInput', name: 'service training job on malformed JSONL', clearError: clear, detail: `${job.state} ${job.error?.name}: ${job.error?.message}` });
    expect(job.state).toBe('failed');
    expect(job.error, JSON.stringify(job.error)).toMatchObject({ name: 'DatasetError', message: expect.stringMatching(/annotations\.jsonl:3/) });
    expect((await service.call('models.list')).map((m) => m.id)).toEqual(modelsBefore);
    expect(snapshot()).toBe(before);
    expect((await service.call('system.health')).ok).toBe(true);
  }, 120_000);
});
