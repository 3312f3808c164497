/** Handlers of query.parse, search.run/warm, sightings.list/get and frames.get. */
import { videoThumbnail } from '../../video/export';
import { getEvidence, getSearch, latestDecisionsForCase, listSightings } from '../../store/index';
import { parseForDisplay } from '../queryView';
import { runSearch, warmCase } from '../search';
import { sightingDetail } from '../sightingDetail';
import type { SightingSummary } from '../types/search';
import { evidenceById, sightingSummary } from '../views';
import type { HandlerGroup } from './types';

type K = 'query.parse' | 'search.run' | 'search.warm' | 'sightings.list' | 'sightings.get' | 'frames.get';

const SORTS: Record<string, (a: SightingSummary, b: SightingSummary) => number> = {
  rank: (a, b) => a.rank - b.rank,
  score: (a, b) => a.score - b.score || b.rank - a.rank,
  time: (a, b) => a.startS - b.startS || a.evidenceId - b.evidenceId,
  video: (a, b) => a.videoFileName.localeCompare(b.videoFileName) || a.startS - b.startS,
};
/** Natural direction per sort key when `order` is not given: best first, earliest first. */
const DEFAULT_ORDER: Record<string, 'asc' | 'desc'> = { rank: 'asc', score: 'desc', time: 'asc', video: 'asc' };

export const searchHandlers: HandlerGroup<K> = {
  'query.parse': async ({ text }) => parseForDisplay(text),
  'search.run': async (input, ctx) => runSearch(ctx.store(), ctx.models, input),
  'search.warm': async ({ caseId }, ctx) => warmCase(ctx.store(), ctx.models, caseId),
  'sightings.list': async (f, ctx) => {
    const store = ctx.store();
    const search = getSearch(store, f.searchId);
    const evidence = evidenceById(store, search.caseId);
    const latest = latestDecisionsForCase(store, search.caseId);
    let list = listSightings(store, f.searchId).map((s) => sightingSummary(s, evidence.get(s.evidenceId), latest.get(s.id)));
    if (f.decision) list = list.filter((s) => (f.decision === 'undecided' ? s.decision === null : s.decision?.decision === f.decision));
    if (f.evidenceId !== undefined) list = list.filter((s) => s.evidenceId === f.evidenceId);
    if (f.minScore !== undefined) list = list.filter((s) => s.score >= f.minScore!);
    const cmp = SORTS[f.sort]!;
    const sign = (f.order ?? DEFAULT_ORDER[f.sort]) === 'asc' ? 1 : -1;
    list.sort((a, b) => sign * cmp(a, b));
    return list.slice(f.offset, f.offset + f.limit);
  },
  'sightings.get': async ({ sightingId, attention, padS }, ctx) => sightingDetail(ctx.store(), ctx.models, sightingId, { attention, padS }),
  'frames.get': async ({ evidenceId, timeS, width }, ctx) => {
    const e = getEvidence(ctx.store(), evidenceId);
    const frameWidth = e.width ?? 704;
    const frameHeight = e.height ?? 576;
    const w = Math.min(width ?? frameWidth, 3840);
    const even = w - (w % 2);
    const jpeg = await videoThumbnail(e.videoPath, Math.min(timeS, Math.max(0, (e.durationS ?? timeS) - 1e-3)), even);
    return {
      evidenceId, timeS, dataUrl: `data:image/jpeg;base64,${jpeg.toString('base64')}`, width: even,
      height: Math.round((frameHeight * even) / frameWidth / 2) * 2, frameWidth, frameHeight
    };
  },
};
