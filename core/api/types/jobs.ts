/**
 * Result shapes of jobs.*, training.*, models.*. Plain types (renderer-safe).
 * A job is a long task (ingest, training, export, evaluation) that runs in its own process; its
 * record lives in DATA_DIR/jobs/<id>.json so a restart lists interrupted jobs as resumable.
 */
import type { ProgressEvent } from '../../jobs/progress';

export type JobKind = 'ingest' | 'train' | 'export' | 'evaluate' | 'synth';

/**
 * queued → running → done | failed | cancelled. 'interrupted': the app stopped while it ran
 * (found at start). cancelled and interrupted ingest/train jobs are resumable.
 */
export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted';

export interface JobRecord {
  id: string;
  kind: JobKind;
  state: JobState;
  /** What it is, for lists: "Ingest C1_quay.mp4", "Train synthetic-small". */
  label: string;
  caseId: number | null;
  evidenceId: number | null;
  createdAt: string;
  updatedAt: string;
  /** How many times it was resumed. */
  attempts: number;
  resumable: boolean;
  /** The last progress event seen. */
  progress: ProgressEvent | null;
  /** Kind-specific result when done (ingest: frames, index id; evaluate: EvalTable; train: model id…). */
  result: unknown;
  error: { name: string; message: string } | null;
}

export interface StartedJob {
  jobId: string;
}

export interface DatasetItem {
  /** 'dir': a dataset folder on disk; 'synthetic': a generator recipe run on demand. */
  kind: 'dir' | 'synthetic';
  /** Folder path (dir) or recipe name (synthetic). */
  id: string;
  label: string;
  frames: number | null;
  source: string | null;
  description: string;
}

export interface LossPoint {
  step: number;
  epoch: number;
  phase: string;
  total: number;
  [term: string]: number | string;
}

export interface TrainingStatus {
  job: JobRecord;
  /** The model folder the run writes. */
  modelDir: string;
  modelId: string;
  /** metrics.jsonl so far (every step, thinned to at most 500 points). */
  curve: LossPoint[];
}

export interface ModelSummary {
  /** Folder name under DATA_DIR/models, or 'default' for the shipped model. */
  id: string;
  dir: string;
  source: 'shipped' | 'trained';
  modelHash: string | null;
  createdAt: string | null;
  backbone: string | null;
  /** onnx.json present: the workstation can ingest and search with it. */
  exported: boolean;
  /**
   * The encoder ingests use by default: 'int8' when onnx.json lists an int8 copy made from its
   * encoder.onnx (`fastpr quantize-encoder`), 'float' otherwise; null when not exported.
   */
  encoder: 'float' | 'int8' | null;
  trainedSteps: number | null;
  complete: boolean | null;
  active: boolean;
  /** A warning the model's publisher wrote into model.json ("caveat"), shown wherever the model is used. */
  caveat: string | null;
}

export interface ActiveModel {
  /** 'ready': searches and ingests use `model`. 'none': nothing trained yet. */
  state: 'ready' | 'none';
  model: ModelSummary | null;
  /** For the UI: "Using …" or "Model not trained yet: …". */
  message: string;
}

/** One row of an evaluation table. */
export interface EvalRow {
  metric: string;
  value: number;
  /** e.g. "%", "IoU". */
  unit: string;
}

export interface EvalTable {
  modelId: string;
  dataset: string;
  split: string;
  queries: number;
  rows: EvalRow[];
  /** The evaluator's markdown (core/eval formatEvalMarkdown). */
  markdown: string;
}
