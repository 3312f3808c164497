/**
 * Training samples from the common dataset format: one sample per (labelled frame, query), with the
 * query's tokens, its target box (or none when the target is absent) and the boxes of every person
 * the query matches (fuzzy retrieval: each of them is a positive cell for the confidence loss).
 */
import type { FrameAnnotation } from '../dataset/format';
import { codesToSlotArray, globalToken, UNKNOWN } from '../attributes/schema';
import type { Box } from '../model/boxes';

export interface TrainSample {
  /** Index into the frame list the samples were built from. */
  frame: number;
  frameId: string;
  /** Index of the query within the frame. */
  query: number;
  /** Global token per slot (16). */
  tokens: number[];
  /** 1 where the slot's code is stated. */
  known: number[];
  /** Target box in frame pixels; undefined = target absent. */
  target?: Box;
  /** Boxes of all matched persons (target included), frame pixels. */
  matches: Box[];
  /** Every queryable person of the frame with its global token per slot (−1 = unknown), for L_attr. */
  persons: LabelledPerson[];
}

export interface LabelledPerson {
  box: Box;
  /** Global token per slot (16); −1 where the attribute is unknown. */
  tokens: number[];
}

export function buildSamples(frames: readonly FrameAnnotation[]): TrainSample[] {
  const out: TrainSample[] = [];
  frames.forEach((f, fi) => {
    if (!f.labelled) return;
    const byId = new Map(f.persons.map((p) => [p.id, p]));
    // Shared by the frame's queries (read-only).
    const persons: LabelledPerson[] = f.persons
      .filter((p) => (p.extra as { queryable?: unknown } | undefined)?.queryable !== false)
      .map((p) => ({
        box: p.box as Box,
        tokens: codesToSlotArray(p.attributes).map((c, slot) => (c === UNKNOWN ? -1 : globalToken(slot, c))),
      }));
    f.queries.forEach((q, qi) => {
      const codes = codesToSlotArray(q.attributes);
      const known = codes.map((c) => (c === UNKNOWN ? 0 : 1));
      if (known.every((k) => k === 0)) return; // an empty query teaches nothing
      const targetPerson = q.kind === 'absent' || !q.target ? undefined : byId.get(q.target);
      const matches = q.matches.map((id) => byId.get(id)?.box).filter((b): b is Box => b !== undefined);
      const target = targetPerson?.box as Box | undefined;
      if (target && !matches.some((m) => m.every((v, i) => v === target[i]))) matches.unshift(target);
      out.push({
        frame: fi,
        frameId: f.id,
        query: qi,
        tokens: codes.map((c, slot) => globalToken(slot, c)),
        known,
        target,
        matches: target ? matches : [],
        persons,
      });
    });
  });
  return out;
}
