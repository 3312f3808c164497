/**
 * One target query per frame, complete (every attribute the target has labelled) or partial (2–6 of
 * them), listing every person in the frame it matches; plus, in a share of frames, an absent-target
 * query that matches nobody.
 */
import { ATTRIBUTE_KEYS, attributeByKey, UNKNOWN, type AttributeCodes, type AttributeKey } from '../attributes/schema';
import type { Query } from '../dataset/format';
import type { Rng } from './rng';

export interface QueryOptions {
  /** Share of target queries that are complete. */
  completeShare: number;
  /** Share of frames that also get an absent-target query. */
  absentShare: number;
}

export const DEFAULT_QUERY_OPTIONS: QueryOptions = { completeShare: 0.4, absentShare: 0.1 };

export interface Candidate { id: string; attributes: AttributeCodes }

function labelledKeys(codes: AttributeCodes): AttributeKey[] {
  return ATTRIBUTE_KEYS.filter((k) => (codes[k] ?? UNKNOWN) !== UNKNOWN);
}

export function matchesQuery(q: AttributeCodes, person: AttributeCodes): boolean {
  for (const k of ATTRIBUTE_KEYS) {
    const v = q[k];
    if (v === undefined || v === UNKNOWN) continue;
    if ((person[k] ?? UNKNOWN) !== v) return false;
  }
  return true;
}

function subset(rng: Rng, codes: AttributeCodes, keys: AttributeKey[], size: number): AttributeCodes {
  const picked = rng.shuffle([...keys]).slice(0, size);
  const out: AttributeCodes = {};
  for (const k of ATTRIBUTE_KEYS) if (picked.includes(k)) out[k] = codes[k]!;
  return out;
}

export type TextFormatter = (attributes: AttributeCodes) => string | undefined;

/** Target query for `target`; matches are every one of `people` it fits. */
export function targetQuery(rng: Rng, target: Candidate, people: Candidate[], o: QueryOptions, format?: TextFormatter): Query {
  const keys = labelledKeys(target.attributes);
  const complete = rng.chance(o.completeShare);
  const attributes = complete ? subset(rng, target.attributes, keys, keys.length) : subset(rng, target.attributes, keys, rng.int(2, 6));
  const text = format?.(attributes);
  return {
    attributes,
    ...(text ? { text } : {}),
    matches: people.filter((p) => matchesQuery(attributes, p.attributes)).map((p) => p.id),
    target: target.id,
    kind: complete ? 'complete' : 'partial',
  };
}

/**
 * A query that matches none of `people`, or undefined if none was found in a few tries. With
 * `complete`, a share of them states every attribute of the template but one changed, drawn from
 * `complete.rng` only (the main stream is untouched then; otherwise as before).
 */
export function absentQuery(rng: Rng, people: Candidate[], template: AttributeCodes, format?: TextFormatter, complete?: { share: number; rng: Rng }): Query | undefined {
  if (complete?.rng.chance(complete.share)) {
    const keys = labelledKeys(template);
    for (let attempt = 0; attempt < 12 && keys.length > 0; attempt++) {
      const q = subset(complete.rng, template, keys, keys.length);
      const k = complete.rng.pick(keys);
      const n = attributeByKey(k).values.length;
      q[k] = (q[k]! + complete.rng.int(1, n - 1)) % n;
      if (people.some((p) => matchesQuery(q, p.attributes))) continue;
      const text = format?.(q);
      return { attributes: q, ...(text ? { text } : {}), matches: [], kind: 'absent' };
    }
  }
  for (let attempt = 0; attempt < 12; attempt++) {
    const keys = labelledKeys(template);
    const q = subset(rng, template, keys, rng.int(2, 6));
    // Change one stated value so the query describes someone who is not there.
    const stated = labelledKeys(q);
    const k = rng.pick(stated);
    const n = attributeByKey(k).values.length;
    q[k] = (q[k]! + rng.int(1, n - 1)) % n;
    if (people.some((p) => matchesQuery(q, p.attributes))) continue;
    const text = format?.(q);
    return { attributes: q, ...(text ? { text } : {}), matches: [], kind: 'absent' };
  }
  return undefined;
}
