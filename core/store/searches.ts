/** Searches run over a case's evidence and the sightings each returned. */
import { InputError, NotFoundError } from '../errors';
import { appendAudit } from './audit';
import { requireOpenCase } from './cases';
import { nowIso, write, type Store } from './store';

export type Box = [number, number, number, number];
export interface TrackPoint { t: number; box: Box; score?: number }

export interface SightingInput {
  evidenceId: number;
  startS: number;
  endS: number;
  peakS: number;
  peakBox: Box;
  score: number;
  track: TrackPoint[];
  /** The sighting's thumbnail as PNG bytes (an indexed frame: the peak's when it kept one), when the caller has it. */
  thumbnailPng?: Uint8Array;
  /** Video time (seconds) of the frame the thumbnail shows; only with a thumbnail. */
  thumbnailS?: number | null;
  /**
   * The sighting's box in the thumbnail's own frame; null when the track has no box there (the
   * thumbnail is then shown without one). Only with thumbnailS.
   */
  thumbnailBox?: Box | null;
}

/** How an index stores its features (core/index/quantize.ts FeatureDtype). */
const INDEX_STORAGES = ['pca', 'int8', 'float16', 'float32'] as const;
export type IndexStorage = (typeof INDEX_STORAGES)[number];

/** One evidence item of a search's scope and the index the search read for it; index null = not searched (no complete index for the model). */
export interface SearchedEvidence {
  evidenceId: number;
  index: {
    id: number; samplingFps: number; frames: number; storage: IndexStorage;
    /** Compressed ('pca') storage: the dimensions kept per cell, of the model's feature width. */
    storageDims?: { kept: number; of: number };
    /**
     * The encoder graph the index's features came from (its file's SHA-256; '' for indexes built before
     * it was recorded, by the float encoder). Absent in searches recorded before it was.
     */
    encoder?: { precision: 'float' | 'int8'; sha256: string };
    /**
     * The index was built without decoding non-reference frames, so each sampled frame is its 1/fps
     * bin's first decoded frame (core/index/buildIndex.ts). Absent in searches recorded before 2 Dec 2026.
     */
    referenceFramesOnly?: boolean;
    /**
     * The crop-colour re-ranker that reordered this evidence's sightings (core/rerank): its file's
     * SHA-256, α, and how many of the search's best sightings it re-scored. Absent when none did.
     */
    reranker?: SearchReranker;
  } | null;
}

export interface SearchReranker {
  sha256: string; alpha: number; top: number;
  /** The re-ranker's crop network (reranker-crops.onnx), when it has one: its SHA-256 and weight. */
  cropNet?: { sha256: string; weight: number };
  /** The re-ranker's box refiner (reranker-boxes.onnx), when it has one: it moved the re-scored peak boxes. */
  boxRefiner?: { sha256: string };
}

export interface SearchInput {
  queryText: string;
  /** The query as slots (attribute key -> code), exactly as the model received it. */
  querySlots: unknown;
  modelHash: string;
  thresholds: Record<string, number>;
  /** Which evidence was searched: 'all' or a list of evidence ids. */
  scope: 'all' | number[];
  /** Ranked best first; rank is the array position + 1. */
  sightings: SightingInput[];
  /** What the search read for each evidence item of its scope (schema 6); omitted = not recorded. */
  evidenceSearched?: SearchedEvidence[];
}

export interface SearchRecord {
  id: number; caseId: number; queryText: string; querySlots: unknown; modelHash: string;
  thresholds: Record<string, number>; scope: 'all' | number[]; actor: string; createdAt: string;
  /** null: not recorded (searches run before schema 6). */
  evidenceSearched: SearchedEvidence[] | null;
}

/** thumbnailS null with a thumbnail: recorded before schema 4 kept its time (the frame is unknown). */
export interface SightingRecord extends Omit<SightingInput, 'thumbnailPng' | 'thumbnailS' | 'thumbnailBox'> {
  id: number; searchId: number; rank: number; thumbnailPng: Uint8Array | null; thumbnailS: number | null; thumbnailBox: Box | null;
}

interface SearchRow { id: number; case_id: number; query_text: string; query_slots: string; model_hash: string; thresholds: string; scope: string; actor: string; created_at: string; evidence_searched: string | null }
interface SightingRow {
  id: number; search_id: number; evidence_id: number; rank: number; start_s: number; end_s: number; peak_s: number;
  peak_box: string; score: number; track: string; thumbnail_png: Buffer | null; thumbnail_s: number | null; thumbnail_box: string | null;
}

