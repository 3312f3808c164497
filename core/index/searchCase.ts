/**
 * Searching a case: every evidence item's complete index for the model, one query, sightings
 * ranked across videos and recorded (with the peak frame's thumbnail) in the case database.
 */
import { decodeToRgba, canvasFromRgba, encodeCanvas } from '../image/canvas';
import { InputError, ModelError } from '../errors';
import { OnnxRetriever } from '../infer/onnxRetriever';
import { parseQuery, type ParsedQuery } from '../query/index';
import { listEvidence, listIndexes, recordSearch, requireOpenCase, type SightingInput, type Store } from '../store/index';
import { IndexFile } from './indexFile';
import { exactHeadCellShare, searchIndex, type SearchOptions } from './search';
import type { Sighting } from './sightings';

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
}

function pngThumbnail(jpeg: Buffer): Uint8Array | undefined {
  try {
    return encodeCanvas(canvasFromRgba(decodeToRgba(jpeg)), 'png');
  } catch {
    return undefined;
  }
}

export async function searchCase(store: Store, caseId: number, text: string, modelDir: string, opts: SearchOptions & { maxSightings?: number } = {}): Promise<CaseSearchResult> {
  requireOpenCase(store, caseId);
  const query = parseQuery(text);
  const t0 = performance.now();
  const retriever = await OnnxRetriever.open(modelDir, { batchSize: opts.batchSize ?? 256 });
  try {
    const modelHash = retriever.manifest.modelHash;
    const threshold = opts.threshold ?? retriever.manifest.threshold;
    const evidence = listEvidence(store, caseId);
    if (evidence.length === 0) throw new InputError('the case has no evidence yet: run `fastpr ingest VIDEO --case NAME` first');
    const all: Array<CaseSighting & { thumb?: Uint8Array }> = [];
    const notIndexed: number[] = [];
    let frames = 0;
    let cellsEvaluated = 0;
    let cellsIndexed = 0;
    for (const e of evidence) {
      const idx = listIndexes(store, e.id).find((i) => i.modelHash === modelHash && i.state === 'complete');
      if (!idx) { notIndexed.push(e.id); continue; }
      const file = IndexFile.open(idx.filePath);
      if (file.header.modelHash !== modelHash || file.header.grid !== retriever.grid || file.header.featureWidth !== retriever.manifest.featureWidth) {
        throw new ModelError(`${idx.filePath}: index was built with another model (${file.header.modelHash.slice(0, 12)}…)`, { file: idx.filePath });
      }
      if (file.header.videoSha256 !== e.sha256) throw new InputError(`${idx.filePath}: index belongs to another video than evidence #${e.id}`, { file: idx.filePath });
      const r = await searchIndex(file, retriever, query.codes, { ...opts, threshold });
      frames += file.frameCount;
      cellsEvaluated += r.cellsEvaluated;
      cellsIndexed += r.cellsIndexed;
      for (const s of r.sightings) all.push({ ...s, evidenceId: e.id, videoPath: e.videoPath, indexId: idx.id, thumb: pngThumbnail(file.thumbnail(s.peakFrame)) });
    }
    if (all.length === 0 && notIndexed.length === evidence.length) {
      throw new InputError(`no evidence of this case has a complete index for model ${modelHash.slice(0, 12)}…: run \`fastpr ingest\` with this model first`);
    }
    all.sort((a, b) => b.score - a.score || a.evidenceId - b.evidenceId || a.startS - b.startS);
    const kept = all.slice(0, opts.maxSightings ?? 500);
    const inputs: SightingInput[] = kept.map((s) => ({
      evidenceId: s.evidenceId, startS: s.startS, endS: s.endS, peakS: s.peakS, peakBox: s.peakBox, score: s.score,
      track: s.track.map((p) => ({ t: p.t, box: p.box, score: p.score })), thumbnailPng: s.thumb,
    }));
    const { search, sightingIds } = recordSearch(store, caseId, {
      queryText: text, querySlots: query.codes, modelHash, thresholds: {
        confidence: threshold, linkIou: opts.linkIou ?? 0.2, maxGapS: opts.maxGapS ?? 1,
        exactHeadCellShare: exactHeadCellShare(cellsEvaluated, cellsIndexed),
      },
      scope: 'all', sightings: inputs,
    });
    return {
      searchId: search.id, query, modelHash, threshold, framesSearched: frames, seconds: (performance.now() - t0) / 1000, notIndexed,
      sightings: kept.map(({ thumb: _thumb, ...s }, i) => ({ ...s, id: sightingIds[i] })),
    };
  } finally {
    await retriever.dispose();
  }
}
