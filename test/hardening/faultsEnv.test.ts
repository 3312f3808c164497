/**
 * Faults of the environment, through the real service: a full disk under the data directory (a
 * 3 MiB tmpfs mounted by the test — it runs as root here; without mount rights the test is
 * skipped and says so), the case database locked by another process, a read-only evidence folder
 * (a tmpfs remounted read-only: chmod does not stop root), and evidence changed or deleted after
 * import. Every failure must be a clear error, leave the stored rows as they were, keep the
 * process serving, and a mismatch must be reported by evidence.verify and the exported report.
 * A full disk and a locked database are also called over the loopback HTTP transport: typed
 * StorageError (507) and BusyError (503, Retry-After), not a bare 500.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync, closeSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createService, type Service } from '../../core/api/service';
import { createCase } from '../../core/store/cases';
import { openDatabase } from '../../core/store/sqlite';
import { openStore } from '../../core/store/store';
import { makeClip } from '../fixtures/generate';
import { startHttp, type Http } from '../workstation.helpers';
import { tally } from './tally';

const REPO = resolve(import.meta.dirname, '..', '..');
const root = mkdtempSync(join(tmpdir(), 'fastpr-hardening-env-'));
const mounts: string[] = [];

function tryMount(dir: string, sizeKb: number): boolean {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', dir], { stdio: 'ignore' });
    mounts.push(dir);
    return true;
  } catch {
    return false;
  }
}
const canMount = (() => {
  const probe = join(root, 'mount-probe');
  const ok = tryMount(probe, 64);
  if (ok) { execFileSync('umount', [probe]); mounts.pop(); }
  return ok;
})();

function rows(dataDir: string): string {
  const db = openDatabase(join(dataDir, 'workstation.sqlite'), { readonly: true });
  try {
    return JSON.stringify(['cases', 'evidence', 'notes', 'decisions', 'exports', 'audit_log'].map((t) => db.prepare(`SELECT * FROM ${t} ORDER BY 1`).all()));
  } finally {
    db.close();
  }
}

/** The rows a refused write must not touch (verifications, which export records first, may be added). */
function decisionRows(dataDir: string): string {
  const db = openDatabase(join(dataDir, 'workstation.sqlite'), { readonly: true });
  try {
    return JSON.stringify(['cases', 'notes', 'decisions', 'exports'].map((t) => db.prepare(`SELECT * FROM ${t} ORDER BY 1`).all()))
      + JSON.stringify(db.prepare("SELECT * FROM audit_log WHERE action NOT LIKE 'evidence.verif%' ORDER BY seq").all());
  } finally {
    db.close();
  }
}

let fullDiskExportError: Error | undefined;

function integrity(dataDir: string): string {
  const db = openDatabase(join(dataDir, 'workstation.sqlite'));
  try {
    return db.pragma('integrity_check', { simple: true }) as string;
  } finally {
    db.close();
  }
}

const services: Service[] = [];
function service(dataDir: string): Service {
  process.env.FASTPR_SHIPPED_MODEL_DIR = join(root, 'no-shipped-model');
  const s = createService({ dataDir });
  services.push(s);
  return s;
}

/** The service behind a real loopback HTTP server (closed in afterAll). */
const servers: Http[] = [];
async function httpService(dataDir: string): Promise<Http> {
  process.env.FASTPR_SHIPPED_MODEL_DIR = join(root, 'no-shipped-model');
  const site = join(root, 'site');
  mkdirSync(site, { recursive: true });
  writeFileSync(join(site, 'index.html'), '<!doctype html><title>t</title>');
  const h = await startHttp(dataDir, site);
  servers.push(h);
  return h;
}

