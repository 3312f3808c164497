/**
 * `train a model from a dataset folder into a model directory` — the one entry point the CLI and the
 * UI share. Reads the train split, builds samples, trains (or resumes), then writes the model
 * directory (core/model/modelDir.ts) plus metrics.jsonl and loss-curve.png.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ANNOTATIONS_FILE, MANIFEST_FILE } from '../dataset/format';
import { framesOfSplit, readDataset } from '../dataset/reader';
import { InputError } from '../errors';
import type { ProgressListener } from '../jobs/progress';
import type { ModelConfig } from '../model/config';
import { loadImagenetResnet50 } from '../model/imagenet';
import { countMacs } from '../model/macs';
import { saveModelDir, type ModelInfo } from '../model/modelDir';
import { writeFileAtomic } from '../model/atomicFile';
import { readWeightsFiles } from '../model/weightsFile';
import { checkpointPath, readCheckpointState } from './checkpoint';
import type { TrainConfig } from './config';
import { DatasetFrameSource } from './frameSource';
import { drawLossCurve, type CurvePoint } from './lossCurve';
import { buildSamples } from './samples';
import { METRICS_FILE, Trainer, type TrainerOptions, type TrainResult } from './trainer';
import { trainInParallel } from './parallel/parallelTrain';
import { resolveReplicas, type ReplicasRequest } from './parallel/replicaCount';
import * as tf from '../tf/tf';

export interface TrainRunOptions {
  dataDir: string;
  outDir: string;
  model: ModelConfig;
  train: TrainConfig;
  resume?: boolean;
  /** Local ImageNet ResNet-50 weights (resnet50 backbone only). */
  imagenetWeights?: string;
  /** Fine-tuning: start from this trained model directory's weights (same architecture). */
  initFrom?: string;
  /** Backend name, recorded in model.json. */
  backend?: string;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
  /**
   * Data-parallel replicas (worker threads, one core each; core/train/parallel): each computes
   * batchSize / replicas samples of every batch and the gradients are averaged. 1 (default) trains
   * on this thread as always; 'auto' as many as the cores and the batch allow (replicaCount.ts).
   * Unset on resume: the count the checkpoint was made with.
   */
  replicas?: ReplicasRequest;
  /** Set inside a replica worker only (parallelTrain.ts does it). */
  shard?: TrainerOptions['shard'];
}

export interface TrainRunResult extends TrainResult {
  info?: ModelInfo;
  samples: number;
  /** Replicas that trained it (1 on this thread). */
  replicas: number;
  /** Inside a replica: SHA-256 of its final weights (the coordinator checks every replica's is the same). */
  weightsDigest?: string;
}

function sha256File(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

export function writeLossCurve(outDir: string): void {
  const file = join(outDir, METRICS_FILE);
  if (!existsSync(file)) return;
  const points = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as CurvePoint);
  if (points.length) writeFileAtomic(join(outDir, 'loss-curve.png'), drawLossCurve(points));
}

function weightsDigest(trainer: Trainer): string {
  const hash = createHash('sha256');
  for (const w of trainer.model.weights.values()) hash.update(w.dataSync() as Float32Array);
  return hash.digest('hex');
}

export async function trainFromDataset(o: TrainRunOptions): Promise<TrainRunResult> {
  const writes = !o.shard || o.shard.index === 0;
  const dataset = readDataset(o.dataDir);
  const frames = framesOfSplit(dataset, 'train');
  if (frames.length === 0) throw new InputError(`${join(o.dataDir, MANIFEST_FILE)}: the train split has no frames`);
  const samples = buildSamples(frames);
  if (o.resume && !existsSync(checkpointPath(o.outDir))) throw new InputError(`${checkpointPath(o.outDir)}: nothing to resume (no checkpoint)`);
  const was = o.resume
    ? (readCheckpointState(o.outDir).meta as { annotationsSha256?: string; fineTunedFrom?: string; freshWeights?: string[]; recutWeights?: string[]; replicas?: number })
    : undefined;
  if (!o.shard) {
    // Not asked: a resumed run keeps its checkpoint's count (so it continues exactly), a new one 1.
    // A split smaller than the batch makes the batch smaller (Trainer): count replicas for that.
    const request = o.replicas ?? was?.replicas;
    const replicas = resolveReplicas(request, Math.min(o.train.batchSize, samples.length), o.backend ?? tf.getBackend());
    if (replicas > 1) return trainInParallel(o, replicas);
  }
  const meta: Record<string, unknown> = {
    dataManifestSha256: sha256File(join(o.dataDir, MANIFEST_FILE)),
    annotationsSha256: sha256File(join(o.dataDir, ANNOTATIONS_FILE)),
    dataSource: dataset.manifest.source,
    trainFrames: frames.length,
    trainSamples: samples.length,
    replicas: o.shard?.count ?? 1,
    ...(o.initFrom && !o.resume ? { fineTunedFrom: o.initFrom } : {}),
  };
  if (was) {
    if (was.annotationsSha256 && was.annotationsSha256 !== meta.annotationsSha256) {
      throw new InputError(`${checkpointPath(o.outDir)}: the checkpoint was trained on other annotations than ${join(o.dataDir, ANNOTATIONS_FILE)}; resume with the same dataset`);
    }
    // A resumed fine-tune keeps its lineage (the checkpoints carry it).
    if (was.fineTunedFrom) Object.assign(meta, { fineTunedFrom: was.fineTunedFrom, freshWeights: was.freshWeights ?? [], ...(was.recutWeights?.length ? { recutWeights: was.recutWeights } : {}) });
  }
  const opts = {
    modelConfig: o.model,
    trainConfig: o.train,
    samples,
    // Each replica decodes and caches its own frames: the budget is shared between them.
    source: new DatasetFrameSource(o.dataDir, frames, Math.floor(o.train.frameCacheBytes / (o.shard?.count ?? 1))),
    ...(o.shard ? { shard: o.shard } : {}),
    outDir: o.outDir,
    onProgress: o.onProgress,
    signal: o.signal,
    meta,
    initialWeights: o.resume
      ? undefined
      : o.initFrom
        ? readWeightsFiles(o.initFrom, 'weights')
        : o.imagenetWeights
          ? loadImagenetResnet50(o.imagenetWeights, o.model)
          : undefined,
  };
  const trainer = o.resume ? Trainer.resume(opts) : Trainer.create(opts);
  // Known once the model exists; `meta` is the object the trainer's checkpoints record.
  if (o.initFrom && !o.resume) {
    meta.freshWeights = trainer.freshWeights;
    if (trainer.recutWeights.length) meta.recutWeights = trainer.recutWeights;
  }
  try {
    const result = await trainer.run();
    if (!writes) return { ...result, samples: samples.length, replicas: o.shard!.count, weightsDigest: weightsDigest(trainer) };
    writeLossCurve(o.outDir);
    const macs = countMacs(o.model);
    const info = saveModelDir(o.outDir, trainer.model, {
      inputMode: o.train.inputMode,
      training: o.train,
      info: {
        ...meta,
        trainedSteps: result.steps,
        totalSteps: trainer.totalSteps,
        complete: result.state === 'done',
        finalLoss: result.last?.total,
        backend: o.backend,
        inferenceMacs: macs.inference,
        imagenetInit: Boolean(o.imagenetWeights),
      },
    });
    return { ...result, info, samples: samples.length, replicas: o.shard?.count ?? 1, ...(o.shard ? { weightsDigest: weightsDigest(trainer) } : {}) };
  } finally {
    trainer.dispose();
  }
}
