/** Handlers of jobs.*: the runner's records (DATA_DIR/jobs) and its cancel/resume. */
import type { HandlerGroup } from './types';

export const jobHandlers: HandlerGroup<'jobs.list' | 'jobs.get' | 'jobs.cancel' | 'jobs.resume'> = {
  'jobs.list': async (filter, ctx) => ctx.jobs.list(filter),
  'jobs.get': async ({ jobId }, ctx) => ctx.jobs.get(jobId),
  'jobs.cancel': async ({ jobId }, ctx) => ctx.jobs.cancel(jobId),
  'jobs.resume': async ({ jobId }, ctx) => ctx.jobs.resume(jobId),
};
