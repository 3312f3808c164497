/**
 * Re-ranking FastPR's candidates by what the box shows: the `pool` most confident cells are scored
 * logit(confidence) + α · Σ log P(stated value | box) (boxReader.ts: the colour reader, plus the crop
 * network where the re-ranker has one) and sorted by that score;
 * cells beyond the pool follow in confidence order. Where the re-ranker has a box refiner, the pool's
 * boxes are first moved onto their people (boxRefiner.ts) and read there. The confidence itself is unchanged, and so is the
 * absent decision (the best confidence against the model's threshold): re-ranking only chooses among
 * the people the one-stage model already proposes.
 */
import type { AttributeCodes } from '../attributes/schema';
import type { Frame } from '../infer/frames';
import type { BoxReader } from './boxReader';
import type { Box } from './descriptor';
import type { Reranker } from './file';

export interface Candidate {
  box: Box;
  confidence: number;
}

export type Reranked<T extends Candidate> = T & {
  /** Σ over the stated attributes of log P(value | box), from the box's pixels (NaN beyond the pool: not read). */
  matchLogLikelihood: number;
  /** The ranking score. */
  score: number;
  /** The box as the model decoded it, when the box refiner moved it (`box` is then the refined one). */
  decodedBox?: Box;
};

/**
 * The ranking score of a candidate with this confidence (or a sighting with this support) whose box
 * gives the query this log-likelihood: logit(confidence) + α · log-likelihood.
 */
export function rerankScore(confidence: number, matchLogLikelihood: number, alpha: number): number {
  const q = Math.min(Math.max(confidence, 1e-7), 1 - 1e-7);
  return Math.log(q / (1 - q)) + alpha * matchLogLikelihood;
}

/** Indices of `scores` best first; equal scores keep their order (a stable sort). */
export function rankByScore(scores: readonly number[]): number[] {
  return scores.map((s, i) => ({ s, i })).sort((a, b) => b.s - a.s || a.i - b.i).map(({ i }) => i);
}

/**
 * `candidates` sorted by confidence, best first (as decoded); returns them in re-ranked order.
 * `reader` is the re-ranker's BoxReader (boxReader.ts: the colour reader, and its crop network if any).
 */
export async function rerankCandidates<T extends Candidate>(
  candidates: readonly T[], frame: Frame, codes: AttributeCodes, reranker: Pick<Reranker, 'alpha' | 'pool'>, reader: BoxReader,
): Promise<Reranked<T>[]> {
  const decoded = candidates.slice(0, reranker.pool);
  // With a box refiner the pool's boxes are moved onto their people first, and what is read is the
  // refined box: cleaner crops read better (session 28's prototype, 1,500 val queries at α 1.5, w 0.75:
  // R@1 at IoU > 0.5 64.0 refining after the ranking, 67.9 reading refined boxes).
  const head = reader.refinesBoxes
    ? (await reader.refine(frame, decoded.map((c) => c.box))).map((box, k) => ({ ...decoded[k]!, box, decodedBox: decoded[k]!.box }))
    : decoded;
  const read = await reader.read(frame, head.map((c) => c.box), codes);
  const pooled: Reranked<T>[] = head.map((c, k) => {
    const matchLogLikelihood = read[k]!.total;
    return { ...c, matchLogLikelihood, score: rerankScore(c.confidence, matchLogLikelihood, reranker.alpha) };
  });
  const ranked = rankByScore(pooled.map((c) => c.score)).map((i) => pooled[i]!);
  // Beyond the pool nothing was read: NaN says so (0 would claim a certain match).
  const rest = candidates.slice(reranker.pool).map((c) => ({ ...c, matchLogLikelihood: Number.NaN, score: -Infinity }));
  return [...ranked, ...rest];
}
