/**
 * Searching a case: every evidence item's complete index for the model, one query, sightings
 * ranked across videos and recorded (with a thumbnail, its time and its own box: see
 * sightingThumbnail.ts) in the case database.
 * `searchEvidence` + `recordCaseSearch` are the one implementation behind both the CLI
 * (`searchCase`) and the workstation's search.run (core/api/search.ts).
 */
import { existsSync, statSync } from 'node:fs';
import { decodeToRgba, canvasFromRgba, encodeCanvasAsync } from '../image/canvas';
import { InputError, ModelError, VideoError } from '../errors';
import { readReranker } from '../rerank/file';
import { BoxReader } from '../rerank/boxReader';
import { DEFAULT_SIGHTING_RERANK_TOP, rerankSightings } from '../rerank/sightings';
import { videoFrameRgb } from '../video/export';
import type { AttributeCodes } from '../attributes/schema';
import { OnnxRetriever } from '../infer/onnxRetriever';
import { parseQuery, type ParsedQuery } from '../query/index';
import {
  listEvidence, recordSearch, requireOpenCase, searchableIndex,
  type EvidenceRecord, type SearchedEvidence, type SearchRecord, type SightingInput, type Store,
} from '../store/index';
import { IndexFile } from './indexFile';
import { exactHeadCellShare, extendConfidenceFor, searchIndex, type SearchOptions } from './search';
import { sightingThumbnail, type FoundThumbnail } from './sightingThumbnail';
import { bySightingRank, DEFAULT_LINK_SPEED, type Sighting } from './sightings';

export interface CaseSighting extends Sighting { evidenceId: number; videoPath: string; indexId: number; id?: number }

export interface CaseSearchResult {
  searchId: number;
  query: ParsedQuery;
  modelHash: string;
  threshold: number;
  sightings: CaseSighting[];
  framesSearched: number;
  seconds: number;
  /** Evidence of the case without a complete index for this model. */
  notIndexed: number[];
  /** What was read for each evidence item (as recorded with the search). */
  evidenceSearched: SearchedEvidence[];
  /** Why the sightings were not re-ranked by colour although the model has a re-ranker. */
  warnings: string[];
}

/** The stored PNG of an index thumbnail (undefined when its JPEG does not decode); encoded off the event loop. */
async function pngThumbnail(jpeg: Buffer): Promise<Uint8Array | undefined> {
  try {
    return await encodeCanvasAsync(canvasFromRgba(decodeToRgba(jpeg)), 'png');
  } catch {
    return undefined;
  }
}

/** A sighting with the thumbnail it shows: one indexed frame's JPEG, its time and its own box (sightingThumbnail.ts). */
export type FoundSighting = CaseSighting & { thumb?: FoundThumbnail };

export interface EvidenceSearch {
  /** Best first across videos. */
  found: FoundSighting[];
  framesSearched: number;
  /** Share of indexed cells the exact head scored (1 = exhaustive). */
  exactHeadCellShare: number;
  /** Each evidence item of the scope, in scope order, with the index read for it (null: not searched). */
  evidenceSearched: SearchedEvidence[];
  /** Why the sightings were not re-ranked by colour although the model has a re-ranker. */
  warnings: string[];
}

export interface EvidenceSearchOptions extends SearchOptions {
  /**
   * Re-rank the best sightings by their peak boxes' colours when the model directory has a
   * reranker.json (core/rerank; default true): each of the `rerankTop` best has its peak frame
   * decoded again from its video.
   */
  rerank?: boolean;
  rerankTop?: number;
}

/** The evidence ids a search did not read (no complete index for its model). */
export function notSearched(evidenceSearched: readonly SearchedEvidence[]): number[] {
  return evidenceSearched.filter((e) => e.index === null).map((e) => e.evidenceId);
}

/**
 * Runs the query over the newest complete index of each evidence item for `modelHash`. An index
 * that belongs to another model or another video than its evidence row is an error, not a result.
 */
