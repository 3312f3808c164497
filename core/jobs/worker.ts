/**
 * The job worker: a child process (forked by runner.ts) that runs ONE job and exits. Heavy work
 * (ffmpeg decode, onnxruntime, TF.js training, PDF rendering) therefore never blocks the app's main
 * process, a crash or a kill loses only this job (which resumes from its checkpoint), and cancel
 * is an AbortSignal here with a hard kill as the parent's fallback.
 */
import { serializeError } from '../errors';
import type { FromWorker, ToWorker } from './protocol';
import type { Task } from './tasks/types';

const TASKS: Record<string, () => Promise<Task>> = {
  ingest: async () => (await import('./tasks/ingest')).ingestTask,
  train: async () => (await import('./tasks/train')).trainTask,
  export: async () => (await import('./tasks/exportReport')).exportTask,
  evaluate: async () => (await import('./tasks/evaluate')).evaluateTask,
  synth: async () => (await import('./tasks/synth')).synthTask,
};

const controller = new AbortController();
let started = false;

function send(msg: FromWorker): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send(msg, undefined, {}, () => resolve());
  });
}

async function run(msg: Extract<ToWorker, { type: 'start' }>): Promise<void> {
  const { job } = msg;
  let result: FromWorker;
  try {
    const load = TASKS[job.kind];
    if (!load) throw new Error(`unknown job kind "${job.kind}"`);
    const task = await load();
    const value = await task({
      dataDir: msg.dataDir, job, resume: msg.resume, signal: controller.signal,
      progress: (e) => void send({ type: 'progress', event: { ...e, jobId: job.id, kind: job.kind } }),
    });
    result = { type: 'done', result: value ?? null };
  } catch (err) {
    result = { type: 'error', error: serializeError(err) };
  }
  await send(result);
  process.exit(0);
}

process.on('message', (msg: ToWorker) => {
  if (msg.type === 'cancel') controller.abort();
  else if (msg.type === 'start' && !started) {
    started = true;
    void run(msg);
  }
});
// The parent went away (app quit or crashed): stop at the next checkpoint boundary and exit.
process.on('disconnect', () => {
  controller.abort();
  setTimeout(() => process.exit(0), 10_000).unref();
});
