/**
 * Ingest stopped and resumed on real ffmpeg, onnxruntime and SQLite with a tiny random-init model:
 * byte-identical index after a real SIGKILL and resume, cancel and resume, and which checkpoints a
 * build resumes (pixel path, the sampling rule of non-reference frames) or starts over from.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCaseByName, listAudit, listEvidence, listIndexes, openStore, saveIndexCheckpoint, type Store } from '../store/index';
import { IndexFile } from './indexFile';
import { ingestVideo, type IngestOptions } from './ingest';
import { FRAMES, ingestFixture } from './testing/ingestFixture';

const fx = ingestFixture('fastpr-ingest-resume-');
const { video, model, newStore } = fx;
afterAll(fx.cleanUp);
beforeAll(fx.setUp, 120_000);

function runChild(dataDir: string, slowMs: number, killAfterCheckpoints?: number): Promise<{ code: number | null; signal: string | null; out: string }> {
  // node itself with tsx's loader (the tsx CLI would put a wrapper process between us and the kill).
  const child = spawn(process.execPath, ['--import', 'tsx', resolve('core/index/testing/ingestChild.ts'), dataDir, 'Case A', video, model, String(slowMs)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    const seen = (out.match(/^checkpoint /gm) ?? []).length;
    if (killAfterCheckpoints !== undefined && seen >= killAfterCheckpoints) child.kill('SIGKILL');
  });
  return new Promise((res) => child.on('close', (code, signal) => res({ code, signal, out: out + err })));
}

describe('ingest stopped and resumed', () => {
  it('after a SIGKILL part-way, resuming produces the byte-identical index and a sound database', async () => {
    // The uninterrupted reference runs in this process with the child's settings.
    const ref = newStore('reference');
    const built = await ingestVideo(ref.store, ref.caseId, video, model, { fps: 5, batchSize: 2, checkpointEvery: 1, threads: 1 });
    expect(built.index.frames).toBe(FRAMES);
    ref.store.close();
    const killed = newStore('killed');
    killed.store.close();
    const k = await runChild(killed.dir, 60, 3);
    expect(k.signal).toBe('SIGKILL');
    const store = openStore(killed.dir);
    try {
      const partial = listIndexes(store, listEvidence(store, getCaseByName(store, 'Case A').id)[0]!.id)[0]!;
      expect(partial.state).toBe('building');
      expect(partial.frames).toBeGreaterThan(0);
      expect(partial.frames).toBeLessThan(FRAMES);
    } finally {
      store.close();
    }
    const resumed = await runChild(killed.dir, 0);
    expect(resumed.out).toMatch(new RegExp(`done resumed ${FRAMES}`));
    const file = (dir: string) => {
      const s = openStore(dir);
      try {
        expect(s.db.pragma('integrity_check', { simple: true })).toBe('ok');
        const ev = listEvidence(s, getCaseByName(s, 'Case A').id);
        expect(ev).toHaveLength(1);
        return listIndexes(s, ev[0]!.id)[0]!.filePath;
      } finally {
        s.close();
      }
    };
    expect(readFileSync(file(killed.dir)).equals(readFileSync(file(ref.dir)))).toBe(true);
  }, 120_000);

  it('cancel (AbortSignal) stops with CancelledError, keeps a resumable checkpoint, and the next run resumes', async () => {
    const { store, caseId } = newStore('cancel');
    try {
      const ac = new AbortController();
      const err = await ingestVideo(store, caseId, video, model, {
        batchSize: 2, checkpointEvery: 1, signal: ac.signal,
        onProgress: (e) => { if (e.state === 'running' && e.done >= 6) ac.abort(); },
      }).catch((e: unknown) => e);
      expect((err as Error).name).toBe('CancelledError');
      const idx = listIndexes(store, listEvidence(store, caseId)[0]!.id)[0]!;
      expect(idx.state).toBe('building');
      expect(idx.frames).toBeGreaterThanOrEqual(6);
      // The case log says the build stopped, why, and how much of it is kept.
      const stops = listAudit(store.db).filter((e) => e.action === 'index.stopped');
      expect(stops.map((e) => e.payload)).toEqual([expect.objectContaining({ indexId: idx.id, reason: 'cancelled', framesKept: idx.frames })]);
      const r = await ingestVideo(store, caseId, video, model, { batchSize: 2, checkpointEvery: 1 });
      expect(r.outcome).toBe('resumed');
      expect(listAudit(store.db).map((e) => e.action).filter((a) => a.startsWith('index.'))).toEqual(['index.started', 'index.stopped', 'index.resumed', 'index.built']);
      expect(r.build!.framesThisRun).toBe(FRAMES - idx.frames);
      expect(r.index.frames).toBe(FRAMES);
    } finally {
      store.close();
    }
  }, 60_000);

  /** An ingest cancelled after 6 frames (options `extra`); its index record with the checkpoint. */
  async function stoppedBuild(store: Store, caseId: number, extra: IngestOptions = {}) {
    const ac = new AbortController();
    await ingestVideo(store, caseId, video, model, {
      batchSize: 2, checkpointEvery: 1, signal: ac.signal, ...extra,
      onProgress: (e) => { if (e.state === 'running' && e.done >= 6) ac.abort(); },
    }).catch(() => undefined);
    const idx = listIndexes(store, listEvidence(store, caseId)[0]!.id)[0]!;
    expect(idx.frames).toBeGreaterThanOrEqual(6);
    return idx;
  }

  /** An ingest (options `extra`) after a stopped one starts over and writes the same bytes as a straight run in a fresh store. */
  async function expectStartsOver(store: Store, caseId: number, straightName: string, extra: IngestOptions = {}) {
    const straight = newStore(straightName);
    try {
      const r = await ingestVideo(store, caseId, video, model, { batchSize: 2, checkpointEvery: 1, ...extra });
      expect(r.outcome).toBe('built');
      expect(r.build!.framesThisRun).toBe(FRAMES);
      const ref = await ingestVideo(straight.store, straight.caseId, video, model, { batchSize: 2, checkpointEvery: 1, ...extra });
      expect(readFileSync(r.index.filePath).equals(readFileSync(ref.index.filePath))).toBe(true);
      return IndexFile.open(r.index.filePath);
    } finally {
      straight.store.close();
    }
  }

  it('does not resume a checkpoint made with another pixel path (older version): starts over, same index as a straight run', async () => {
    const { store, caseId } = newStore('pixels');
    try {
      const idx = await stoppedBuild(store, caseId);
      expect((idx.checkpoint as { pixels?: string }).pixels).toBe('ffmpeg-yuv+noref');
      const { pixels: _, ...untagged } = idx.checkpoint as Record<string, unknown>;
      saveIndexCheckpoint(store, idx.id, idx.frames, untagged); // as written before the pixel path was recorded
      await expectStartsOver(store, caseId, 'pixels-ref');
    } finally {
      store.close();
    }
  }, 60_000);

  it('a build that decoded every frame (as before 2 Dec) finishes so when resumed: byte-identical to a straight run of it', async () => {
    const { store, caseId } = newStore('every-resumed');
    const straight = newStore('every-resumed-ref');
    try {
      const idx = await stoppedBuild(store, caseId, { skipNonReference: false });
      expect((idx.checkpoint as { pixels?: string }).pixels).toBe('ffmpeg-yuv');
      // Resumed with the default options: the index's own header decides, not today's default.
      const r = await ingestVideo(store, caseId, video, model, { batchSize: 2, checkpointEvery: 1 });
      expect(r.outcome).toBe('resumed');
      expect(r.build!.framesThisRun).toBe(FRAMES - idx.frames);
      const ref = await ingestVideo(straight.store, straight.caseId, video, model, { batchSize: 2, checkpointEvery: 1, skipNonReference: false });
      expect(readFileSync(r.index.filePath).equals(readFileSync(ref.index.filePath))).toBe(true);
      expect(IndexFile.open(r.index.filePath).header.referenceFramesOnly).toBe(false);
    } finally {
      store.close();
      straight.store.close();
    }
  }, 60_000);

  it('does not resume a build that decoded every frame when asked to skip non-reference frames: starts over, same index as a straight run', async () => {
    const { store, caseId } = newStore('every-then-skip');
    try {
      await stoppedBuild(store, caseId, { skipNonReference: false });
      const built = await expectStartsOver(store, caseId, 'every-then-skip-ref', { skipNonReference: true });
      expect(built.header.referenceFramesOnly).toBe(true);
    } finally {
      store.close();
    }
  }, 60_000);
});
