/** Hand-made frames for the metric tests (not a spec itself). */
import type { Box, FrameAnnotation, Query } from '../dataset/format';
import type { QueryPrediction } from './types';

export function frame(id: string, sequence: string, persons: Array<[string, Box]>, queries: Query[], labelled = true): FrameAnnotation {
  return {
    id, image: `images/${id}.png`, width: 200, height: 100, sequence, frameIndex: 0, labelled,
    persons: persons.map(([pid, box]) => ({ id: pid, box, attributes: {} })),
    queries,
  };
}

export function query(matches: string[], target?: string, attributes: Query['attributes'] = {}): Query {
  return { attributes, matches, ...(target ? { target } : {}), kind: matches.length === 0 ? 'absent' : matches.length > 1 ? 'partial' : 'complete' };
}

export function pred(frameId: string, boxes: Box[], absent = false, queryIndex = 0): QueryPrediction {
  return { frameId, queryIndex, absent, candidates: boxes.map((box, i) => ({ box, score: 1 - i * 0.1 })) };
}
