/**
 * Extra training queries for an already prepared image (trainConfig.queriesPerImage > 1): each asks
 * for another labelled person of the frame, in words drawn from that person's own attributes, so one
 * encoding is trained to answer several descriptions with several people. Synthetic and imported
 * data both label every person's attributes, which is what makes these queries truthful.
 */
import { globalToken, UNKNOWN } from '../attributes/schema';
import type { Box } from '../model/boxes';
import type { Rng } from '../model/rng';

export interface QueryRow {
  /** Global token per slot (the slot's "unknown" token where not stated). */
  tokens: number[];
  /** 1 where the slot is stated. */
  known: number[];
  /** The person asked for, in input pixels; undefined = absent. */
  target?: Box;
  /** Every person the stated slots fit (target included), input pixels. */
  matches: Box[];
}

export interface LabelledInputPerson {
  box: Box;
  /** Global token per slot; −1 where unknown. */
  tokens: number[];
}

/** Share of extra queries stating every known attribute (the rest state 2–6 of them, like partial dataset queries). */
const COMPLETE_SHARE = 0.3;
const PARTIAL_MIN = 2;
const PARTIAL_MAX = 6;

/** A query for `person`: all or a random subset of their known slots, matched against everyone. */
export function queryFor(person: LabelledInputPerson, everyone: readonly LabelledInputPerson[], rng: Rng): QueryRow {
  const knownSlots = person.tokens.flatMap((t, slot) => (t >= 0 ? [slot] : []));
  let stated = knownSlots;
  if (knownSlots.length > PARTIAL_MIN && rng.next() >= COMPLETE_SHARE) {
    const order = rng.permutation(knownSlots.length);
    const count = PARTIAL_MIN + rng.int(Math.min(PARTIAL_MAX, knownSlots.length) - PARTIAL_MIN + 1);
    stated = order.slice(0, count).map((i) => knownSlots[i]!).sort((a, b) => a - b);
  }
  const statedSet = new Set(stated);
  const tokens = person.tokens.map((t, slot) => (statedSet.has(slot) ? t : globalToken(slot, UNKNOWN)));
  const known = person.tokens.map((_, slot) => (statedSet.has(slot) ? 1 : 0));
  // A person whose attribute is unknown on a stated slot is not counted as a match.
  const matches = everyone.filter((other) => other === person || stated.every((slot) => other.tokens[slot] === person.tokens[slot])).map((o) => o.box);
  return { tokens, known, target: person.box, matches };
}

/**
 * `count` extra queries for the people of one prepared image, other than `askedFor` (the dataset
 * query's target) while others remain, each person at most once until all have been asked for.
 * With nobody labelled in view, the dataset query itself is repeated.
 */
export function extraQueries(persons: readonly LabelledInputPerson[], askedFor: Box | undefined, original: QueryRow, count: number, rng: Rng): QueryRow[] {
  if (count <= 0) return [];
  const sameBox = (a: Box, b: Box) => a.every((v, i) => v === b[i]);
  const askable = persons.filter((p) => p.tokens.some((t) => t >= 0));
  if (askable.length === 0) return Array.from({ length: count }, () => original);
  const others = askable.filter((p) => !askedFor || !sameBox(p.box, askedFor));
  const pool = others.length > 0 ? others : askable;
  const rows: QueryRow[] = [];
  let order = rng.permutation(pool.length);
  for (let k = 0; k < count; k++) {
    if (k > 0 && k % pool.length === 0) order = rng.permutation(pool.length);
    rows.push(queryFor(pool[order[k % pool.length]!]!, askable, rng));
  }
  return rows;
}
