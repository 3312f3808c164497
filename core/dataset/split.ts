/**
 * Deterministic train/val/test split of sequence ids (never of frames). Each id gets a seeded hash;
 * ids sorted by hash are cut at the requested fractions. The same ids and seed always give the same
 * split, independent of input order; every split with a non-zero fraction gets at least one
 * sequence when there are enough sequences.
 */
import { createHash } from 'node:crypto';
import type { DatasetManifest } from './format';

export interface SplitFractions { train: number; val: number; test: number }

export const DEFAULT_FRACTIONS: SplitFractions = { train: 0.8, val: 0.1, test: 0.1 };

/** Hash of (seed, id) in [0, 2^48): stable across platforms and Node versions. */
export function seededHash(seed: number, id: string): number {
  return createHash('sha256').update(`${seed}\u0000${id}`).digest().readUIntBE(0, 6);
}

export function splitSequences(
  ids: readonly string[], seed: number, fractions: SplitFractions = DEFAULT_FRACTIONS,
): DatasetManifest['splits'] {
  const total = fractions.train + fractions.val + fractions.test;
  if (!(total > 0) || [fractions.train, fractions.val, fractions.test].some((f) => f < 0 || !Number.isFinite(f))) {
    throw new RangeError(`split fractions must be non-negative and not all zero: ${JSON.stringify(fractions)}`);
  }
  const unique = [...new Set(ids)];
  const sorted = unique
    .map((id) => ({ id, h: seededHash(seed, id) }))
    .sort((a, b) => a.h - b.h || (a.id < b.id ? -1 : 1))
    .map((x) => x.id);
  const n = sorted.length;
  const names = ['train', 'val', 'test'] as const;
  // Largest-remainder rounding: counts sum to n exactly.
  const exact = names.map((k) => (fractions[k] / total) * n);
  const counts = exact.map(Math.floor);
  const order = [0, 1, 2].sort((a, b) => (exact[b]! - counts[b]!) - (exact[a]! - counts[a]!) || a - b);
  for (let left = n - counts.reduce((s, c) => s + c, 0), k = 0; left > 0; left--, k++) counts[order[k % 3]!]!++;
  // Give each requested split one sequence when possible, taken from the largest split.
  for (let i = 0; i < 3; i++) {
    if (fractions[names[i]!] > 0 && counts[i] === 0) {
      const donor = counts.indexOf(Math.max(...counts));
      if (counts[donor]! > 1) { counts[donor]!--; counts[i] = 1; }
    }
  }
  const train = sorted.slice(0, counts[0]);
  const val = sorted.slice(counts[0], counts[0]! + counts[1]!);
  const test = sorted.slice(counts[0]! + counts[1]!);
  const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return { train: train.sort(byName), val: val.sort(byName), test: test.sort(byName) };
}
