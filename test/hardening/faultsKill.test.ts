/**
 * Real SIGKILLs at random points of the four long writers: ingest (core/index/testing/ingestChild.ts),
 * training checkpoints (the fastpr CLI), case-store decisions and report export (the child of
 * test/store-durability.*, reused). After each kill: integrity_check ok, every row the child
 * reported committed is present, the audit chain verifies, the job resumes to the same end, and
 * no file under a final name is half-written (only dot-prefixed temp files may be left over).
 * The fixed-point versions of these live in core/index/ingestResume.spec.ts, test/train.kill.test.ts and
 * test/store-*.test.ts; here the kill moments are random and every outcome is tallied.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../core/cli/main';
import { IndexFile } from '../../core/index/indexFile';
import { makeRandomOnnxModel } from '../../core/index/testing/randomModel';
import { tinyConfig } from '../../core/model/config';
import { verifyAuditChain } from '../../core/store/audit';
import { createCase, getCaseByName } from '../../core/store/cases';
import { importEvidenceFile, listEvidence } from '../../core/store/evidence';
import { listIndexes } from '../../core/store/indexes';
import { recordSearch } from '../../core/store/searches';
import { openDatabase } from '../../core/store/sqlite';
import { openStore } from '../../core/store/store';
import { readCheckpoint, checkpointPath } from '../../core/train/checkpoint';
import { makeTestClip } from '../../core/video/testClips';
import { runAndKill } from '../store-durability.helpers';
import { tally } from './tally';

const REPO = resolve(import.meta.dirname, '..', '..');
const root = mkdtempSync(join(tmpdir(), 'fastpr-hardening-kill-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const rand = (lo: number, hi: number) => lo + Math.floor(Math.random() * (hi - lo + 1));

function checkDatabase(dataDir: string): { integrity: string; auditOk: boolean } {
  const db = openDatabase(join(dataDir, 'workstation.sqlite'));
  try {
    return { integrity: db.pragma('integrity_check', { simple: true }) as string, auditOk: verifyAuditChain(db).ok };
  } finally {
    db.close();
  }
}

/** Files in `dir` (recursive) that are neither dot-prefixed temp files nor in `allowed`. */
function strayFiles(dir: string, allowed: (name: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && !d.name.startsWith('.') && !allowed(d.name)).map((d) => d.name);
}

describe('SIGKILL during ingest', () => {
  const video = join(root, 'cam.mp4');
  const model = join(root, 'model');
  const FRAMES = 30;
  beforeAll(async () => {
    await makeTestClip(video, { width: 176, height: 144, fps: 10, seconds: FRAMES / 5 });
    await makeRandomOnnxModel(model, 'tiny');
  }, 120_000);

  function runIngestChild(dataDir: string, slowMs: number, killAfter?: number): Promise<{ signal: string | null; out: string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'core/index/testing/ingestChild.ts'), dataDir, 'Case K', video, model, String(slowMs)], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let killTimer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const seen = (out.match(/^checkpoint /gm) ?? []).length;
      // A random moment after the chosen checkpoint: mid-batch, mid-write or mid-commit.
      if (killAfter !== undefined && seen >= killAfter && !killTimer) killTimer = setTimeout(() => child.kill('SIGKILL'), rand(0, 40));
    });
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    return new Promise((res) => child.on('close', (_code, signal) => res({ signal, out })));
  }

  it('two random kills, then resume: a complete index, sound database, one evidence row', async () => {
    const dataDir = join(root, 'ingest-data');
    const s = openStore(dataDir, { actor: 'setup' });
    createCase(s, 'Case K');
    s.close();
    for (let round = 0; round < 2; round++) {
      const k = await runIngestChild(dataDir, 40, rand(1, 5));
      const survived = k.signal === 'SIGKILL' || /done resumed/.test(k.out);
      const db = checkDatabase(dataDir);
      const store = openStore(dataDir);
      let building = false;
      try {
        const ev = listEvidence(store, getCaseByName(store, 'Case K').id);
        expect(ev).toHaveLength(1);
        const idx = listIndexes(store, ev[0]!.id)[0];
        // Whatever is under the index's final name says what it is: incomplete until finished.
        if (idx && existsSync(idx.filePath)) {
          const f = IndexFile.open(idx.filePath);
          building = idx.state === 'building';
          expect(f.header.complete).toBe(idx.state === 'complete');
        }
      } finally {
        store.close();
      }
      expect(db).toEqual({ integrity: 'ok', auditOk: true });
      tally({ kind: 'fault', name: `ingest SIGKILL round ${round} (${building ? 'mid-index' : 'other'})`, survived: survived && db.integrity === 'ok' && db.auditOk });
    }
    const done = await runIngestChild(dataDir, 0);
    expect(done.out).toMatch(new RegExp(`done (resumed|built|existing) ${FRAMES}`));
    const store = openStore(dataDir);
    try {
      const ev = listEvidence(store, getCaseByName(store, 'Case K').id);
      expect(ev).toHaveLength(1);
      expect(listIndexes(store, ev[0]!.id)[0]).toMatchObject({ state: 'complete', frames: FRAMES });
    } finally {
      store.close();
    }
    expect(checkDatabase(dataDir)).toEqual({ integrity: 'ok', auditOk: true });
  }, 180_000);
});

