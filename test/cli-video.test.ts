/**
 * The video commands end to end through the CLI entry point (in process): create a case, ingest a
 * clip, search it (default prefilter and --exhaustive), export a sighting as a clip and a still,
 * and the clear errors for a missing case and a text file posing as a video. The model is a
 * random-init tiny export: the commands' plumbing, not retrieval quality, is under test
 * (core/index/findsPerson.spec.ts is the retrieval test), so the search runs at threshold 0 where
 * every sampled frame matches. --exhaustive is checked as a flag that reaches the search and agrees;
 * 10 frames are too few to fit the prefilter, whose own test is in core/index/ingest.spec.ts.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../core/cli/main';
import { makeRandomOnnxModel } from '../core/index/testing/randomModel';
import { openStore } from '../core/store/index';
import { getSearch } from '../core/store/searches';
import { probeVideo } from '../core/video/probe';
import { makeTestClip } from '../core/video/testClips';

async function run(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const write = process.stdout.write;
  const writeErr = process.stderr.write;
  const consoleError = console.error;
  console.error = (...a: unknown[]) => { err.push(a.map(String).join(' ')); };
  process.stdout.write = ((chunk: string | Uint8Array) => { out.push(String(chunk)); return true; }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => { err.push(String(chunk)); return true; }) as typeof process.stderr.write;
  try {
    const status = await main(args);
    return { status, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeErr;
    console.error = consoleError;
  }
}

let tmp: string;
let model: string;
let dataDir: string;
let clip: string;
beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'cli-video-'));
  model = await makeRandomOnnxModel(join(tmp, 'model'), 'tiny');
  dataDir = join(tmp, 'data');
  clip = join(tmp, 'clip ü.mp4');
  await makeTestClip(clip, { width: 160, height: 120, fps: 10, seconds: 2 });
}, 120_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('fastpr ingest / search / export-clip', () => {
  it('indexes a clip, finds sightings (also with --exhaustive), exports one as a clip and a still', async () => {
    expect((await run('case', 'create', 'Lobby', '--data-dir', dataDir)).status).toBe(0);
    const ing = await run('ingest', clip, '--case', 'Lobby', '--model', model, '--data-dir', dataDir, '--json');
    expect(ing.status).toBe(0);
    // 5/s from a 10-frames/s clip: every frame decoded (only sampling at most one frame in four skips any).
    expect(JSON.parse(ing.stdout)).toEqual([expect.objectContaining({ frames: 10, referenceFramesOnly: false })]);
    const search = await run('search', '--case', 'Lobby', 'man in a red top', '--model', model, '--threshold', '0', '--json', '--data-dir', dataDir);
    expect(search.status).toBe(0);
    const r = JSON.parse(search.stdout) as { framesSearched: number; absent: boolean; total: number; query: { codes: Record<string, number> }; sightings: Array<{ id: number; startS: number; endS: number; frames: number }> };
    expect(r.framesSearched).toBe(10); // 2 s at the default 5 frames/s
    // It says what it read: the one video's index, its 10 frames, in the default (compressed) storage, made by the float encoder (this model has no int8 one).
    expect((r as unknown as { evidenceSearched: unknown }).evidenceSearched).toEqual([
      { evidenceId: expect.any(Number), index: { id: expect.any(Number), samplingFps: 5, frames: 10, storage: 'pca', storageDims: { kept: expect.any(Number), of: expect.any(Number) }, encoder: { precision: 'float', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }, referenceFramesOnly: false } },
    ]);
    expect(r.query.codes).toMatchObject({ gender: expect.any(Number), torsoColour: expect.any(Number) });
    expect(r.absent).toBe(false);
    // At threshold 0 every sampled frame matches, so the sightings cover the clip's frames.
    expect(r.sightings.reduce((n, s) => n + s.frames, 0)).toBeGreaterThanOrEqual(10);
    const ex = await run('search', '--case', 'Lobby', 'man in a red top', '--model', model, '--threshold', '0', '--json', '--exhaustive', '--data-dir', dataDir);
    expect(ex.status).toBe(0);
    const rx = JSON.parse(ex.stdout) as typeof r;
    expect(rx.sightings.map((s) => [s.startS, s.endS, s.frames])).toEqual(r.sightings.map((s) => [s.startS, s.endS, s.frames]));
    // The stored search says how much of the index the exact head scored (all of it here).
    const store = openStore(dataDir);
    try {
      for (const id of [(r as unknown as { searchId: number }).searchId, (rx as unknown as { searchId: number }).searchId]) {
        expect(getSearch(store, id).thresholds.exactHeadCellShare).toBe(1);
      }
    } finally {
      store.close();
    }

    const id = String(r.sightings[0]!.id);
    const mp4 = join(tmp, 'out', 'sighting.mp4');
    const exp = await run('export-clip', '--case', 'Lobby', '--sighting', id, '--out', mp4, '--data-dir', dataDir);
    expect(exp.stderr).toBe("");
    expect(exp.status).toBe(0);
    const info = await probeVideo(mp4);
    expect(info.width).toBeGreaterThan(0);
    expect(info.durationS).toBeGreaterThan(0);
    const png = join(tmp, 'out', 'still.png');
    expect((await run('export-clip', '--case', 'Lobby', '--sighting', id, '--out', png, '--data-dir', dataDir)).status).toBe(0);
    expect(readFileSync(png).subarray(1, 4).toString('latin1')).toBe('PNG');
  }, 120_000);

  it('names the problem: an unknown case, a text file renamed .mp4 (and the case keeps its evidence)', async () => {
    const noCase = await run('search', '--case', 'Nope', 'red top', '--model', model, '--data-dir', dataDir);
    expect(noCase.status).not.toBe(0);
    expect(noCase.stderr).toMatch(/Nope/);
    const fake = join(tmp, 'notes.mp4');
    writeFileSync(fake, 'this is not a video\n');
    const bad = await run('ingest', fake, '--case', 'Lobby', '--model', model, '--data-dir', dataDir);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('notes.mp4');
    const badFlag = await run('ingest', clip, '--case', 'Lobby', '--model', model, '--data-dir', dataDir, '--decode', 'some');
    expect(badFlag.status).not.toBe(0);
    expect(badFlag.stderr).toMatch(/--decode must be auto or all, got "some"/);
    // The earlier evidence is still searchable.
    const again = await run('search', '--case', 'Lobby', 'red top', '--model', model, '--threshold', '0', '--json', '--data-dir', dataDir);
    expect(again.status).toBe(0);
    expect((JSON.parse(again.stdout) as { framesSearched: number }).framesSearched).toBe(10);
    expect(existsSync(fake) && statSync(fake).size).toBeGreaterThan(0);
  }, 60_000);
});
