/** What a new training job starts with, shared by the job and the training.start handler (which checks it before queuing). */
import { parseTrainConfig } from '../../train/config';
import { resolveReplicas } from '../../train/parallel/replicaCount';
import type { TrainParams } from './train';

/** The training settings a new run of these parameters starts with (the recipe's defaults and what the form set). */
export function newRunTrainInput(p: Pick<TrainParams, 'backbone' | 'steps' | 'epochs' | 'batchSize'>): Record<string, unknown> {
  return {
    ...(p.backbone === 'tiny' ? { batchSize: 4, checkpointEvery: 5, phaseUnit: 'step', proxyPhaseLength: 2, localisationPhaseLength: 2 } : {}),
    ...(p.epochs !== undefined ? { epochs: p.epochs } : {}), ...(p.steps !== undefined ? { steps: p.steps } : {}),
    ...(p.batchSize !== undefined ? { batchSize: p.batchSize } : {}),
  };
}

/**
 * Checks a replica count asked for a new run against the batch it will split, so a count that does
 * not divide it is refused at the form instead of failing the queued job. 'auto' always fits.
 */
export function checkReplicasFor(p: Pick<TrainParams, 'backbone' | 'steps' | 'epochs' | 'batchSize' | 'replicas'>): void {
  if (typeof p.replicas !== 'number') return;
  const { batchSize } = parseTrainConfig(newRunTrainInput(p), 'training.start');
  resolveReplicas(p.replicas, batchSize, 'wasm');
}
