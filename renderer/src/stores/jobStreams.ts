/**
 * One store per progress stream, all fed by the single progress channel (stores/progress.ts):
 * the latest event of each ingest / training / export / evaluation job, and the training
 * metrics history (the stream carries each step's losses; the chart needs all of them).
 */
import { derived, readable, type Readable } from 'svelte/store';
import type { ProgressEvent } from '../../../core/api/contract';
import { api } from '../api/client';
import { jobs, type JobsById } from './progress';

function ofKind(kind: string): Readable<JobsById> {
  return derived(jobs, (all) => new Map([...all].filter(([, e]) => e.kind === kind)));
}

export const ingestJobs = ofKind('ingest');
export const trainJobs = ofKind('train');
export const exportJobs = ofKind('export');
export const evaluateJobs = ofKind('evaluate');

export interface MetricPoint { step: number; metrics: Record<string, number> }

/** Training metrics seen on the stream this session, per job id (the history comes from training.status). */
export const trainMetrics: Readable<ReadonlyMap<string, MetricPoint[]>> = readable<ReadonlyMap<string, MetricPoint[]>>(new Map(), (set) => {
  const byJob = new Map<string, MetricPoint[]>();
  return api.onProgress((e: ProgressEvent) => {
    if (e.kind !== 'train' || !e.metrics) return;
    const list = byJob.get(e.jobId) ?? [];
    const step = e.metrics.step ?? e.done;
    if (list.length && list[list.length - 1]!.step === step) list[list.length - 1] = { step, metrics: e.metrics };
    else list.push({ step, metrics: e.metrics });
    byJob.set(e.jobId, list);
    set(new Map(byJob));
  });
});
