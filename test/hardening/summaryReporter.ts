/**
 * Vitest reporter for `npm run test:hardening`: clears the tally at the start and prints the
 * suite's summary at the end (faults, bad inputs, security probes, rows lost, load figures).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { TALLY_FILE, type TallyEntry } from './tally';

export function summarize(entries: TallyEntry[]): string {
  const of = <K extends TallyEntry['kind']>(k: K) => entries.filter((e): e is Extract<TallyEntry, { kind: K }> => e.kind === k);
  const faults = of('fault');
  const bad = of('badInput');
  const probes = of('probe');
  const lost = of('rowsLost').reduce((s, e) => s + e.lost, 0);
  const loads = of('load');
  const lines = [
    '',
    '── FastPR hardening summary ─────────────────────────────',
    `faults injected / survived     ${faults.length} / ${faults.filter((f) => f.survived).length}`,
    `bad inputs tried / clear errors ${bad.length} / ${bad.filter((b) => b.clearError).length}`,
    `security probes tried / rejected ${probes.length} / ${probes.filter((p) => p.rejected).length}`,
    `rows lost                       ${lost}${lost === 0 ? ' (must be 0: ok)' : ' (MUST BE 0)'}`,
  ];
  for (const l of loads) {
    lines.push(`load: ${l.name}: ${l.requests} requests, ${l.failed} failed; peak RSS ${l.peakRssMb.toFixed(0)} MB (server process)${l.childPeakRssMb ? `, ${l.childPeakRssMb.toFixed(0)} MB (largest job worker)` : ''}; p95 system.health ${l.p95HealthMs.toFixed(1)} ms`);
  }
  if (loads.length === 0) lines.push('load: not run');
  const unclear = bad.filter((b) => !b.clearError).map((b) => b.name);
  if (unclear.length) lines.push(`bad inputs without a clear error: ${unclear.join(', ')}`);
  const open = probes.filter((p) => !p.rejected).map((p) => p.name);
  if (open.length) lines.push(`probes NOT rejected: ${open.join(', ')}`);
  const died = faults.filter((f) => !f.survived).map((f) => f.name);
  if (died.length) lines.push(`faults NOT survived: ${died.join(', ')}`);
  lines.push('─────────────────────────────────────────────────────────', '');
  return lines.join('\n');
}

export function readTally(file = TALLY_FILE): TallyEntry[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as TallyEntry);
}

export default class HardeningSummaryReporter {
  onInit(): void {
    rmSync(TALLY_FILE, { force: true });
  }

  onTestRunEnd(): void {
    const text = summarize(readTally());
    process.stdout.write(text);
    // Kept for CI artifacts; the per-run tally itself is removed.
    mkdirSync(dirname(TALLY_FILE), { recursive: true });
    writeFileSync(join(dirname(TALLY_FILE), 'summary.txt'), text);
    rmSync(TALLY_FILE, { force: true });
  }
}