export async function searchEvidence(
  store: Store, scope: readonly EvidenceRecord[], retriever: OnnxRetriever, modelHash: string,
  codes: AttributeCodes, opts: EvidenceSearchOptions,
): Promise<EvidenceSearch> {
  // Read first: a malformed reranker.json fails the search before any work, naming the file.
  const reranker = opts.rerank === false ? undefined : readReranker(retriever.modelDir);
  const frameSize = new Map<number, { width: number; height: number; videoPath: string; sizeBytes: number }>();
  const found: FoundSighting[] = [];
  const evidenceSearched: SearchedEvidence[] = [];
  let framesSearched = 0;
  let cellsEvaluated = 0;
  let cellsIndexed = 0;
  for (const e of scope) {
    const idx = searchableIndex(store, e.id, modelHash);
    if (!idx) { evidenceSearched.push({ evidenceId: e.id, index: null }); continue; }
    const file = IndexFile.open(idx.filePath);
    if (file.header.modelHash !== modelHash || file.header.grid !== retriever.grid || file.header.featureWidth !== retriever.manifest.featureWidth) {
      throw new ModelError(`${idx.filePath}: index was built with another model (${file.header.modelHash.slice(0, 12)}…)`, { file: idx.filePath });
    }
    if (file.header.videoSha256 !== e.sha256) throw new InputError(`${idx.filePath}: index belongs to another video than evidence #${e.id}`, { file: idx.filePath });
    const r = await searchIndex(file, retriever, codes, opts);
    frameSize.set(e.id, { width: file.header.frameWidth, height: file.header.frameHeight, videoPath: e.videoPath, sizeBytes: e.sizeBytes });
    const basis = file.pcaBasis;
    evidenceSearched.push({
      evidenceId: e.id,
      index: {
        id: idx.id, samplingFps: idx.samplingFps, frames: file.frameCount, storage: file.header.dtype,
        ...(basis ? { storageDims: { kept: basis.d, of: basis.M } } : {}),
        encoder: { precision: file.header.encoderPrecision ?? 'float', sha256: file.header.encoderSha256 ?? '' },
        referenceFramesOnly: file.header.referenceFramesOnly ?? false,
      },
    });
    framesSearched += file.frameCount;
    cellsEvaluated += r.cellsEvaluated;
    cellsIndexed += r.cellsIndexed;
    for (const s of r.sightings) found.push({ ...s, evidenceId: e.id, videoPath: e.videoPath, indexId: idx.id, thumb: sightingThumbnail(file, s) });
  }
  found.sort((a, b) => bySightingRank(a, b) || a.evidenceId - b.evidenceId);
  const warnings: string[] = [];
  let ranked: FoundSighting[] = found;
  if (reranker && found.length > 1) {
    const top = opts.rerankTop ?? DEFAULT_SIGHTING_RERANK_TOP;
    const unchanged = new Set<number>();
    const reader = await BoxReader.open(reranker);
    try {
      const rescoredSightings = await rerankSightings(found, (s) => {
        const v = frameSize.get(s.evidenceId)!;
        // Pixels are read only from the file that was imported (hashing it per search would cost too
        // much; a changed size is caught here, a full check is the evidence's Re-verify).
        if (!unchanged.has(s.evidenceId)) {
          const now = existsSync(v.videoPath) ? statSync(v.videoPath).size : null;
          if (now !== null && now !== v.sizeBytes) throw new VideoError(`${v.videoPath}: the file changed since import (${v.sizeBytes} → ${now} bytes); re-verify the evidence`, { file: v.videoPath });
          unchanged.add(s.evidenceId);
        }
        return videoFrameRgb(v.videoPath, s.peakS, v.width, v.height, opts.signal);
      }, codes, reranker, reader, top);
      ranked = rescoredSightings.map(withRefinedPeak);
      const rescored = new Set(found.slice(0, top).map((s) => s.evidenceId));
      for (const e of evidenceSearched) if (e.index && rescored.has(e.evidenceId)) e.index.reranker = {
        sha256: reranker.sha256, alpha: reranker.alpha, top,
        ...(reranker.cropNet ? { cropNet: { sha256: reranker.cropNet.sha256, weight: reranker.cropNet.weight } } : {}),
        ...(reranker.boxRefiner ? { boxRefiner: { sha256: reranker.boxRefiner.sha256 } } : {}),
      };
    } catch (err) {
      // The video moved or is damaged: the model's own ranking stands, and the search says so.
      if (!(err instanceof VideoError)) throw err;
      warnings.push(`sightings not re-ranked by colour: ${err.message}`);
    } finally {
      await reader.dispose();
    }
  }
  return { found: ranked, framesSearched, exactHeadCellShare: exactHeadCellShare(cellsEvaluated, cellsIndexed), evidenceSearched, warnings };
}

/**
 * Where the box refiner moved a sighting's peak box, the track point and the thumbnail that showed
 * the decoded box show the refined one (the same frame's box: the peak's).
 */
