/**
 * Ingest job: core/index's ingestVideo for one evidence item with the chosen model. A cancel or a
 * kill leaves the index 'building' with a durable checkpoint; running the task again resumes it
 * (ingestVideo finds the index and its checkpoint), so resume needs nothing special here.
 */
import { CancelledError, InputError } from '../../errors';
import { ingestVideo } from '../../index/ingest';
import type { FeatureDtype } from '../../index/quantize';
import { openStore } from '../../store/store';
import { checkEvidenceHash, getEvidence, recordVerification, setEvidenceState } from '../../store/evidence';
import type { Task } from './types';

/** `dtype`: only when asked for (a rebuild of an index stored otherwise; see IngestOptions.dtype). */
export interface IngestParams { caseId: number; evidenceId: number; videoPath: string; modelDir: string; fps: number | 'all'; dtype?: FeatureDtype }

/**
 * Tests only: FASTPR_JOB_TEST_SLOW_MS blocks this worker that long per encoded batch, so a test can
 * cancel or kill an ingest part-way on a short clip (the same device core/index's kill test uses).
 */
function testSlowdown(): () => void {
  const ms = Number(process.env.FASTPR_JOB_TEST_SLOW_MS ?? 0);
  if (!(ms > 0)) return () => {};
  const cell = new Int32Array(new SharedArrayBuffer(4));
  return () => void Atomics.wait(cell, 0, 0, ms);
}

export const ingestTask: Task = async ({ dataDir, job, signal, progress }) => {
  const p = job.params as unknown as IngestParams;
  const store = openStore(dataDir);
  const slow = testSlowdown();
  try {
    // The index must describe the file recorded at import: a changed or missing file is refused
    // (and the check recorded) instead of being indexed, or added again as new evidence.
    progress({ jobId: job.id, kind: 'ingest', done: 0, unit: 'frames', phase: 'verifying SHA-256', state: 'running' });
    const check = await checkEvidenceHash(getEvidence(store, p.evidenceId), signal);
    if (check.status !== 'match') {
      recordVerification(store, check);
      throw new InputError(`evidence #${p.evidenceId}: ${check.message}; not ingested`, { file: p.videoPath });
    }
    const r = await ingestVideo(store, p.caseId, p.videoPath, p.modelDir, {
      fps: p.fps, dtype: p.dtype, signal, checkpointEvery: 1, onProgress: (e) => { progress(e); slow(); },
    });
    return {
      evidenceId: r.evidence.id, indexId: r.index.id, frames: r.index.frames, outcome: r.outcome, warnings: r.warnings,
      seconds: r.build?.seconds.total ?? 0, framesThisRun: r.build?.framesThisRun ?? 0,
    };
  } catch (err) {
    if (signal.aborted && (err as Error).name !== 'CancelledError') throw new CancelledError(`ingest of ${p.videoPath} was cancelled`);
    // A failure (not a cancel) must not leave the evidence looking busy forever. Evidence still
    // 'indexed' failed before its index was touched (e.g. a damaged model): its complete index is
    // still valid, so it is not downgraded (the job carries the error).
    if ((err as Error).name !== 'CancelledError') {
      try {
        if (getEvidence(store, p.evidenceId).state !== 'indexed') setEvidenceState(store, p.evidenceId, 'failed');
      } catch { /* keep the original error */ }
    }
    throw err;
  } finally {
    store.close();
  }
};
