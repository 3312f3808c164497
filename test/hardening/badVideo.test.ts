/**
 * The video part of the bad-input corpus (test/fixtures/generate.ts) added as evidence through the
 * service's `evidence.add` — the code path both transports (IPC and HTTP) run — with a real
 * SQLite file and real ffmpeg. A refused file gets a typed error naming it and changes no row of
 * the case store (rows and audit chain compared before and after); an odd but legal file is
 * recorded with its true SHA-256; nothing crashes or hangs the process.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService, type Service } from '../../core/api/service';
import { preflightVideo } from '../../core/index/ingest';
import { statusFor } from '../../core/server/respond';
import { openDatabase } from '../../core/store/sqlite';
import { generateVideoCorpus, type CorpusVideo } from '../fixtures/generate';
import { tally } from './tally';

const root = mkdtempSync(join(tmpdir(), 'fastpr-hardening-video-'));
const dataDir = join(root, 'data');
let corpus: CorpusVideo[] = [];
let service: Service;
let caseId = 0;

const TYPED = new Set(['VideoError', 'InputError', 'NotFoundError']);

/** Every row of the tables an evidence import may touch, as one string. */
function snapshot(): string {
  const db = openDatabase(join(dataDir, 'workstation.sqlite'), { readonly: true });
  try {
    return JSON.stringify(['cases', 'evidence', 'indexes', 'audit_log'].map((t) => db.prepare(`SELECT * FROM ${t} ORDER BY 1`).all()));
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  process.env.FASTPR_SHIPPED_MODEL_DIR = join(root, 'no-shipped-model');
  corpus = await generateVideoCorpus(join(root, 'corpus'));
  service = createService({ dataDir });
  caseId = (await service.call('cases.create', { name: 'Bad inputs' })).id;
}, 120_000);

afterAll(async () => {
  await service?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('bad and odd video files as evidence', () => {
  it('the corpus has every kind the issue lists', () => {
    const names = corpus.map((c) => c.name).join('|');
    for (const k of ['truncated mp4', 'truncated avi', 'truncated mkv', 'bit-flipped mp4', 'bit-flipped avi', 'bit-flipped mkv', 'zero-byte', 'random bytes',
      '0-frame', '1×1', 'variable frame rate', 'rotated', 'non-UTF-8', '250-byte', 'spaces + unicode']) expect(names).toContain(k);
  });

  it('each file: a typed error naming it and no stored change, or a correct import', async () => {
    const outcomes: string[] = [];
    for (const v of corpus) {
      const before = snapshot();
      let error: Error | undefined;
      let added: Awaited<ReturnType<typeof service.call<'evidence.add'>>> | undefined;
      try {
        added = await service.call('evidence.add', { caseId, path: v.path });
      } catch (err) {
        error = err as Error;
      }
      const after = snapshot();
      let clear: boolean;
      if (error) {
        clear = TYPED.has(error.name) && error.message.includes(basename(v.path)) && before === after;
        outcomes.push(`${v.name}: ${error.name}: ${error.message.replace(root, '…')}`);
        expect(TYPED.has(error.name), `${v.name}: untyped ${error.name}: ${error.message}`).toBe(true);
        expect(error.message, `${v.name}: the message must name the file`).toContain(basename(v.path));
        expect(after, `${v.name}: a refused file must not change the case store`).toBe(before);
        expect(v.expect, `${v.name} (${v.what}) must be accepted, got ${error.message}`).not.toBe('accept');
      } else {
        const ev = added!.evidence;
        const sha = createHash('sha256').update(readFileSync(v.path)).digest('hex');
        clear = ev.sha256 === sha;
        outcomes.push(`${v.name}: accepted ${ev.width}×${ev.height}, ${ev.durationS}s`);
        expect(v.expect, `${v.name} (${v.what}) must be refused`).not.toBe('reject');
        expect(ev.sha256).toBe(sha);
        expect(ev.width! > 0 && ev.height! > 0).toBe(true);
      }
      tally({ kind: 'badInput', name: `video: ${v.name}`, clearError: clear, detail: outcomes.at(-1) });
    }
    // The outcomes, for the report (vitest prints console output of the test).
    console.log(outcomes.join('\n'));
    const health = await service.call('system.health');
    expect(health.ok).toBe(true);
  }, 120_000);

  // Regression: a Latin-1 name (read back with U+FFFD) was refused as "file not found" while the
  // investigator can see the file; the error now says the name is not UTF-8 and to rename it.
  it('a non-UTF-8 file name is refused with that reason and its original bytes, HTTP 422', async () => {
    const v = corpus.find((c) => c.name === 'non-UTF-8 file name')!;
    const err = await service.call('evidence.add', { caseId, path: v.path }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toBe('VideoError');
    expect((err as Error).message).toContain(v.path);
    expect((err as Error).message).toMatch(/not valid UTF-8/);
    expect((err as Error).message).toContain('cam\\xe9ra.mp4');
    expect((err as Error).message).toMatch(/rename/);
    expect(statusFor(err)).toBe(422);
  });

  it('the rotated clip is recorded with its displayed (rotated) size', async () => {
    const ev = (await service.call('evidence.list', { caseId })).find((e) => e.videoPath.endsWith('rotated.mp4'));
    expect(ev).toMatchObject({ width: 96, height: 160 });
  });

  it('adding the same good file twice is refused by name, changing nothing', async () => {
    const good = corpus.find((c) => c.name === 'good mp4')!;
    const before = snapshot();
    await expect(service.call('evidence.add', { caseId, path: good.path })).rejects.toThrow(/good\.mp4 is already in this case/);
    expect(snapshot()).toBe(before);
    tally({ kind: 'badInput', name: 'video: duplicate evidence', clearError: true });
  });

  it('a path over the contract limit (4,097 characters) or with a NUL byte is an InputError naming "path"', async () => {
    for (const path of [`/${'a'.repeat(4096)}.mp4`, '/tmp/x\0.mp4']) {
      const before = snapshot();
      const err = await service.call('evidence.add', { caseId, path }).catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).name).toBe('InputError');
      expect((err as Error).message).toContain('path:');
      expect(snapshot()).toBe(before);
      tally({ kind: 'badInput', name: `video path: ${path.length > 100 ? 'overlong' : 'NUL byte'}`, clearError: true });
    }
  });
});

describe('an 8192×8192 video', () => {
  // Regression: FrameStream paused ffmpeg at 64 MiB buffered, but one 8192×8192 RGB frame is 201 MB,
  // so decoding hung on any frame > 64 MiB (8K: 99.5 MB). The abort is a guard so a hang fails.
  it('is probed and test-decoded (or refused by name), not hung', async () => {
    const dir = join(root, 'huge');
    const huge = (await generateVideoCorpus(dir, { huge: true })).find((c) => c.name.startsWith('8192'))!;
    let outcome: string;
    try {
      const info = await preflightVideo(huge.path, AbortSignal.timeout(25_000));
      outcome = `decoded ${info.width}×${info.height}`;
    } catch (err) {
      outcome = `${(err as Error).name}: ${(err as Error).message}`;
    }
    tally({ kind: 'badInput', name: 'video: 8192×8192', clearError: !outcome.startsWith('CancelledError'), detail: outcome });
    expect(outcome).not.toMatch(/^CancelledError/);
  }, 150_000);
});
