/** Runs an engine over a dataset split and scores it. */
import { join } from 'node:path';
import type { Dataset } from '../dataset/reader';
import { framesOfSplit } from '../dataset/reader';
import type { FrameAnnotation, SplitName } from '../dataset/format';
import { DatasetError } from '../errors';
import { ProgressMeter, throwIfCancelled, type ProgressListener } from '../jobs/progress';
import { buildEvalReport, type ReportOptions } from './report';
import type { EvalFrame, EvalQuery, EvalReport, Evaluator, QueryPrediction } from './types';

export interface EvaluateOptions extends Pick<ReportOptions, 'protocol' | 'minValueCount' | 'boxConvention'> {
  /** Frames per predict() call (default 8, the paper's batch). */
  batchSize?: number;
  /** Score only the first N labelled frames (quick looks). */
  limit?: number;
  signal?: AbortSignal;
  progress?: ProgressListener;
}

export function toEvalFrame(dataset: Dataset, frame: FrameAnnotation): EvalFrame {
  return { id: frame.id, imagePath: join(dataset.dir, frame.image), width: frame.width, height: frame.height };
}

/** The queries as a user would state them: no matches, no target. */
export function toEvalQueries(frame: FrameAnnotation): EvalQuery[] {
  return frame.queries.map((q, queryIndex) => ({
    frameId: frame.id, queryIndex, attributes: q.attributes, ...(q.text !== undefined ? { text: q.text } : {}),
  }));
}

export async function evaluateDataset(
  dataset: Dataset,
  /** A split, or 'all' for every labelled frame (a fresh held-out set generated for testing). */
  split: SplitName | 'all',
  predictor: Evaluator,
  options: EvaluateOptions = {},
): Promise<EvalReport> {
  let frames = (split === 'all' ? dataset.frames : framesOfSplit(dataset, split)).filter((f) => f.labelled);
  if (frames.length === 0) throw new DatasetError(`${dataset.dir}: split "${split}" has no labelled frames`, { file: dataset.dir });
  if (options.limit !== undefined) frames = frames.slice(0, options.limit);
  const batchSize = options.batchSize ?? 8;
  const meter = options.progress ? new ProgressMeter(`eval-${Date.now()}`, 'eval', options.progress, 'frames') : undefined;
  const predictions: QueryPrediction[] = [];
  let predictMs = 0;
  for (let start = 0; start < frames.length; start += batchSize) {
    throwIfCancelled(options.signal, 'Evaluation');
    const batch = frames.slice(start, start + batchSize);
    const t0 = performance.now();
    const out = await predictor.predict(batch.map((f) => toEvalFrame(dataset, f)), batch.flatMap(toEvalQueries), options.signal);
    predictMs += performance.now() - t0;
    predictions.push(...out);
    meter?.update(start + batch.length, frames.length);
  }
  meter?.finish('done', frames.length, frames.length);
  return buildEvalReport(frames, predictions, {
    model: predictor.name,
    dataset: { dir: dataset.dir, source: dataset.manifest.source, split },
    protocol: options.protocol,
    minValueCount: options.minValueCount,
    boxConvention: options.boxConvention,
    msPerFrame: predictMs / frames.length,
  });
}
