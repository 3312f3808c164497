/**
 * sightings.get: per indexed frame of a sighting (± padS), the track's box, the confidence map and
 * the per-slot attention maps, computed from the cached index features with the search's model
 * (the head only; the encoder never runs again).
 */
import { NotFoundError } from '../errors';
import type { AttributeCodes } from '../attributes/schema';
import { IndexFile } from '../index/indexFile';
import { frameDetail } from '../index/search';
import { slotReport } from '../query/index';
import { getEvidence, getSearch, getSighting, listDecisions, latestDecisionsForCase, searchableIndex, type Store } from '../store/index';
import type { RetrieverCache } from './retrievers';
import type { SightingDetail, SightingFrame } from './types/search';
import { sightingSummary } from './views';

/** The player needs at most this many frames per request (a 60 s sighting at 5 frames/s). */
export const MAX_DETAIL_FRAMES = 300;

export async function sightingDetail(store: Store, models: RetrieverCache, sightingId: number, opts: { attention: boolean; padS: number }): Promise<SightingDetail> {
  const s = getSighting(store, sightingId);
  const search = getSearch(store, s.searchId);
  const e = getEvidence(store, s.evidenceId);
  const idx = searchableIndex(store, e.id, search.modelHash);
  if (!idx) throw new NotFoundError(`evidence #${e.id} no longer has the index search #${search.id} used`);
  const retriever = await models.byHash(search.modelHash);
  const file = IndexFile.open(idx.filePath);
  const codes = (search.querySlots ?? {}) as AttributeCodes;
  const threshold = search.thresholds.confidence ?? retriever.manifest.threshold;
  const from = s.startS - opts.padS - 1e-6;
  const to = s.endS + opts.padS + 1e-6;
  const frames: SightingFrame[] = [];
  for (let i = 0; i < file.frameCount && frames.length < MAX_DETAIL_FRAMES; i++) {
    const t = file.timesS[i]!;
    if (t < from || t > to) continue;
    const d = await frameDetail(file, retriever, codes, i, { threshold, attention: opts.attention });
    const p = s.track.find((q) => Math.abs(q.t - t) < 1e-6);
    frames.push({
      frame: i, timeS: t, box: p ? p.box : null, confidence: d.best.confidence, present: d.present, confidenceMap: d.confidenceMap,
      ...(opts.attention && d.attention ? { attention: d.attention } : {}),
    });
  }
  const decisions = listDecisions(store, s.id);
  return {
    sighting: sightingSummary(s, e, latestDecisionsForCase(store, search.caseId).get(s.id)),
    videoPath: e.videoPath, frameWidth: file.header.frameWidth, frameHeight: file.header.frameHeight, grid: file.header.grid, threshold,
    query: { text: search.queryText, codes: codes as Record<string, number>, slots: slotReport(codes) },
    frames, decisions,
  };
}
