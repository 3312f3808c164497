/** Svelte store over the single progress stream: the latest event of every job seen this session. */
import { readable, type Readable } from 'svelte/store';
import type { ProgressEvent } from '../../../core/api/contract';
import { api } from '../api/client';

export type JobsById = ReadonlyMap<string, ProgressEvent>;

export const jobs: Readable<JobsById> = readable<JobsById>(new Map(), (set) => {
  const latest = new Map<string, ProgressEvent>();
  // Subscribed while any component shows jobs; the returned disposer closes the stream.
  return api.onProgress((event) => {
    latest.set(event.jobId, event);
    set(new Map(latest));
  });
});

export function runningCount(all: JobsById): number {
  let n = 0;
  for (const e of all.values()) if (e.state === 'running') n++;
  return n;
}
