/**
 * The case, audit and report commands, parsed and run the way core/cli/main.ts does it (same
 * parseArgs options, --data-dir, exit codes, error printing), without importing every other
 * command of the CLI.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { seedReportCase } from '../../reports/testFixture';
import { openDatabase } from '../../store/sqlite';
import { openStore } from '../../store/store';
import { parseArgs } from 'node:util';
import type { CliCommand } from '../command';
import { auditVerifyCommand } from './auditVerify';
import { caseCloseCommand } from './caseClose';
import { caseCreateCommand } from './caseCreate';
import { caseListCommand } from './caseList';
import { reportCommand } from './report';

const MINE: CliCommand[] = [caseCreateCommand, caseListCommand, caseCloseCommand, auditVerifyCommand, reportCommand];

/** main.ts's argument handling, for these commands only. */
async function main(argv: string[]): Promise<number> {
  const command = MINE.find((c) => c.name.split(' ').every((w, i) => argv[i] === w))!;
  const rest = argv.slice(command.name.split(' ').length);
  const parsed = parseArgs({ args: rest, allowPositionals: true, options: { ...command.options, 'data-dir': { type: 'string' }, json: { type: 'boolean', default: false } } });
  try {
    return (await command.run({
      positionals: parsed.positionals, values: parsed.values as never, dataDir: parsed.values['data-dir'] as string, json: parsed.values.json === true,
      print: (line) => process.stdout.write(line + '\n'), progress: () => {}, signal: new AbortController().signal,
    })) ?? 0;
  } catch (e) {
    console.error(`fastpr ${command.name}: ${(e as Error).name}: ${(e as Error).message}`);
    return 1;
  }
}
const dir = mkdtempSync(join(tmpdir(), 'fastpr-cli-case-'));
const dataDir = join(dir, 'data');
let out: string[] = [];
let err: string[] = [];

afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

async function run(...argv: string[]): Promise<number> {
  out = [];
  err = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => { out.push(String(s)); return true; });
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => { err.push(String(s)); return true; });
  vi.spyOn(console, 'error').mockImplementation((...a) => { err.push(a.join(' ')); });
  try {
    return await main([...argv, '--data-dir', dataDir]);
  } finally {
    vi.restoreAllMocks();
  }
}

describe('fastpr case / audit / report', () => {
  it('are registered in the CLI', async () => {
    // Imported here so a half-edited command elsewhere in the CLI fails only this check.
    const { loadAllCommands } = await import('./index');
    const all = await loadAllCommands();
    for (const c of MINE) expect(all).toContain(c);
  });

  it('creates, lists and closes cases in the --data-dir database', async () => {
    expect(await run('case', 'create', 'Quay', 'robbery')).toBe(0);
    expect(out.join('')).toMatch(/Created case "Quay robbery"/);
    expect(await run('case', 'create', 'Quay robbery')).toBe(1);
    expect(err.join('')).toMatch(/already exists/);
    expect(await run('case', 'list', '--json')).toBe(0);
    const list = JSON.parse(out.join('')) as { name: string; status: string }[];
    expect(list).toEqual([expect.objectContaining({ name: 'Quay robbery', status: 'open' })]);
    expect(await run('case', 'close', 'Quay robbery')).toBe(0);
    expect(await run('case', 'list')).toBe(0);
    expect(out.join('')).toMatch(/Quay robbery\s+closed/);
    expect(await run('case', 'close', 'Nope')).toBe(1);
    expect(err.join('')).toMatch(/NotFoundError: no case named "Nope"/);
  });

  it('exports reports in every format and flags evidence that changed (exit 3)', async () => {
    const store = openStore(dataDir, { actor: 'cli-test' });
    const seeded = await seedReportCase(store, dir);
    store.close();
    for (const format of ['pdf', 'html', 'csv', 'json']) {
      expect(await run('report', '--case', seeded.theCase.name, '--format', format, '--out', join(dir, `r.${format}`))).toBe(0);
      expect(out.join('')).toMatch(/SHA-256 [0-9a-f]{64}/);
    }
    expect(await run('report', '--case', seeded.theCase.name, '--format', 'avss', '--out', join(dir, 'avss'), '--all', '--json')).toBe(0);
    expect((JSON.parse(out.join('')) as { files: unknown[] }).files).toHaveLength(2);
    expect(readFileSync(join(dir, 'r.html'), 'utf8')).toContain(seeded.theCase.name);
    appendFileSync(seeded.evidence[0]!.videoPath, 'tamper');
    expect(await run('report', '--case', seeded.theCase.name, '--format', 'json', '--out', join(dir, 'r2.json'))).toBe(3);
    expect(err.join('')).toMatch(/WARNING: Evidence #1 .*MISMATCH/);
    expect(await run('report', '--case', seeded.theCase.name, '--format', 'pdf')).toBe(1);
    expect(err.join('')).toMatch(/--out PATH is required/);
  });

  it('audit verify passes on an intact chain and names the first broken link (exit 1)', async () => {
    expect(await run('audit', 'verify', '--json')).toBe(0);
    const ok = JSON.parse(out.join('')) as { ok: boolean; entries: number; headSeq: number; headHash: string };
    expect(ok.ok).toBe(true);
    expect(await run('audit', 'verify', '--anchor', `${ok.headSeq}:${ok.headHash}`)).toBe(0);
    expect(out.join('')).toMatch(/1 anchor\(s\) matched/);
    expect(await run('audit', 'verify', '--anchor', `${ok.headSeq}:${'0'.repeat(64)}`)).toBe(1);
    expect(out.join('')).toMatch(/differs from the anchor/);
    expect(await run('audit', 'verify', '--anchor', 'nonsense')).toBe(1);
    expect(err.join('')).toMatch(/--anchor must be SEQ:HASH/);
    const raw = openDatabase(join(dataDir, 'workstation.sqlite'));
    raw.exec('DROP TRIGGER audit_log_no_update');
    raw.prepare("UPDATE audit_log SET actor = 'mallory' WHERE seq = 5").run();
    raw.close();
    expect(await run('audit', 'verify')).toBe(1);
    expect(out.join('')).toMatch(/AUDIT CHAIN BROKEN at entry #5/);
  });
});