/** POST /api/<name> with the token; status, Retry-After and the error envelope. */
async function post(h: Http, name: string, body: unknown): Promise<{ status: number; retryAfter: string | null; error?: { name: string; message: string } }> {
  const r = await fetch(`http://127.0.0.1:${h.server.port}/api/${name}`, {
    method: 'POST', headers: { Authorization: `Bearer ${h.server.token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });
  const json = (await r.json()) as { error?: { name: string; message: string } };
  return { status: r.status, retryAfter: r.headers.get('retry-after'), error: json.error };
}

afterAll(async () => {
  for (const h of servers) await h.close().catch(() => {});
  for (const s of services) await s.close().catch(() => {});
  for (const m of mounts.reverse()) { try { execFileSync('umount', ['-l', m]); } catch { /* already gone */ } }
  rmSync(root, { recursive: true, force: true });
});

describe.skipIf(!canMount)('disk full (3 MiB tmpfs under the data directory)', () => {
  it('writes fail with a clear error and change nothing; after space returns everything committed is there', async () => {
    const disk = join(root, 'full');
    expect(tryMount(disk, 3072)).toBe(true);
    const dataDir = join(disk, 'data');
    const h = await httpService(dataDir);
    const s = h.service;
    const c = await s.call('cases.create', { name: 'Full disk' });
    const committedNotes: number[] = [];
    committedNotes.push((await s.call('notes.add', { caseId: c.id, text: 'before the disk filled up' })).id);
    // Fill the disk to the last byte.
    const filler = join(disk, 'filler.bin');
    const fd = openSync(filler, 'w');
    const chunk = Buffer.alloc(64 * 1024, 1);
    try { for (;;) writeSync(fd, chunk); } catch (err) { expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC'); }
    try { for (;;) writeSync(fd, chunk, 0, 512); } catch { /* the last sectors */ }
    closeSync(fd);

    let failures = 0;
    const messages = new Set<string>();
    for (let i = 0; i < 30 && failures < 3; i++) {
      const before = rows(dataDir);
      try {
        committedNotes.push((await s.call('notes.add', { caseId: c.id, text: `note ${i} `.repeat(2000) })).id);
      } catch (err) {
        failures++;
        messages.add(`${(err as Error).name}: ${(err as Error).message}`);
        expect((err as Error).message).toMatch(/full|ENOSPC|SQLITE_FULL/i);
        expect((err as Error).name).toBe('StorageError');
        expect((err as Error).message).toContain('workstation.sqlite');
        expect(rows(dataDir)).toBe(before);
      }
    }
    expect(failures).toBeGreaterThan(0);
    // The same write over HTTP: 507 Insufficient Storage with the typed error, not a bare 500.
    const beforeHttp = rows(dataDir);
    let overHttp: Awaited<ReturnType<typeof post>> | undefined;
    for (let i = 0; i < 30 && (!overHttp || overHttp.status === 200); i++) overHttp = await post(h, 'notes.add', { caseId: c.id, text: `http ${i} `.repeat(2000) });
    messages.add(`http notes.add: ${overHttp!.status} ${overHttp!.error?.name}: ${overHttp!.error?.message}`);
    const httpClear = overHttp!.status === 507 && overHttp!.error?.name === 'StorageError' && /workstation\.sqlite/.test(overHttp!.error.message);
    tally({ kind: 'badInput', name: 'http notes.add onto a full disk (507 StorageError)', clearError: httpClear, detail: `${overHttp!.status} ${overHttp!.error?.message}` });
    expect(overHttp!.status).toBe(507);
    expect(overHttp!.error).toMatchObject({ name: 'StorageError', message: expect.stringContaining('workstation.sqlite') });
    expect(rows(dataDir)).toBe(beforeHttp);
    // A report export onto the full disk: an error, no file under the final name, no export row.
    const out = join(disk, 'report.html');
    const beforeExport = decisionRows(dataDir);
    const exportErr = await s.call('reports.export', { caseId: c.id, format: 'html', scope: 'all', out }).catch((e: Error) => e);
    messages.add(`export: ${(exportErr as Error).name}: ${(exportErr as Error).message}`);
    expect(exportErr).toBeInstanceOf(Error);
    fullDiskExportError = exportErr as Error;
    tally({ kind: 'badInput', name: 'report export onto a full disk', clearError: /report\.html/.test((exportErr as Error).message) && (exportErr as Error).name !== 'Error', detail: (exportErr as Error).message });
    expect(existsSync(out)).toBe(false);
    expect(decisionRows(dataDir)).toBe(beforeExport);
    const exportHttp = await post(h, 'reports.export', { caseId: c.id, format: 'html', scope: 'all', out });
    messages.add(`http export: ${exportHttp.status} ${exportHttp.error?.name}: ${exportHttp.error?.message}`);
    tally({ kind: 'badInput', name: 'http report export onto a full disk (507 StorageError)', clearError: exportHttp.status === 507 && exportHttp.error?.name === 'StorageError' && /report\.html/.test(exportHttp.error.message), detail: `${exportHttp.status} ${exportHttp.error?.message}` });
    expect(exportHttp.status).toBe(507);
    expect(exportHttp.error).toMatchObject({ name: 'StorageError', message: expect.stringContaining('report.html') });
    expect(existsSync(out)).toBe(false);
    expect(decisionRows(dataDir)).toBe(beforeExport);
    console.log([...messages].join('\n'));

    // The service is still up; space comes back; nothing committed was lost.
    expect((await s.call('system.health')).ok).toBeDefined();
    unlinkSync(filler);
    expect(integrity(dataDir)).toBe('ok');
    committedNotes.push((await s.call('notes.add', { caseId: c.id, text: 'after space came back' })).id);
    const present = new Set((await s.call('notes.list', { caseId: c.id })).map((n) => n.id));
    const lost = committedNotes.filter((id) => !present.has(id)).length;
    tally({ kind: 'rowsLost', name: 'disk full', lost });
    expect(lost).toBe(0);
    expect((await s.call('audit.verify')).ok).toBe(true);
    const exported = await s.call('reports.export', { caseId: c.id, format: 'html', scope: 'all', out });
    expect(existsSync(exported.files[0]!.path)).toBe(true);
    tally({ kind: 'fault', name: 'disk full (tmpfs)', survived: true });
  }, 120_000);

  // Regression: on a full disk reports.export used to answer a bare `Error: ENOSPC …` (from the job
  // record write), untyped and without the file it was exporting.
  it('the export error on a full disk is typed and names the output file', () => {
    expect(fullDiskExportError).toBeDefined();
    expect(fullDiskExportError!.name).toBe('StorageError');
    expect(fullDiskExportError!.message).toContain('report.html');
  });
});

describe('database locked by another process', () => {
  it('a write waits, then fails naming the database; nothing changes; it succeeds once the lock is gone', async () => {
    const dataDir = join(root, 'locked');
    const store = openStore(dataDir, { actor: 'setup' });
    createCase(store, 'Locked');
    store.close();
    const db = join(dataDir, 'workstation.sqlite');
    const holder = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'test/hardening/children/holdLock.ts'), db], { cwd: REPO, stdio: ['pipe', 'pipe', 'inherit'] });
    await new Promise<void>((res, rej) => {
      holder.stdout.on('data', (d: Buffer) => { if (d.toString().includes('locked')) res(); });
      holder.on('exit', (code) => rej(new Error(`lock holder exited ${code}`)));
    });
    const before = rows(dataDir);
    const s = openStore(dataDir, { busyTimeoutMs: 300 });
    try {
      expect(() => createCase(s, 'While locked')).toThrow(/locked by another process/);
      expect(() => createCase(s, 'While locked')).toThrow(db);
    } finally {
      s.close();
    }
    // Through the service (default 5 s busy wait): a typed error, and the service keeps answering.
    const h = await httpService(dataDir);
    const svc = h.service;
    const err = await svc.call('notes.add', { caseId: 1, text: 'while locked' }).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/locked by another process/);
    expect((err as Error).name).toBe('BusyError');
    expect((await svc.call('system.health')).ok).toBeDefined();
    // Over HTTP: 503 with Retry-After and the typed error naming the database, not a bare 500.
    const overHttp = await post(h, 'notes.add', { caseId: 1, text: 'while locked, over http' });
    console.log(`http notes.add while locked: ${overHttp.status} ${overHttp.error?.name}: ${overHttp.error?.message}`);
    tally({ kind: 'badInput', name: 'http notes.add while the database is locked (503 BusyError)', clearError: overHttp.status === 503 && overHttp.error?.name === 'BusyError' && overHttp.error.message.includes(db), detail: `${overHttp.status} ${overHttp.error?.message}` });
    expect(overHttp).toMatchObject({ status: 503, retryAfter: '1', error: { name: 'BusyError', message: expect.stringContaining(db) } });
    expect((await post(h, 'system.health', {})).status).toBe(200);
    expect(rows(dataDir)).toBe(before);
    holder.stdin.end();
    await new Promise((r) => holder.once('exit', r));
    expect((await svc.call('notes.add', { caseId: 1, text: 'after the lock' })).text).toBe('after the lock');
    expect(integrity(dataDir)).toBe('ok');
    expect((await svc.call('notes.list', { caseId: 1 })).map((n) => n.text)).toEqual(['after the lock']);
    tally({ kind: 'fault', name: 'database locked by another process', survived: true });
  }, 60_000);
});

describe.skipIf(!canMount)('read-only evidence folder (tmpfs remounted read-only)', () => {
  it('evidence is added and verified from read-only media; a report into it fails clearly and records nothing', async () => {
    const media = join(root, 'ro-media');
    expect(tryMount(media, 4096)).toBe(true);
    const clip = makeClip(join(media, 'camera 1.mp4'), 'libx264', { size: '96x64', seconds: 1 });
    execFileSync('mount', ['-o', 'remount,ro', media]);
    expect(() => writeFileSync(join(media, 'probe'), 'x')).toThrow(/EROFS/);
    const dataDir = join(root, 'ro-data');
    const s = service(dataDir);
    const c = await s.call('cases.create', { name: 'Read-only media' });
    const { evidence } = await s.call('evidence.add', { caseId: c.id, path: clip });
    expect((await s.call('evidence.verify', { evidenceId: evidence.id })).status).toBe('match');
    const before = decisionRows(dataDir);
    const out = join(media, 'report.html');
    const err = await s.call('reports.export', { caseId: c.id, format: 'html', out }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    console.log(`report into read-only media: ${(err as Error).name}: ${(err as Error).message}`);
    expect((err as Error).message).toContain(media);
    // The investigator chose the output folder: an unwritable one is their input to change (HTTP 400).
    expect((err as Error).name).toBe('InputError');
    expect(existsSync(out)).toBe(false);
    expect(decisionRows(dataDir)).toBe(before);
    tally({ kind: 'fault', name: 'read-only evidence folder', survived: true });
    tally({ kind: 'badInput', name: 'report into a read-only folder', clearError: (err as Error).message.includes(media) && (err as Error).name === 'InputError', detail: (err as Error).message });
  }, 60_000);
});

describe('evidence changed or deleted after import', () => {
  it('evidence.verify and the report say MISMATCH / FILE MISSING; the audit log records the checks', async () => {
    const dir = join(root, 'changing');
    mkdirSync(dir, { recursive: true });
    const a = makeClip(join(dir, 'a.mp4'), 'libx264', { size: '96x64', seconds: 1 });
    const b = makeClip(join(dir, 'b.mp4'), 'libx264', { size: '64x48', seconds: 1 });
    const dataDir = join(root, 'changing-data');
    const s = service(dataDir);
    const c = await s.call('cases.create', { name: 'Tampered' });
    const ea = (await s.call('evidence.add', { caseId: c.id, path: a })).evidence;
    const eb = (await s.call('evidence.add', { caseId: c.id, path: b })).evidence;
    // Same size, one byte different; and a deleted file.
    const bytes = readFileSync(a);
    const mid = Math.floor(bytes.length / 2);
    bytes[mid] = bytes[mid]! ^ 0x01;
    writeFileSync(a, bytes);
    unlinkSync(b);
    const va = await s.call('evidence.verify', { evidenceId: ea.id });
    const vb = await s.call('evidence.verify', { evidenceId: eb.id });
    expect(va.status).toBe('mismatch');
    expect(va.message).toMatch(/MISMATCH/);
    expect(vb.status).toBe('missing');
    const r = await s.call('reports.export', { caseId: c.id, format: 'html', scope: 'all' });
    expect(r.evidenceOk).toBe(false);
    const html = readFileSync(r.files[0]!.path, 'utf8');
    expect(html).toContain('MISMATCH');
    expect(html).toContain('FILE MISSING');
    const db = openDatabase(join(dataDir, 'workstation.sqlite'), { readonly: true });
    try {
      const actions = (db.prepare('SELECT action FROM audit_log ORDER BY seq').all() as { action: string }[]).map((x) => x.action);
      expect(actions.filter((x) => /verif/.test(x)).length).toBeGreaterThanOrEqual(2);
    } finally {
      db.close();
    }
    tally({ kind: 'fault', name: 'evidence changed after import', survived: va.status === 'mismatch' && !r.evidenceOk });
    tally({ kind: 'fault', name: 'evidence deleted after import', survived: vb.status === 'missing' && html.includes('FILE MISSING') });
  }, 60_000);
});