const toSearch = (r: SearchRow): SearchRecord => ({
  id: r.id, caseId: r.case_id, queryText: r.query_text, querySlots: JSON.parse(r.query_slots), modelHash: r.model_hash,
  thresholds: JSON.parse(r.thresholds) as Record<string, number>, scope: JSON.parse(r.scope) as 'all' | number[], actor: r.actor, createdAt: r.created_at,
  evidenceSearched: r.evidence_searched === null ? null : JSON.parse(r.evidence_searched) as SearchedEvidence[],
});
const toSighting = (r: SightingRow): SightingRecord => ({
  id: r.id, searchId: r.search_id, evidenceId: r.evidence_id, rank: r.rank, startS: r.start_s, endS: r.end_s, peakS: r.peak_s,
  peakBox: JSON.parse(r.peak_box) as Box, score: r.score, track: JSON.parse(r.track) as TrackPoint[],
  thumbnailPng: r.thumbnail_png ? new Uint8Array(r.thumbnail_png) : null,
  thumbnailS: r.thumbnail_s, thumbnailBox: r.thumbnail_box === null ? null : JSON.parse(r.thumbnail_box) as Box,
});

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isBox = (b: unknown): b is Box => Array.isArray(b) && b.length === 4 && b.every(finite);

function checkSighting(s: SightingInput, i: number, caseEvidence: Set<number>): void {
  const where = `sightings[${i}]`;
  if (!caseEvidence.has(s.evidenceId)) throw new InputError(`${where}: evidence #${s.evidenceId} is not part of this case`, { field: `${where}.evidenceId` });
  for (const k of ['startS', 'endS', 'peakS', 'score'] as const) {
    if (!finite(s[k])) throw new InputError(`${where}.${k} must be a finite number, got ${String(s[k])}`, { field: `${where}.${k}` });
  }
  if (s.endS < s.startS) throw new InputError(`${where}: ends (${s.endS}s) before it starts (${s.startS}s)`, { field: where });
  if (!isBox(s.peakBox)) throw new InputError(`${where}.peakBox must be [left, top, right, bottom] numbers`, { field: `${where}.peakBox` });
  if (!Array.isArray(s.track) || !s.track.every((p) => finite(p.t) && isBox(p.box))) {
    throw new InputError(`${where}.track must be a list of {t, box}`, { field: `${where}.track` });
  }
  // A thumbnail's time and box describe a stored picture: neither may exist without it, nor a box without a time.
  const thumbS = s.thumbnailS ?? null;
  const thumbBox = s.thumbnailBox ?? null;
  if (thumbS !== null && !finite(thumbS)) throw new InputError(`${where}.thumbnailS must be a finite number or null`, { field: `${where}.thumbnailS` });
  if (thumbS !== null && !s.thumbnailPng) throw new InputError(`${where}.thumbnailS given without a thumbnail`, { field: `${where}.thumbnailS` });
  if (thumbBox !== null && !isBox(thumbBox)) throw new InputError(`${where}.thumbnailBox must be [left, top, right, bottom] numbers or null`, { field: `${where}.thumbnailBox` });
  if (thumbBox !== null && thumbS === null) throw new InputError(`${where}.thumbnailBox given without thumbnailS`, { field: `${where}.thumbnailBox` });
}

function checkSearched(list: SearchedEvidence[], caseEvidence: Set<number>): void {
  const seen = new Set<number>();
  list.forEach((e, i) => {
    const where = `evidenceSearched[${i}]`;
    if (!caseEvidence.has(e.evidenceId)) throw new InputError(`${where}: evidence #${e.evidenceId} is not part of this case`, { field: `${where}.evidenceId` });
    if (seen.has(e.evidenceId)) throw new InputError(`${where}: evidence #${e.evidenceId} is listed twice`, { field: `${where}.evidenceId` });
    seen.add(e.evidenceId);
    const x = e.index;
    if (x === null) return;
    if (!Number.isInteger(x.id) || !(x.samplingFps > 0) || !Number.isInteger(x.frames) || x.frames < 0) {
      throw new InputError(`${where}.index needs an id, a sampling rate > 0 and a whole number of frames`, { field: `${where}.index` });
    }
    if (!(INDEX_STORAGES as readonly string[]).includes(x.storage)) throw new InputError(`${where}.index.storage must be one of ${INDEX_STORAGES.join(', ')}, got "${String(x.storage)}"`, { field: `${where}.index.storage` });
    if (x.storageDims && !(Number.isInteger(x.storageDims.kept) && Number.isInteger(x.storageDims.of) && x.storageDims.kept > 0 && x.storageDims.kept <= x.storageDims.of)) {
      throw new InputError(`${where}.index.storageDims must be 0 < kept ≤ of, whole numbers`, { field: `${where}.index.storageDims` });
    }
    if (x.encoder && !((x.encoder.precision === 'float' || x.encoder.precision === 'int8') && typeof x.encoder.sha256 === 'string' && /^([0-9a-f]{64})?$/.test(x.encoder.sha256))) {
      throw new InputError(`${where}.index.encoder must be {precision: float|int8, sha256: 64 hex digits or ''}`, { field: `${where}.index.encoder` });
    }
    if (x.referenceFramesOnly !== undefined && typeof x.referenceFramesOnly !== 'boolean') {
      throw new InputError(`${where}.index.referenceFramesOnly must be true or false`, { field: `${where}.index.referenceFramesOnly` });
    }
    const r = x.reranker;
    if (r !== undefined && !(r && typeof r.sha256 === 'string' && /^[0-9a-f]{64}$/.test(r.sha256) && finite(r.alpha) && r.alpha >= 0 && Number.isInteger(r.top) && r.top >= 1)) {
      throw new InputError(`${where}.index.reranker must be {sha256: 64 hex digits, alpha ≥ 0, top ≥ 1}`, { field: `${where}.index.reranker` });
    }
    const net = r?.cropNet;
    if (net !== undefined && !(net && typeof net.sha256 === 'string' && /^[0-9a-f]{64}$/.test(net.sha256) && finite(net.weight) && net.weight >= 0)) {
      throw new InputError(`${where}.index.reranker.cropNet must be {sha256: 64 hex digits, weight ≥ 0}`, { field: `${where}.index.reranker.cropNet` });
    }
    const refiner = r?.boxRefiner;
    if (refiner !== undefined && !(refiner && typeof refiner.sha256 === 'string' && /^[0-9a-f]{64}$/.test(refiner.sha256))) {
      throw new InputError(`${where}.index.reranker.boxRefiner must be {sha256: 64 hex digits}`, { field: `${where}.index.reranker.boxRefiner` });
    }
  });
}