function withRefinedPeak(s: FoundSighting & { decodedPeakBox?: readonly number[] }): FoundSighting {
  const decoded = s.decodedPeakBox;
  if (!decoded) return s;
  const same = (box: readonly number[]) => box.length === decoded.length && box.every((v, k) => v === decoded[k]);
  const peakBox = s.peakBox;
  const { decodedPeakBox: _decoded, ...rest } = s;
  return {
    ...rest,
    track: s.track.map((p) => (same(p.box) ? { ...p, box: peakBox } : p)),
    ...(s.thumb ? { thumb: s.thumb.box && same(s.thumb.box) ? { ...s.thumb, box: peakBox } : s.thumb } : {}),
  };
}

/**
 * Records the best `maxSightings` sightings with the query, model hash and every threshold used;
 * only those kept get their thumbnail converted to the PNG the database stores (with its time and
 * box; neither without a PNG). The PNGs are encoded on the thread pool, all at once, before the one
 * write: a search's dozens of them no longer hold the service's event loop (2.6 ms each).
 */
export async function recordCaseSearch(
  store: Store, caseId: number,
  run: { queryText: string; codes: AttributeCodes; modelHash: string; threshold: number; opts: SearchOptions; scope: 'all' | number[] },
  result: EvidenceSearch, maxSightings: number,
): Promise<{ search: SearchRecord; kept: FoundSighting[]; inputs: SightingInput[]; sightingIds: number[] }> {
  const kept = result.found.slice(0, maxSightings);
  const pngs = await Promise.all(kept.map((s) => (s.thumb ? pngThumbnail(s.thumb.jpeg) : undefined)));
  const inputs: SightingInput[] = kept.map((s, i) => {
    const png = pngs[i];
    return {
      evidenceId: s.evidenceId, startS: s.startS, endS: s.endS, peakS: s.peakS, peakBox: s.peakBox, score: s.score,
      track: s.track.map((p) => ({ t: p.t, box: p.box, score: p.score })),
      thumbnailPng: png, thumbnailS: png ? s.thumb!.timeS : null, thumbnailBox: png ? s.thumb!.box : null,
    };
  });
  const { search, sightingIds } = recordSearch(store, caseId, {
    queryText: run.queryText, querySlots: run.codes, modelHash: run.modelHash,
    thresholds: {
      confidence: run.threshold, extendConfidence: extendConfidenceFor(run.threshold, run.opts.extendConfidence),
      linkIou: run.opts.linkIou ?? 0.2, linkSpeed: run.opts.linkSpeed ?? DEFAULT_LINK_SPEED, maxGapS: run.opts.maxGapS ?? 1,
      exactHeadCellShare: result.exactHeadCellShare,
    },
    scope: run.scope, sightings: inputs, evidenceSearched: result.evidenceSearched,
  });
  return { search, kept, inputs, sightingIds };
}

export async function searchCase(store: Store, caseId: number, text: string, modelDir: string, opts: EvidenceSearchOptions & { maxSightings?: number } = {}): Promise<CaseSearchResult> {
  requireOpenCase(store, caseId);
  const query = parseQuery(text);
  const t0 = performance.now();
  const retriever = await OnnxRetriever.open(modelDir, { batchSize: opts.batchSize ?? 256 });
  try {
    const modelHash = retriever.manifest.modelHash;
    const threshold = opts.threshold ?? retriever.manifest.threshold;
    const evidence = listEvidence(store, caseId);
    if (evidence.length === 0) throw new InputError('the case has no evidence yet: run `fastpr ingest VIDEO --case NAME` first');
    const result = await searchEvidence(store, evidence, retriever, modelHash, query.codes, { ...opts, threshold });
    const notIndexed = notSearched(result.evidenceSearched);
    if (notIndexed.length === evidence.length) {
      throw new InputError(`no evidence of this case has a complete index for model ${modelHash.slice(0, 12)}…: run \`fastpr ingest\` with this model first`);
    }
    const { search, kept, sightingIds } = await recordCaseSearch(
      store, caseId, { queryText: text, codes: query.codes, modelHash, threshold, opts, scope: 'all' }, result, opts.maxSightings ?? 500,
    );
    return {
      searchId: search.id, query, modelHash, threshold, framesSearched: result.framesSearched, seconds: (performance.now() - t0) / 1000,
      notIndexed, evidenceSearched: result.evidenceSearched, warnings: result.warnings, sightings: kept.map(({ thumb: _thumb, ...s }, i) => ({ ...s, id: sightingIds[i] })),
    };
  } finally {
    await retriever.dispose();
  }
}
