/** Builds the full evaluation report from frames and predictions (pure: no model, no files). */
import type { FrameAnnotation } from '../dataset/format';
import { avssProtocol, type AvssOptions } from './avss';
import { absentHandling, attributeBreakdown } from './breakdown';
import { conditionBreakdown } from './conditions';
import { isAbsentTarget, isPresentTarget, scoredItems } from './lookup';
import { paperProtocol } from './paper';
import { thresholdSweep } from './thresholdSweep';
import type { EvalProtocol, EvalReport, QueryPrediction } from './types';

export interface ReportOptions extends AvssOptions {
  model: string;
  dataset: EvalReport['dataset'];
  protocol?: EvalProtocol;
  /** Smallest query count for a per-value row in the attribute breakdown. */
  minValueCount?: number;
  msPerFrame?: number;
  createdAt?: string;
}

export function buildEvalReport(frames: FrameAnnotation[], predictions: QueryPrediction[], options: ReportOptions): EvalReport {
  const items = scoredItems(frames, predictions);
  const protocol = options.protocol ?? 'all';
  return {
    model: options.model,
    dataset: options.dataset,
    createdAt: options.createdAt ?? new Date().toISOString(),
    counts: {
      frames: frames.length,
      labelledFrames: frames.filter((f) => f.labelled).length,
      queries: items.length,
      presentQueries: items.filter(isPresentTarget).length,
      absentQueries: items.filter(isAbsentTarget).length,
      missingPredictions: items.filter((i) => i.missing).length,
    },
    ...(protocol !== 'avss' ? { paper: paperProtocol(items) } : {}),
    ...(protocol !== 'paper' ? { avss: avssProtocol(items, options) } : {}),
    attributes: attributeBreakdown(items, options.minValueCount),
    conditions: conditionBreakdown(items),
    absent: absentHandling(items),
    thresholds: thresholdSweep(items),
    ...(options.msPerFrame !== undefined ? { msPerFrame: options.msPerFrame } : {}),
  };
}
