/** Joins frames, their queries and the engine's predictions; shared by the protocol functions. */
import type { Box, FrameAnnotation, Person, Query } from '../dataset/format';
import type { QueryPrediction } from './types';

export interface ScoredItem {
  frame: FrameAnnotation;
  query: Query;
  queryIndex: number;
  /** The engine's answer; a missing one is an empty, absent prediction. */
  prediction: QueryPrediction;
  missing: boolean;
  /** Boxes of every person the query matches. */
  matchBoxes: Box[];
  /** Box of the query's own target (undefined for absent-target queries or unknown ids). */
  targetBox?: Box;
}

export function predictionKey(frameId: string, queryIndex: number): string {
  return `${frameId}\u0000${queryIndex}`;
}

function boxOf(persons: Map<string, Person>, id: string): Box | undefined {
  return persons.get(id)?.box;
}

/** Every query of every labelled frame, with its prediction. Unlabelled frames are never scored. */
export function scoredItems(frames: FrameAnnotation[], predictions: QueryPrediction[]): ScoredItem[] {
  const byKey = new Map(predictions.map((p) => [predictionKey(p.frameId, p.queryIndex), p]));
  const items: ScoredItem[] = [];
  for (const frame of frames) {
    if (!frame.labelled) continue;
    const persons = new Map(frame.persons.map((p) => [p.id, p]));
    frame.queries.forEach((query, queryIndex) => {
      const found = byKey.get(predictionKey(frame.id, queryIndex));
      const matchBoxes = query.matches.map((id) => boxOf(persons, id)).filter((b): b is Box => b !== undefined);
      const targetBox = query.target !== undefined ? boxOf(persons, query.target) : undefined;
      items.push({
        frame, query, queryIndex,
        prediction: found ?? { frameId: frame.id, queryIndex, candidates: [], absent: true },
        missing: found === undefined,
        matchBoxes,
        ...(targetBox ? { targetBox } : {}),
      });
    });
  }
  return items;
}

/** A query whose target is in the frame: it has at least one matching person. */
export function isPresentTarget(item: ScoredItem): boolean {
  return item.query.matches.length > 0 && item.matchBoxes.length > 0;
}

export function isAbsentTarget(item: ScoredItem): boolean {
  return item.query.matches.length === 0;
}
