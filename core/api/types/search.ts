/**
 * Result shapes of query.parse, search.run, sightings.* and frames.get. Plain types (renderer-safe).
 * Boxes are [left, top, right, bottom] in the video's frame pixels; times are seconds of video time.
 */
import type { DecisionItem } from './cases';

export type BoxLTRB = [number, number, number, number];

export interface QueryTokenView {
  text: string;
  start: number;
  end: number;
  /** What became of the word: 'attribute' (set a slot), 'filler', 'ignored', … */
  use: string;
  reason?: string;
  sets?: Array<{ key: string; code: number }>;
}

export interface SlotView {
  key: string;
  tag: string;
  label: string;
  /** -1 = unknown. */
  code: number;
  value: string;
}

export interface ParsedQueryView {
  input: string;
  mode: 'text' | 'structured';
  /** Known attributes only (attribute key → code). */
  codes: Record<string, number>;
  /** All 16 slots in model order. */
  slots: SlotView[];
  tokens: QueryTokenView[];
  ignored: QueryTokenView[];
  /** The query in words. */
  text: string;
  /** Why search.run would refuse this text (e.g. no attribute recognised); absent when searchable. */
  problem?: string;
}

export interface SightingSummary {
  id: number;
  searchId: number;
  evidenceId: number;
  videoFileName: string;
  cameraLabel: string | null;
  rank: number;
  startS: number;
  endS: number;
  peakS: number;
  peakBox: BoxLTRB;
  /** Peak confidence. */
  score: number;
  /** What the search ranked by: mean of the track's five best confidences (core/index/sightings.ts); null for sightings stored without per-frame scores. */
  support: number | null;
  /** Indexed frames in the track. */
  trackLength: number;
  /** The latest decision (the one that counts), null when not reviewed. */
  decision: DecisionItem | null;
  /**
   * The index thumbnail as a PNG data URL, null when none was stored. The index keeps one per second,
   * so it is the peak frame's only when thumbnailS equals peakS.
   */
  thumbnail: string | null;
  /**
   * Video time (seconds) of the frame the thumbnail shows. Null when there is no thumbnail or it was
   * recorded before this was kept (time unknown: the peak box may not fit the picture).
   */
  thumbnailS: number | null;
  /**
   * The sighting's box in the thumbnail's own frame: the one to draw on the thumbnail. Null when
   * that frame has no box of this sighting (draw none) or thumbnailS is null.
   */
  thumbnailBox: BoxLTRB | null;
  /** Size of the frame the boxes refer to (to scale the box onto the thumbnail). */
  frameWidth: number | null;
  frameHeight: number | null;
}

/** search.warm: the case's indexes decoded into the search cache ahead of the first search. */
export interface SearchWarmResult {
  /** Complete indexes of the active model in the case. */
  indexes: number;
  frames: number;
  /** Frames the cache now holds decoded (all of them unless the cache budget ran out). */
  framesCached: number;
  budgetFull: boolean;
  seconds: number;
}

export interface SearchRunResult {
  searchId: number;
  query: ParsedQueryView;
  modelHash: string;
  threshold: number;
  sightings: SightingSummary[];
  framesSearched: number;
  seconds: number;
  /** Evidence in scope without a complete index for the active model (not searched). */
  notIndexed: number[];
  /**
   * Share of the indexed cells the exact head scored: 1 for an exhaustive search; below 1 the other
   * cells were ruled out by a per-query linear proxy and could hide a sighting (search again with
   * `exhaustive` to be sure of an absence).
   */
  exactHeadCellShare: number;
  /** Why the sightings were not re-ranked by colour although the model has a re-ranker (e.g. a video moved). */
  warnings: string[];
}

/** One indexed frame of a sighting, for the player's overlay. */
export interface SightingFrame {
  /** Position in the evidence's index. */
  frame: number;
  timeS: number;
  /** The track's box at this frame, null when the track has no box here (gap). */
  box: BoxLTRB | null;
  /** Best-cell confidence at this frame. */
  confidence: number;
  present: boolean;
  /** S rows × S columns of confidences (the paper's Fig. 8 heat map). */
  confidenceMap: number[][];
  /** Per query slot (16, model order): S × S attention weights. Only when asked for. */
  attention?: number[][][];
}

export interface SightingDetail {
  sighting: SightingSummary;
  videoPath: string;
  /** Frame size and grid the maps refer to. */
  frameWidth: number;
  frameHeight: number;
  grid: number;
  threshold: number;
  query: { text: string; codes: Record<string, number>; slots: SlotView[] };
  /** Indexed frames from the sighting's start to its end (plus `padS` either side), in time order. */
  frames: SightingFrame[];
  decisions: DecisionItem[];
}

export interface FrameImage {
  evidenceId: number;
  /** The time asked for. */
  timeS: number;
  /** image/jpeg data URL; works in both transports under the renderer's CSP (img-src data:). */
  dataUrl: string;
  width: number;
  height: number;
  /** The video frame size (boxes are in these pixels). */
  frameWidth: number;
  frameHeight: number;
}
