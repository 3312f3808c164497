/**
 * Stage 3: ranking detected crops against the query.
 *
 * Cos-Sim (the paper's simplest two-stage baseline): cosine similarity between the crop's predicted
 * attribute distributions and the query's one-hot vectors, both concatenated over the slots the
 * query states (unknown slots are left out of both vectors).
 *
 * Cascade (Per-Vis-like): before Cos-Sim, the query's slots filter the candidates one after another,
 * most reliable slot first; a candidate survives a slot when its probability of the query's value
 * is at least keepRatio × the best surviving candidate's. Eliminated candidates are not dropped
 * (R@5 still sees five boxes): they rank after the survivors, deepest stage reached first.
 */
import { UNKNOWN } from '../attributes/schema';
import { SLOTS, SLOT_VALUE_COUNTS } from './classifier';

/** Known (slot, code) pairs of a query in slot order. */
export function knownSlots(querySlots: readonly number[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  querySlots.forEach((code, slot) => {
    if (code !== UNKNOWN && code >= 0 && code < (SLOT_VALUE_COUNTS[slot] ?? 0)) out.push([slot, code]);
  });
  return out;
}

/** Cosine between concatenated per-slot probabilities (Σ values) and the query's known one-hots. */
export function cosineToQuery(probs: ArrayLike<number>, known: Array<[number, number]>): number {
  if (known.length === 0) return 0;
  let dot = 0;
  let pp = 0;
  for (const [slot, code] of known) {
    const off = SLOTS.offsets[slot]!;
    dot += probs[off + code]!;
    for (let v = 0; v < SLOT_VALUE_COUNTS[slot]!; v++) pp += probs[off + v]! ** 2;
  }
  return pp > 0 ? dot / (Math.sqrt(pp) * Math.sqrt(known.length)) : 0;
}

export interface RankInput {
  /** Concatenated per-slot probabilities of each candidate crop. */
  probs: ArrayLike<number>[];
  /** Detector confidence of each candidate (tie-break; the only signal when the query states nothing). */
  detScores: number[];
}

export interface Ranked {
  index: number;
  /** Cosine similarity to the query (0..1). */
  cosine: number;
  /** Ranking score, descending with rank, in 0..1. */
  score: number;
}

export function rankCosSim(input: RankInput, querySlots: readonly number[]): Ranked[] {
  const known = knownSlots(querySlots);
  return input.probs
    .map((p, index) => {
      const cosine = cosineToQuery(p, known);
      return { index, cosine, score: known.length ? cosine : input.detScores[index]! };
    })
    .sort((a, b) => b.score - a.score || input.detScores[b.index]! - input.detScores[a.index]!);
}

export function rankCascade(input: RankInput, querySlots: readonly number[], keepRatio: number, slotOrder?: readonly number[]): Ranked[] {
  const known = knownSlots(querySlots);
  const order = (slotOrder ?? known.map(([s]) => s)).filter((s) => known.some(([k]) => k === s));
  const codeOf = new Map(known);
  const stage = new Array<number>(input.probs.length).fill(0);
  let survivors = input.probs.map((_, i) => i);
  order.forEach((slot, depth) => {
    const at = SLOTS.offsets[slot]! + codeOf.get(slot)!;
    const best = Math.max(...survivors.map((i) => input.probs[i]![at]!));
    const next = survivors.filter((i) => input.probs[i]![at]! >= keepRatio * best);
    for (const i of next) stage[i] = depth + 1;
    survivors = next;
  });
  const stages = order.length;
  return rankCosSim(input, querySlots)
    .map((r) => ({ ...r, score: (stage[r.index]! + r.score) / (stages + 1) }))
    .sort((a, b) => b.score - a.score);
}
