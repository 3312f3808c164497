/**
 * search.run: one query over the case's evidence in scope (every complete index for the active
 * model), sightings ranked across videos and recorded with their peak thumbnails. Like
 * core/index/searchCase.ts, plus a scope of evidence ids and a query given as form slots.
 */
import { InputError, ModelError } from '../errors';
import type { AttributeCodes } from '../attributes/schema';
import { IndexFile } from '../index/indexFile';
import { exactHeadCellShare, searchIndex } from '../index/search';
import type { Sighting } from '../index/sightings';
import { canvasFromRgba, decodeToRgba, encodeCanvas } from '../image/canvas';
import { parseQuery } from '../query/index';
import { listEvidence, listIndexes, recordSearch, requireOpenCase, type SightingInput, type Store } from '../store/index';
import type { RetrieverCache } from './retrievers';
import type { SearchRunResult } from './types/search';
import { parsedQueryView } from './queryView';
import { sightingSummary } from './views';

export interface RunSearchInput {
  caseId: number;
  text?: string;
  slots?: AttributeCodes;
  evidenceIds: 'all' | number[];
  threshold?: number;
  linkIou?: number;
  maxGapS?: number;
  maxSightings: number;
}

function png(jpeg: Buffer): Uint8Array | undefined {
  try {
    return encodeCanvas(canvasFromRgba(decodeToRgba(jpeg)), 'png');
  } catch {
    return undefined;
  }
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
  const found: Array<Sighting & { evidenceId: number; thumb?: Uint8Array }> = [];
  const notIndexed: number[] = [];
  let frames = 0;
  let cellsEvaluated = 0;
  let cellsIndexed = 0;
  for (const e of scope) {
    const idx = listIndexes(store, e.id).filter((i) => i.modelHash === modelHash && i.state === 'complete').pop();
    if (!idx) { notIndexed.push(e.id); continue; }
    const file = IndexFile.open(idx.filePath);
    if (file.header.grid !== retriever.grid || file.header.featureWidth !== retriever.manifest.featureWidth) {
      throw new ModelError(`${idx.filePath}: index was built with another model`, { file: idx.filePath });
    }
    const r = await searchIndex(file, retriever, query.codes, { threshold, linkIou: input.linkIou, maxGapS: input.maxGapS });
    frames += file.frameCount;
    cellsEvaluated += r.cellsEvaluated;
    cellsIndexed += r.cellsIndexed;
    for (const s of r.sightings) found.push({ ...s, evidenceId: e.id, thumb: png(file.thumbnail(s.peakFrame)) });
  }
  if (notIndexed.length === scope.length) {
    throw new InputError(`no evidence in scope has a complete index for the active model (${modelHash.slice(0, 12)}…): ingest it first`, { field: 'evidenceIds' });
  }
  found.sort((a, b) => b.score - a.score || a.evidenceId - b.evidenceId || a.startS - b.startS);
  const kept = found.slice(0, input.maxSightings);
  const inputs: SightingInput[] = kept.map((s) => ({
    evidenceId: s.evidenceId, startS: s.startS, endS: s.endS, peakS: s.peakS, peakBox: s.peakBox, score: s.score,
    track: s.track.map((p) => ({ t: p.t, box: p.box, score: p.score })), thumbnailPng: s.thumb,
  }));
  const { search, sightingIds } = recordSearch(store, input.caseId, {
    queryText: input.text ?? query.text, querySlots: query.codes, modelHash,
    thresholds: { confidence: threshold, linkIou: input.linkIou ?? 0.2, maxGapS: input.maxGapS ?? 1, exactHeadCellShare: exactHeadCellShare(cellsEvaluated, cellsIndexed) },
    scope: input.evidenceIds, sightings: inputs,
  });
  return {
    searchId: search.id, query: parsedQueryView(query), modelHash, threshold, framesSearched: frames, notIndexed,
    seconds: (performance.now() - t0) / 1000,
    sightings: kept.map((s, i) => sightingSummary({
      id: sightingIds[i]!, searchId: search.id, rank: i + 1, ...inputs[i]!, thumbnailPng: s.thumb ?? null,
    }, known.get(s.evidenceId), undefined)),
  };
}
