/**
 * The hardening suite's tally: each test appends one JSON line per probe, fault or bad input to a
 * file the summary reporter reads at the end. Files run in separate worker processes, so the
 * tally is a file (O_APPEND writes of one short line each), not shared memory.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const TALLY_FILE = process.env.FASTPR_HARDENING_TALLY ?? join(import.meta.dirname, '..', '..', 'test-artifacts', 'hardening', 'tally.jsonl');

export type TallyEntry =
  | { kind: 'fault'; name: string; survived: boolean }
  | { kind: 'badInput'; name: string; clearError: boolean; detail?: string }
  | { kind: 'probe'; name: string; rejected: boolean }
  | { kind: 'rowsLost'; name: string; lost: number }
  | { kind: 'load'; name: string; peakRssMb: number; p95HealthMs: number; requests: number; failed: number; childPeakRssMb?: number };

export function tally(entry: TallyEntry): void {
  mkdirSync(dirname(TALLY_FILE), { recursive: true });
  appendFileSync(TALLY_FILE, `${JSON.stringify({ ...entry, file: process.env.VITEST_TEST_FILE ?? undefined })}\n`);
}
