import type { ThresholdSweep } from './thresholdSweep';
/**
 * What every retrieval engine hands to the evaluator, and the evaluator's report.
 *
 * FastPR (TF.js or ONNX) and the two-stage baseline implement the same `Evaluator`, so one
 * `evaluateDataset` scores them identically. Queries given to a predictor carry only what a user
 * would type (attribute codes, text) — never the ground truth (matches, target).
 */
import type { Box, FrameAnnotation } from '../dataset/format';
import type { AttributeCodes, AttributeKey } from '../attributes/schema';

/** One ranked candidate: a box in frame pixels ([l, t, r, b], right/bottom exclusive) and its score. */
export interface ScoredBox {
  box: Box;
  score: number;
}

/** A frame to run: its annotation id, size and the absolute path of its image. */
export interface EvalFrame {
  id: string;
  imagePath: string;
  width: number;
  height: number;
}

/** A query as a user would state it, tied to one frame by id. */
export interface EvalQuery {
  frameId: string;
  /** Index of the query within its frame's `queries` array. */
  queryIndex: number;
  attributes: AttributeCodes;
  text?: string;
}

/** The engine's answer to one (frame, query). */
export interface QueryPrediction {
  frameId: string;
  queryIndex: number;
  /** Ranked best first, top-k (k ≥ 5 for R@5), boxes in frame pixels. */
  candidates: ScoredBox[];
  /** True when the best score is below the engine's absent threshold (the target is judged not there). */
  absent: boolean;
  /**
   * The score the absent decision was made on, when it is not the highest candidate's (a re-ranking
   * engine may rank a less confident cell first and drop the most confident from its top k).
   */
  confidence?: number;
}

/** A retrieval engine under evaluation. */
export interface Evaluator {
  /** Shown in reports, e.g. "FastPR (onnx, compact)" or "Cos-Sim baseline". */
  readonly name: string;
  /** Answers every query; frames are those the queries reference (an engine may encode each frame once). */
  predict(frames: EvalFrame[], queries: EvalQuery[], signal?: AbortSignal): Promise<QueryPrediction[]>;
  dispose?(): void | Promise<void>;
}

/** Frames scored together with their engine answers (the pure metric functions' input). */
export interface ScoredFrames {
  frames: FrameAnnotation[];
  predictions: QueryPrediction[];
}

export const RECALL_NS = [1, 5] as const;
export const RECALL_IOUS = [0.4, 0.5, 0.6] as const;

/** One recall figure: share of counted queries with a hit among the top n at IoU > iou. */
export interface RecallCell {
  n: number;
  iou: number;
  hits: number;
  total: number;
  /** hits / total in 0..1 (0 when total is 0). */
  recall: number;
}

export interface PaperProtocolResult {
  /** Correct when a top-n box has IoU > m with ANY person the query matches (the fuzzy-retrieval list). */
  anyMatch: RecallCell[];
  /** Correct only when it overlaps the query's own target (falls back to the matches for target-less queries). */
  target: RecallCell[];
  /**
   * Diagnostic, not a retrieval score: correct when a top-n box overlaps ANY person in the frame,
   * whether the query fits them or not. Far above `anyMatch`, the model finds people but does not
   * tell them apart by the description; close to it, localisation is what fails.
   */
  anyPerson: RecallCell[];
  /** Present-target queries on labelled frames (the recall denominator). */
  queries: number;
}

export interface AvssSequenceResult {
  sequence: string;
  /** Scored (frame, query) items in the sequence. */
  items: number;
  meanIoU: number;
}

export interface AvssProtocolResult {
  /** Unweighted mean over sequences of per-sequence mean IoU (the challenge's "Average IoU"). */
  meanIoU: number;
  /** Share of all scored items with IoU ≥ 0.4 (the challenge's "%w IoU>0.4"). */
  shareIoU04: number;
  items: number;
  sequences: AvssSequenceResult[];
  /** Box convention used for the IoU (see avss.ts). */
  boxConvention: 'challenge-inclusive' | 'as-stored-inclusive';
}

export interface AttributeValueRecall {
  code: number;
  value: string;
  queries: number;
  recall: number;
}

export interface AttributeRecall {
  key: AttributeKey;
  label: string;
  /** Present-target queries that state this attribute. */
  queries: number;
  /** R@1 at IoU > 0.5 (any-match rule) over those queries. */
  recall: number;
  /** Per value, only for values with at least `minValueCount` queries. */
  values: AttributeValueRecall[];
}

/** R@1 and R@5 (IoU > 0.5, any matching person) over present-target queries in one condition bucket (conditions.ts). */
export interface ConditionRecall {
  dimension: 'targetHeight' | 'crowd' | 'visibility';
  label: string;
  queries: number;
  recallAt1: number;
  recallAt5: number;
}

export interface AbsentResult {
  /** Queries whose target is not in the frame (matches = []). */
  absentQueries: number;
  /** Of those, how many got a box (not flagged absent). */
  falsePositives: number;
  /** falsePositives / absentQueries. */
  falsePositiveRate: number;
  /** Present-target queries the engine flagged absent (lost to thresholding). */
  presentQueries: number;
  missedByThreshold: number;
  missRate: number;
}

export interface EvalCounts {
  frames: number;
  labelledFrames: number;
  queries: number;
  presentQueries: number;
  absentQueries: number;
  /** Queries the engine returned no prediction for (scored as absent with no boxes). */
  missingPredictions: number;
}

export interface EvalReport {
  model: string;
  dataset: { dir: string; source: string; split: string };
  createdAt: string;
  counts: EvalCounts;
  paper?: PaperProtocolResult;
  avss?: AvssProtocolResult;
  attributes: AttributeRecall[];
  /** Recall by target height, crowd and visibility (absent in reports written before 30 Nov 2026). */
  conditions?: ConditionRecall[];
  absent: AbsentResult;
  /** The absent decision at other thresholds (see thresholdSweep.ts). */
  thresholds?: ThresholdSweep;
  /** Wall time of predict() per frame, ms (indicative: the machine is shared). */
  msPerFrame?: number;
}

export type EvalProtocol = 'paper' | 'avss' | 'all';
