/**
 * Training job: (synthetic recipe → dataset) → core/train's trainFromDataset into
 * DATA_DIR/models/<id> → ONNX export (so the workstation can ingest and search with it) → the
 * crop-colour re-ranker (core/rerank), when the dataset has a validation split to choose its α on.
 * Resume continues from the run's checkpoint with the configs it started with (as `fastpr train --resume`).
 */
import { existsSync } from 'node:fs';
import { readDataset, framesOfSplit } from '../../dataset/reader';
import { CancelledError, InputError } from '../../errors';
import { parseModelConfig, tinyConfig } from '../../model/config';
import { initBackend } from '../../tf/backend';
import { checkpointPath, readCheckpointState } from '../../train/checkpoint';
import { parseTrainConfig } from '../../train/config';
import { trainFromDataset } from '../../train/run';
import { ensureRecipeDataset, type RecipeName } from '../recipes';
import { newRunTrainInput } from './trainSettings';
import type { Task } from './types';

export interface TrainParams {
  dataset: { kind: 'dir'; path: string } | { kind: 'synthetic'; recipe: RecipeName; seed: number };
  modelId: string;
  modelDir: string;
  backbone: 'compact' | 'resnet50' | 'tiny';
  steps?: number;
  epochs?: number;
  batchSize?: number;
  /** Data-parallel replicas (core/train/parallel); default 'auto': every core the batch size allows. */
  replicas?: number | 'auto';
}

export const trainTask: Task = async ({ dataDir, job, resume, signal, progress }) => {
  const p = job.params as unknown as TrainParams;
  const data = p.dataset.kind === 'dir' ? p.dataset.path
    : await ensureRecipeDataset(dataDir, p.dataset.recipe, p.dataset.seed, signal, (e) => progress({ ...e, phase: 'generating data' }));
  const resuming = resume && existsSync(checkpointPath(p.modelDir));
  let modelInput: Record<string, unknown>;
  let trainInput: Record<string, unknown>;
  if (resuming) {
    const meta = readCheckpointState(p.modelDir).meta as { modelConfig?: Record<string, unknown>; trainConfig?: Record<string, unknown> };
    modelInput = meta.modelConfig ?? {};
    trainInput = meta.trainConfig ?? {};
  } else {
    modelInput = p.backbone === 'tiny' ? { ...tinyConfig() } : { backbone: p.backbone };
    trainInput = newRunTrainInput(p);
  }
  const model = parseModelConfig(modelInput, 'training.start');
  const train = parseTrainConfig(trainInput, 'training.start');
  const backend = await initBackend({ purpose: 'train', allowCpuTraining: true });
  // A new job uses the cores; a resumed one keeps its checkpoint's count (trainFromDataset, when unset).
  const replicas = resuming ? undefined : (p.replicas ?? 'auto');
  const result = await trainFromDataset({ dataDir: data, outDir: p.modelDir, model, train, resume: resuming, backend: backend.name, replicas, onProgress: progress, signal });
  if (result.state === 'cancelled') throw new CancelledError(`training ${p.modelId} was cancelled at step ${result.steps}; resume continues from its checkpoint`);
  progress({ jobId: job.id, kind: 'train', done: result.steps, total: result.steps, unit: 'steps', phase: 'exporting ONNX', state: 'running' });
  const { exportModelDir } = await import('../../onnx/export/exportModel');
  if (signal.aborted) throw new CancelledError('training finished; ONNX export was cancelled (resume exports it)');
  const onnx = await exportModelDir(p.modelDir, { skipParity: p.backbone !== 'tiny' });
  if (!result.info) throw new InputError(`training ${p.modelId} wrote no model.json`);
  let reranker: { alpha: number } | null = null;
  if (framesOfSplit(readDataset(data), 'val').some((f) => f.labelled && f.queries.length > 0)) {
    if (signal.aborted) throw new CancelledError('training finished; fitting the re-ranker was cancelled (resume fits it)');
    const { fitReranker } = await import('../../rerank/fitReranker');
    const fitted = await fitReranker(p.modelDir, {
      dataDir: data, signal, ...(p.backbone === 'tiny' ? { trainFrames: 200, steps: 100 } : {}),
      onPhase: (phase, done, total) => progress({ jobId: job.id, kind: 'train', done, total, unit: phase === 'fit' ? 'steps' : 'frames', phase: `re-ranker: ${phase}`, state: 'running' }),
    });
    reranker = { alpha: fitted.reranker.alpha };
  }
  return {
    modelId: p.modelId, modelDir: p.modelDir, modelHash: onnx.modelHash, steps: result.steps, finalLoss: result.last?.total ?? null, backend: backend.name, replicas: result.replicas,
    reranker,
  };
};
