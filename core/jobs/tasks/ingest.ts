/**
 * Ingest job: core/index's ingestVideo for one evidence item with the chosen model. A cancel or a
 * kill leaves the index 'building' with a durable checkpoint; running the task again resumes it
 * (ingestVideo finds the index and its checkpoint), so resume needs nothing special here.
 */
import { CancelledError } from '../../errors';
import { ingestVideo } from '../../index/ingest';
import { openStore } from '../../store/store';
import { setEvidenceState } from '../../store/evidence';
import type { Task } from './types';

export interface IngestParams { caseId: number; evidenceId: number; videoPath: string; modelDir: string; fps: number | 'all' }

export const ingestTask: Task = async ({ dataDir, job, signal, progress }) => {
  const p = job.params as unknown as IngestParams;
  const store = openStore(dataDir);
  try {
    const r = await ingestVideo(store, p.caseId, p.videoPath, p.modelDir, { fps: p.fps, signal, onProgress: progress });
    return {
      evidenceId: r.evidence.id, indexId: r.index.id, frames: r.index.frames, outcome: r.outcome, warnings: r.warnings,
      seconds: r.build?.seconds.total ?? 0, framesThisRun: r.build?.framesThisRun ?? 0,
    };
  } catch (err) {
    if (signal.aborted && (err as Error).name !== 'CancelledError') throw new CancelledError(`ingest of ${p.videoPath} was cancelled`);
    // A failure (not a cancel) must not leave the evidence looking busy forever.
    if ((err as Error).name !== 'CancelledError') {
      try { setEvidenceState(store, p.evidenceId, 'failed'); } catch { /* keep the original error */ }
    }
    throw err;
  } finally {
    store.close();
  }
};