export function recordSearch(store: Store, caseId: number, input: SearchInput): { search: SearchRecord; sightingIds: number[] } {
  if (typeof input.queryText !== 'string') throw new InputError('queryText must be a string', { field: 'queryText' });
  if (!input.modelHash) throw new InputError('modelHash is empty', { field: 'modelHash' });
  for (const [k, v] of Object.entries(input.thresholds)) if (!finite(v)) throw new InputError(`threshold ${k} must be a finite number`, { field: `thresholds.${k}` });
  return write(store, () => {
    requireOpenCase(store, caseId);
    const caseEvidence = new Set((store.db.prepare('SELECT id FROM evidence WHERE case_id = ?').all(caseId) as { id: number }[]).map((r) => r.id));
    if (input.scope !== 'all') for (const id of input.scope) if (!caseEvidence.has(id)) throw new InputError(`scope: evidence #${id} is not part of this case`, { field: 'scope' });
    input.sightings.forEach((s, i) => checkSighting(s, i, caseEvidence));
    const searched = input.evidenceSearched ?? null;
    if (searched) checkSearched(searched, caseEvidence);
    const createdAt = nowIso();
    const searchId = Number(store.db.prepare(`INSERT INTO searches (case_id, query_text, query_slots, model_hash, thresholds, scope, actor, created_at, evidence_searched)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(caseId, input.queryText, JSON.stringify(input.querySlots ?? null), input.modelHash,
      JSON.stringify(input.thresholds), JSON.stringify(input.scope), store.actor, createdAt, searched && JSON.stringify(searched)).lastInsertRowid);
    const insert = store.db.prepare(`INSERT INTO sightings (search_id, evidence_id, rank, start_s, end_s, peak_s, peak_box, score, track, thumbnail_png,
      thumbnail_s, thumbnail_box) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const sightingIds = input.sightings.map((s, i) => Number(insert.run(searchId, s.evidenceId, i + 1, s.startS, s.endS, s.peakS,
      JSON.stringify(s.peakBox), s.score, JSON.stringify(s.track), s.thumbnailPng ? Buffer.from(s.thumbnailPng) : null,
      s.thumbnailS ?? null, s.thumbnailBox ? JSON.stringify(s.thumbnailBox) : null).lastInsertRowid));
    appendAudit(store.db, store.actor, 'search.run', {
      caseId, searchId, queryText: input.queryText, querySlots: input.querySlots ?? null, modelHash: input.modelHash,
      thresholds: input.thresholds, scope: input.scope, sightingCount: sightingIds.length, evidenceSearched: searched,
    }, createdAt);
    return { search: getSearch(store, searchId), sightingIds };
  });
}

export function getSearch(store: Store, id: number): SearchRecord {
  const row = store.db.prepare('SELECT * FROM searches WHERE id = ?').get(id) as SearchRow | undefined;
  if (!row) throw new NotFoundError(`search #${id} does not exist`);
  return toSearch(row);
}

export function listSearches(store: Store, caseId: number): SearchRecord[] {
  return (store.db.prepare('SELECT * FROM searches WHERE case_id = ? ORDER BY id').all(caseId) as SearchRow[]).map(toSearch);
}

export function getSighting(store: Store, id: number): SightingRecord {
  const row = store.db.prepare('SELECT * FROM sightings WHERE id = ?').get(id) as SightingRow | undefined;
  if (!row) throw new NotFoundError(`sighting #${id} does not exist`);
  return toSighting(row);
}

export function listSightings(store: Store, searchId: number): SightingRecord[] {
  return (store.db.prepare('SELECT * FROM sightings WHERE search_id = ? ORDER BY rank').all(searchId) as SightingRow[]).map(toSighting);
}
