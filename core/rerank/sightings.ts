/**
 * Re-ranking video sightings by what they show: the `top` best-ranked sightings each get their peak
 * frame decoded again from the source video (the index keeps features, not frames) and are ranked
 * by logit(support) + α · Σ log P(stated value | peak box); the rest follow in their own order.
 * The same α as on still frames (reranker.json): support, the mean of a track's five best
 * confidences, stands in for one cell's confidence. Where the re-ranker has a box refiner, each
 * re-scored sighting's peak box is moved onto its person in the same decoded frame, and read there.
 */
import type { AttributeCodes } from '../attributes/schema';
import type { Frame } from '../infer/frames';
import type { BoxReader } from './boxReader';
import type { Reranker } from './file';
import { rankByScore, rerankScore } from './rerank';

/** Sightings re-scored per search (each costs one seek and decode of its peak frame). */
export const DEFAULT_SIGHTING_RERANK_TOP = 30;

export interface RankableSighting {
  support: number;
  peakS: number;
  peakBox: readonly number[];
}

/** A re-scored sighting: what its peak box reads, and, where the re-ranker has a box refiner, the decoded box it moved. */
export type RescoredSighting<S> = S & { matchLogLikelihood?: number; decodedPeakBox?: readonly number[] };


/**
 * `sightings` in their ranked order (best first) → the same sightings re-ranked, each re-scored one
 * with its `matchLogLikelihood`. `peakFrame(s)` decodes a sighting's peak frame.
 */
export async function rerankSightings<S extends RankableSighting>(
  sightings: readonly S[], peakFrame: (s: S) => Promise<Frame>, codes: AttributeCodes,
  reranker: Pick<Reranker, 'alpha'>, reader: BoxReader, top = DEFAULT_SIGHTING_RERANK_TOP,
): Promise<RescoredSighting<S>[]> {
  const head = sightings.slice(0, top);
  const scored: RescoredSighting<S>[] = [];
  for (const s of head) {
    const frame = await peakFrame(s);
    // As on still frames (rerank.ts): the refined box is what is read and shown.
    const [refined] = reader.refinesBoxes ? await reader.refine(frame, [s.peakBox]) : [];
    const [read] = await reader.read(frame, [refined ?? s.peakBox], codes);
    scored.push({ ...s, matchLogLikelihood: read!.total, ...(refined ? { peakBox: refined, decodedPeakBox: s.peakBox } : {}) });
  }
  const order = rankByScore(scored.map((s) => rerankScore(s.support, s.matchLogLikelihood!, reranker.alpha)));
  return [...order.map((i) => scored[i]!), ...sightings.slice(top)];
}
