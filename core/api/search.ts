/**
 * search.run: one query over the case's evidence in scope (every complete index for the active
 * model), sightings ranked across videos and recorded with their thumbnails — through the same
 * searchEvidence/recordCaseSearch as the CLI's `fastpr search`, plus a scope of evidence ids and a
 * query given as form slots.
 */
import { InputError } from '../errors';
import type { AttributeCodes } from '../attributes/schema';
import { notSearched, recordCaseSearch, searchEvidence } from '../index/searchCase';
import { warmIndexes } from '../index/warmIndexes';
import { parseQuery } from '../query/index';
import { listEvidence, requireOpenCase, type Store } from '../store/index';
import type { RetrieverCache } from './retrievers';
import type { SearchRunResult, SearchWarmResult } from './types/search';
import { parsedQueryView } from './queryView';
import { sightingSummary } from './views';

export interface RunSearchInput {
  caseId: number;
  text?: string;
  slots?: AttributeCodes;
  evidenceIds: 'all' | number[];
  threshold?: number;
  /** Hits down to this confidence extend a sighting (default half the threshold). */
  extendConfidence?: number;
  linkIou?: number;
  /** Box sizes per second a linked box's centre may move (core/index/sightings.ts). */
  linkSpeed?: number;
  maxGapS?: number;
  maxSightings: number;
  /** Score every cell with the exact head instead of the prefiltered ones (slower; nothing left to a proxy). */
  exhaustive?: boolean;
}

export async function runSearch(store: Store, models: RetrieverCache, input: RunSearchInput): Promise<SearchRunResult> {
  const t0 = performance.now();
  requireOpenCase(store, input.caseId);
  const query = parseQuery(input.text ?? input.slots ?? {});
  const { retriever, modelHash } = await models.active();
  const threshold = input.threshold ?? retriever.manifest.threshold;
  const all = listEvidence(store, input.caseId);
  if (all.length === 0) throw new InputError('the case has no evidence yet: add a video first', { field: 'caseId' });
  const known = new Map(all.map((e) => [e.id, e]));
  if (input.evidenceIds !== 'all') {
    for (const id of input.evidenceIds) if (!known.has(id)) throw new InputError(`evidenceIds: evidence #${id} is not part of case #${input.caseId}`, { field: 'evidenceIds' });
  }
  const scope = input.evidenceIds === 'all' ? all : input.evidenceIds.map((id) => known.get(id)!);
  const opts = {
    threshold, extendConfidence: input.extendConfidence, linkIou: input.linkIou, linkSpeed: input.linkSpeed, maxGapS: input.maxGapS,
    exhaustive: input.exhaustive === true,
  };
  const result = await searchEvidence(store, scope, retriever, modelHash, query.codes, opts);
  const notIndexed = notSearched(result.evidenceSearched);
  if (notIndexed.length === scope.length) {
    throw new InputError(`no evidence in scope has a complete index for the active model (${modelHash.slice(0, 12)}…): ingest it first`, { field: 'evidenceIds' });
  }
  const { search, kept, inputs, sightingIds } = await recordCaseSearch(
    store, input.caseId, { queryText: input.text ?? query.text, codes: query.codes, modelHash, threshold, opts, scope: input.evidenceIds }, result, input.maxSightings,
  );
  return {
    searchId: search.id, query: parsedQueryView(query), modelHash, threshold, framesSearched: result.framesSearched, notIndexed,
    exactHeadCellShare: result.exactHeadCellShare, warnings: result.warnings,
    seconds: (performance.now() - t0) / 1000,
    sightings: kept.map((s, i) => sightingSummary({
      id: sightingIds[i]!, searchId: search.id, rank: i + 1, ...inputs[i]!, thumbnailPng: inputs[i]!.thumbnailPng ?? null,
      thumbnailS: inputs[i]!.thumbnailS ?? null, thumbnailBox: inputs[i]!.thumbnailBox ?? null,
    }, known.get(s.evidenceId), undefined)),
  };
}

/** The warm-up in progress (one at a time: the case on screen). */
let warming: { caseId: number; abort: AbortController; done: Promise<SearchWarmResult> } | null = null;

/**
 * search.warm: the case's complete indexes for the active model decoded into the coefficient cache
 * (core/index/warmIndexes.ts). A call for the case already warming joins it; one for another case
 * stops the unfinished one first.
 */
export async function warmCase(store: Store, models: RetrieverCache, caseId: number): Promise<SearchWarmResult> {
  requireOpenCase(store, caseId);
  if (warming?.caseId === caseId) return warming.done;
  warming?.abort.abort();
  const abort = new AbortController();
  const done = (async () => {
    const { modelHash } = await models.active(); // loads the model too, which the search will need
    return warmIndexes(store, listEvidence(store, caseId), modelHash, abort.signal);
  })();
  const mine = { caseId, abort, done };
  warming = mine;
  try {
    return await done;
  } finally {
    if (warming === mine) warming = null;
  }
}
