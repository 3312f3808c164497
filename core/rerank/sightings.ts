/**
 * Re-ranking video sightings by what they show: the `top` best-ranked sightings each get their peak
 * frame decoded again from the source video (the index keeps features, not frames) and are ranked
 * by logit(support) + α · Σ log P(stated value | peak box); the rest follow in their own order.
 * The same α as on still frames (reranker.json): support, the mean of a track's five best
 * confidences, stands in for one cell's confidence.
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


/**
 * `sightings` in their ranked order (best first) → the same sightings re-ranked, each re-scored one
 * with its `matchLogLikelihood`. `peakFrame(s)` decodes a sighting's peak frame.
 */
export async function rerankSightings<S extends RankableSighting>(
  sightings: readonly S[], peakFrame: (s: S) => Promise<Frame>, codes: AttributeCodes,
  reranker: Pick<Reranker, 'alpha'>, reader: BoxReader, top = DEFAULT_SIGHTING_RERANK_TOP,
): Promise<(S & { matchLogLikelihood?: number })[]> {
  const head = sightings.slice(0, top);
  const scored: (S & { matchLogLikelihood: number })[] = [];
  for (const s of head) {
    const [read] = await reader.read(await peakFrame(s), [s.peakBox], codes);
    scored.push({ ...s, matchLogLikelihood: read!.total });
  }
  const order = rankByScore(scored.map((s) => rerankScore(s.support, s.matchLogLikelihood, reranker.alpha)));
  return [...order.map((i) => scored[i]!), ...sightings.slice(top)];
}