describe('SIGKILL during training (checkpoint writes)', () => {
  it('a random kill leaves a readable checkpoint (or none) and --resume finishes every step', async () => {
    const data = join(root, 'train-data');
    const fastpr = async (args: string[]) => { if ((await main(args)) !== 0) throw new Error(`fastpr ${args.join(' ')} failed`); };
    await fastpr(['synth', '--out', data, '--frames', '12', '--seed', '3', '--size', '128x96', '--frames-per-scene', '3', '--json']);
    const cfg = join(root, 'tiny.json');
    writeFileSync(cfg, JSON.stringify({ model: tinyConfig(), training: { batchSize: 4, checkpointEvery: 1 } }));
    const STEPS = 8;
    const out = join(root, 'train-out');
    const metrics = () => (existsSync(join(out, 'metrics.jsonl')) ? readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').filter(Boolean) : []);
    const child = spawn(process.execPath, [join(REPO, 'bin/fastpr.mjs'), 'train', '--out', out, '--data', data, '--config', cfg, '--steps', String(STEPS), '--backend', 'wasm', '--json'], { cwd: REPO, stdio: 'ignore' });
    const exited = new Promise((r) => child.once('exit', r));
    const killAt = rand(1, 4);
    while (metrics().length < killAt && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, rand(0, 250)));
    child.kill('SIGKILL');
    await exited;
    const killedAfter = metrics().length;
    // The checkpoint under its final name is whole (its reader checks magic, header and sizes).
    if (existsSync(checkpointPath(out))) expect(() => readCheckpoint(out)).not.toThrow();
    // Nothing else half-written: only known final names besides dot-prefixed temp files.
    const known = new Set(['metrics.jsonl', 'checkpoint.ckpt', 'config.json', 'model.json', 'weights.json', 'weights.bin', 'loss-curve.png', 'training.json', 'vocabulary.json']);
    expect(strayFiles(out, (n) => known.has(n))).toEqual([]);
    await fastpr(['train', '--out', out, '--data', data, '--resume', '--backend', 'wasm', '--json']);
    const steps = metrics().map((l) => (JSON.parse(l) as { step: number }).step);
    expect(steps).toEqual(Array.from({ length: STEPS }, (_, i) => i));
    tally({ kind: 'fault', name: `training SIGKILL after ${killedAfter} steps`, survived: true });
  }, 180_000);
});

describe('SIGKILL during case-store writes and report export (store-durability child)', () => {
  const dataDir = join(root, 'store-data');
  let caseName = '';
  let caseId = 0;
  let sightingIds: number[] = [];
  beforeAll(async () => {
    const store = openStore(dataDir, { actor: 'setup' });
    const c = createCase(store, 'Kill rounds');
    caseName = c.name;
    caseId = c.id;
    const video = join(root, 'clip.mp4');
    writeFileSync(video, 'video bytes');
    const ev = await importEvidenceFile(store, c.id, video, { durationS: 2, fps: 5 });
    sightingIds = recordSearch(store, c.id, {
      queryText: 'q', querySlots: {}, modelHash: 'm'.repeat(64), thresholds: {}, scope: 'all',
      sightings: [1, 2, 3].map((i) => ({ evidenceId: ev.id, startS: i, endS: i + 1, peakS: i, peakBox: [0, 0, 10, 20] as [number, number, number, number], score: 1 / i, track: [] })),
    }).sightingIds;
    store.close();
  });

  it('decisions: every committed row survives 4 random kills', async () => {
    const committed: number[] = [];
    const notes: number[] = [];
    for (let round = 0; round < 4; round++) {
      const r = await runAndKill(['decisions', dataDir, String(caseId), sightingIds.join(',')], rand(2, 40), rand(0, 120));
      committed.push(...r.committed);
      notes.push(...r.notes);
      const db = openDatabase(join(dataDir, 'workstation.sqlite'));
      try {
        const integrity = db.pragma('integrity_check', { simple: true });
        const present = new Set((db.prepare('SELECT id FROM decisions').all() as { id: number }[]).map((x) => x.id));
        const presentNotes = new Set((db.prepare('SELECT id FROM notes').all() as { id: number }[]).map((x) => x.id));
        const lost = committed.filter((id) => !present.has(id)).length + notes.filter((id) => !presentNotes.has(id)).length;
        const auditOk = verifyAuditChain(db).ok;
        tally({ kind: 'rowsLost', name: `decisions kill round ${round}`, lost });
        tally({ kind: 'fault', name: `case-store write SIGKILL round ${round}`, survived: integrity === 'ok' && lost === 0 && auditOk });
        expect(integrity).toBe('ok');
        expect(lost).toBe(0);
        expect(auditOk).toBe(true);
      } finally {
        db.close();
      }
    }
  }, 120_000);

  it('report export: a random kill leaves a complete, recorded report or none under its final name', async () => {
    const outDir = join(root, 'exports');
    mkdirSync(outDir, { recursive: true });
    const out = join(outDir, 'report.html');
    for (let round = 0; round < 3; round++) {
      await runAndKill(['export', dataDir, caseName, out], rand(1, 3), rand(0, 150));
      const db = openDatabase(join(dataDir, 'workstation.sqlite'));
      try {
        const integrity = db.pragma('integrity_check', { simple: true });
        let whole = true;
        if (existsSync(out)) {
          const html = readFileSync(out, 'utf8');
          const { createHash } = await import('node:crypto');
          const sha = createHash('sha256').update(html).digest('hex');
          whole = html.trimEnd().endsWith('</html>') && (db.prepare('SELECT COUNT(*) AS n FROM exports WHERE sha256 = ?').get(sha) as { n: number }).n > 0;
        }
        const stray = readdirSync(outDir).filter((f) => !f.startsWith('.') && f !== 'report.html');
        tally({ kind: 'fault', name: `report export SIGKILL round ${round}`, survived: integrity === 'ok' && whole && stray.length === 0 });
        expect(integrity).toBe('ok');
        expect(whole).toBe(true);
        expect(stray).toEqual([]);
        expect(verifyAuditChain(db).ok).toBe(true);
      } finally {
        db.close();
      }
    }
  }, 120_000);
});
