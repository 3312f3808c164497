/**
 * How a job's worker process is started.
 *
 * Choice: a child process (child_process.fork), not a worker_thread. Reasons: (1) the worker must
 * run TypeScript in development: `node --import tsx worker.ts` is tsx's supported way, while a
 * worker_thread under vitest or Electron would need its own loader wiring; (2) native modules
 * (onnxruntime-node, better-sqlite3, @napi-rs/canvas, tfjs-node) are safest one-per-process;
 * (3) a crash, an OOM or a hard kill (the cancel fallback) takes down only the job, whose
 * checkpoint survives; (4) in Electron, `fork` runs the Electron binary as Node
 * (ELECTRON_RUN_AS_NODE), so native modules built for Electron's ABI load in the child too.
 * Packaged builds bundle worker.ts to a .mjs and pass it as `workerEntry` (or FASTPR_JOB_WORKER).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface WorkerEntry {
  /** The script fork() runs. */
  file: string;
  /** Node flags for the child (e.g. the tsx loader). */
  execArgv: string[];
}

const here = dirname(fileURLToPath(import.meta.url));

function tsxLoader(): string {
  const pkg = createRequire(import.meta.url).resolve('tsx/package.json');
  return pathToFileURL(join(dirname(pkg), 'dist', 'loader.mjs')).href;
}

/** A worker script: a .ts file runs through the tsx loader (development), a bundled .mjs as is. */
export function workerEntryFor(file: string): WorkerEntry {
  return { file, execArgv: file.endsWith('.ts') ? ['--import', tsxLoader()] : [] };
}

/**
 * FASTPR_JOB_WORKER, else a bundled jobWorker.mjs beside this module (a bundle's own folder),
 * else core/jobs/worker.ts through tsx.
 */
export function defaultWorkerEntry(dir = here): WorkerEntry {
  const override = process.env.FASTPR_JOB_WORKER;
  if (override) return workerEntryFor(override);
  const bundled = join(dir, 'jobWorker.mjs');
  if (existsSync(bundled)) return workerEntryFor(bundled);
  return workerEntryFor(join(here, 'worker.ts'));
}
