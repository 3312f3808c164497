/**
 * Handlers of evidence.*: add (probe + test-decode with core/video, SHA-256, record; a file that is
 * not a decodable video changes nothing), verify (re-hash), ingest (an ingest job with the active model).
 */
import { basename } from 'node:path';
import { ModelError } from '../../errors';
import { preflightVideo } from '../../index/ingest';
import { addEvidence, getEvidence, hashFile, listEvidence, requireOpenCase, verifyEvidence } from '../../store/index';
import { activeModel } from '../models';
import { evidenceItem } from '../views';
import type { FeatureDtype } from '../../index/quantize';
import type { HandlerGroup, ServiceContext } from './types';

/** Starts the evidence's ingest job, or returns the one already running/queued, or resumes an interrupted one. */
export function startIngest(ctx: ServiceContext, evidenceId: number, fps: number | 'all', dtype?: FeatureDtype): string {
  const store = ctx.store();
  const e = getEvidence(store, evidenceId);
  requireOpenCase(store, e.caseId);
  const model = activeModel(ctx.dataDir);
  if (!model.model) throw new ModelError(model.message);
  const existing = ctx.jobs.activeJobFor(evidenceId);
  if (existing) {
    const j = ctx.jobs.stored(existing);
    // The same build: same model and rate, and the storage asked for (if any) is the one it builds.
    const sameBuild = j.params.modelDir === model.model.dir && j.params.fps === fps && (dtype === undefined || j.params.dtype === dtype);
    if (j.state === 'running' || j.state === 'queued') return j.id;
    if (j.resumable && sameBuild) return ctx.jobs.resume(j.id).id;
  }
  return ctx.jobs.start({
    kind: 'ingest', label: `Ingest ${basename(e.videoPath)}`, caseId: e.caseId, evidenceId,
    params: { caseId: e.caseId, evidenceId, videoPath: e.videoPath, modelDir: model.model.dir, fps, ...(dtype ? { dtype } : {}) },
  }).id;
}

export const evidenceHandlers: HandlerGroup<'evidence.list' | 'evidence.add' | 'evidence.verify' | 'evidence.ingest'> = {
  'evidence.list': async ({ caseId }, ctx) => {
    const store = ctx.store();
    const hash = ctx.activeModelHash();
    return listEvidence(store, caseId).map((e) => evidenceItem(store, e, hash, ctx.jobs.activeJobFor(e.id)));
  },
  'evidence.add': async (input, ctx) => {
    const store = ctx.store();
    requireOpenCase(store, input.caseId);
    const info = await preflightVideo(input.path);
    const hash = await hashFile(input.path);
    const e = addEvidence(store, input.caseId, input.path, hash, {
      durationS: info.durationS, width: info.width, height: info.height, fps: info.fps,
      cameraLabel: input.cameraLabel ?? null, timeOffsetS: input.timeOffsetS,
    });
    const jobId = input.ingest && ctx.activeModelHash() ? startIngest(ctx, e.id, input.fps) : null;
    return { evidence: evidenceItem(store, e, ctx.activeModelHash(), jobId), jobId };
  },
  'evidence.verify': async ({ evidenceId }, ctx) => verifyEvidence(ctx.store(), evidenceId),
  'evidence.ingest': async ({ evidenceId, fps, dtype }, ctx) => ({ jobId: startIngest(ctx, evidenceId, fps, dtype) }),
};
