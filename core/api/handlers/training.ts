/** Handlers of training.*, models.*: datasets on disk and recipes, training and evaluation jobs, models. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../errors';
import { readManifest } from '../../dataset/reader';
import { MANIFEST_FILE } from '../../dataset/format';
import { ensureDataDir } from '../../platform/dataDir';
import { RECIPES, type RecipeName } from '../../jobs/recipes';
import { checkReplicasFor } from '../../jobs/tasks/trainSettings';
import { activeModel, listModels, modelDirOf } from '../models';
import type { DatasetItem, LossPoint } from '../types/jobs';
import type { HandlerGroup } from './types';

type K = 'training.datasets' | 'training.start' | 'training.status' | 'models.list' | 'models.active' | 'models.evaluate';

const MAX_CURVE_POINTS = 500;

function datasetsOnDisk(dataDir: string): DatasetItem[] {
  const root = join(ensureDataDir(dataDir).root, 'datasets');
  if (!existsSync(root)) return [];
  const out: DatasetItem[] = [];
  for (const name of readdirSync(root).sort()) {
    const dir = join(root, name);
    if (!statSync(dir).isDirectory() || !existsSync(join(dir, MANIFEST_FILE))) continue;
    try {
      const m = readManifest(dir);
      out.push({ kind: 'dir', id: dir, label: name, frames: m.frameCount, source: m.source, description: `${m.source} dataset, ${m.frameCount} frames` });
    } catch {
      // A folder that is not (or no longer) a valid dataset is not offered.
    }
  }
  return out;
}

function readCurve(modelDir: string): LossPoint[] {
  const file = join(modelDir, 'metrics.jsonl');
  if (!existsSync(file)) return [];
  const points = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).flatMap((l) => {
    try { return [JSON.parse(l) as LossPoint]; } catch { return []; }
  });
  const step = Math.max(1, Math.ceil(points.length / MAX_CURVE_POINTS));
  return points.filter((_, i) => i % step === 0 || i === points.length - 1);
}

function newModelId(dataset: { kind: 'dir'; path: string } | { kind: 'synthetic'; recipe: RecipeName }): string {
  const base = dataset.kind === 'synthetic' ? `synth-${dataset.recipe}` : (dataset.path.split(/[\\/]/).filter(Boolean).pop() ?? 'dataset');
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return `${base.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 40)}-${stamp}`;
}

export const trainingHandlers: HandlerGroup<K> = {
  'training.datasets': async (_input, ctx) => [
    ...Object.entries(RECIPES).map(([id, r]): DatasetItem => ({ kind: 'synthetic', id, label: r.label, frames: r.options(1).frames, source: 'synthetic', description: r.description })),
    ...datasetsOnDisk(ctx.dataDir),
  ],
  'training.start': async (input, ctx) => {
    if (input.dataset.kind === 'dir' && !existsSync(join(input.dataset.path, MANIFEST_FILE))) {
      throw new InputError(`dataset.path: ${input.dataset.path} has no ${MANIFEST_FILE} (not a dataset folder)`, { field: 'dataset.path' });
    }
    checkReplicasFor(input);
    const modelId = input.name ?? newModelId(input.dataset);
    const modelDir = join(ensureDataDir(ctx.dataDir).models, modelId);
    if (existsSync(modelDir)) throw new InputError(`name: a model named "${modelId}" already exists; pick another name or resume its job`, { field: 'name' });
    const job = ctx.jobs.start({
      kind: 'train', label: `Train ${modelId}`,
      params: { dataset: input.dataset, modelId, modelDir, backbone: input.backbone, steps: input.steps, epochs: input.epochs, batchSize: input.batchSize, replicas: input.replicas },
    });
    return { jobId: job.id, modelId };
  },
  'training.status': async ({ jobId }, ctx) => {
    const job = ctx.jobs.stored(jobId);
    if (job.kind !== 'train') throw new InputError(`jobId: job ${jobId} is a ${job.kind} job, not training`, { field: 'jobId' });
    const modelDir = String(job.params.modelDir);
    return { job: ctx.jobs.get(jobId), modelDir, modelId: String(job.params.modelId), curve: readCurve(modelDir) };
  },
  'models.list': async (_input, ctx) => listModels(ctx.dataDir),
  'models.active': async (_input, ctx) => activeModel(ctx.dataDir),
  'models.evaluate': async (input, ctx) => {
    const modelDir = modelDirOf(ctx.dataDir, input.modelId);
    const job = ctx.jobs.start({
      kind: 'evaluate', label: `Evaluate ${input.modelId}`,
      params: { modelId: input.modelId, modelDir, dataset: input.dataset, split: input.split, limit: input.limit },
    });
    return { jobId: job.id };
  },
};
