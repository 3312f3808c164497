/**
 * The workstation service end to end through the loopback HTTP transport, with a real SQLite file,
 * real ffmpeg, real onnxruntime (a tiny random-init FastPR exported to ONNX) and real job worker
 * processes: case → evidence (hash + probe) → ingest job with progress on SSE → search → sighting
 * detail → decision → PDF report holding the video's hash and the query; a file cut mid-stream
 * indexed with its decode warnings on the evidence and in the report; "model not trained yet"
 * before a model exists. Cancel/resume and payload validation: workstation-jobs.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRandomOnnxModel } from '../core/index/testing/randomModel';
import { esc } from '../core/reports/html';
import { startHttp, syntheticClip, type Http } from './workstation.helpers';

const root = mkdtempSync(join(tmpdir(), 'fastpr-ws-api-'));
const dataDir = join(root, 'data');
const site = join(root, 'site');
let http: Http;
let clipA = '';

beforeAll(async () => {
  process.env.FASTPR_SHIPPED_MODEL_DIR = join(root, 'no-shipped-model');
  mkdirSync(site, { recursive: true });
  writeFileSync(join(site, 'index.html'), '<!doctype html><title>t</title>');
  clipA = await syntheticClip(join(root, 'clipA'), 11, 6);
  http = await startHttp(dataDir, site);
}, 60_000);

afterAll(async () => {
  await http?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('before any model exists', () => {
  it('says "model not trained yet" and refuses to ingest with a ModelError', async () => {
    const active = await http.call('models.active');
    expect(active.state).toBe('none');
    expect(active.message).toMatch(/not trained yet/i);
    const c = await http.call('cases.create', { name: 'No model yet' });
    const { evidence, jobId } = await http.call('evidence.add', { caseId: c.id, path: clipA, ingest: true });
    expect(jobId).toBeNull();
    const r = await http.raw('evidence.ingest', { evidenceId: evidence.id });
    expect(r.status).toBe(422);
    expect(r.body.error.name).toBe('ModelError');
  });
});

describe('with a model', () => {
  let caseId = 0;
  let evidenceId = 0;
  let sha = '';
  let sightingId = 0;
  const query = 'woman in a red top with a backpack';

  beforeAll(async () => {
    await makeRandomOnnxModel(join(dataDir, 'models', 'tiny-random'), 'tiny');
  }, 60_000);

  it('creates a case, adds the clip with its SHA-256 and probe facts', async () => {
    const active = await http.call('models.active');
    expect(active.state).toBe('ready');
    expect(active.model?.id).toBe('tiny-random');
    const c = await http.call('cases.create', { name: 'Platform 4 theft' });
    caseId = c.id;
    const { evidence } = await http.call('evidence.add', { caseId, path: clipA, cameraLabel: 'C1' });
    evidenceId = evidence.id;
    sha = execFileSync('sha256sum', [clipA], { encoding: 'utf8' }).split(' ')[0]!;
    expect(evidence).toMatchObject({ sha256: sha, width: 192, height: 144, cameraLabel: 'C1', state: 'imported', index: null });
    expect(evidence.durationS).toBeCloseTo(6, 0);
    expect((await http.call('evidence.verify', { evidenceId })).status).toBe('match');
    expect((await http.call('cases.search', { text: 'PLATFORM' })).map((x) => x.id)).toEqual([caseId]);
  });

  it('serves the evidence video to the player with the query token and byte ranges, nothing else', async () => {
    const bytes = readFileSync(clipA);
    const path = `/api/media/evidence/${evidenceId}?token=${http.server.token}`;
    const whole = await http.get(path);
    expect(whole.status).toBe(200);
    expect(whole.headers['content-type']).toBe('video/mp4');
    expect(whole.body.equals(bytes)).toBe(true);
    const part = await http.get(path, { Range: 'bytes=100-199' });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 100-199/${bytes.length}`);
    expect(part.body.equals(bytes.subarray(100, 200))).toBe(true);
    expect((await http.get(path, { Range: `bytes=${bytes.length + 5}-` })).status).toBe(416);
    expect((await http.get(`/api/media/evidence/${evidenceId}`)).status).toBe(401);
    expect((await http.get(`/api/media/evidence/999?token=${http.server.token}`)).status).toBe(404);
    expect((await http.get(`/api/media/evidence/..%2f..%2fetc%2fpasswd?token=${http.server.token}`)).status).toBe(400);
  });

  it('ingests in a worker process with progress events on the SSE stream', async () => {
    const { jobId } = await http.call('evidence.ingest', { evidenceId });
    const end = await http.waitEvent((e) => e.jobId === jobId && e.state !== 'running');
    expect(end.state).toBe('done');
    const running = http.events.filter((e) => e.jobId === jobId && e.state === 'running' && e.done > 0);
    expect(running.length).toBeGreaterThan(0);
    expect(running[0]).toMatchObject({ kind: 'ingest', unit: 'frames', total: 30 });
    const job = await http.call('jobs.get', { jobId });
    expect(job).toMatchObject({ state: 'done', kind: 'ingest', caseId, evidenceId, attempts: 1 });
    expect(job.result).toMatchObject({ frames: 30, outcome: 'built' });
    const [ev] = await http.call('evidence.list', { caseId });
    expect(ev).toMatchObject({ state: 'indexed', index: { state: 'complete', frames: 30 } });
    expect((await http.call('jobs.list', { caseId })).map((j) => j.id)).toContain(jobId);
  });

  it('a file cut mid-stream: indexed up to the damage, its warnings on the evidence\'s index, the job result and the report', async () => {
    const cut = join(root, 'cut', 'platform-cut.mp4');
    mkdirSync(join(root, 'cut'), { recursive: true });
    copyFileSync(clipA, cut);
    truncateSync(cut, Math.floor(statSync(cut).size * 0.5));
    const c = await http.call('cases.create', { name: 'Cut recording' });
    const { evidence, jobId } = await http.call('evidence.add', { caseId: c.id, path: cut, ingest: true });
    expect(jobId).not.toBeNull();
    const end = await http.waitEvent((e) => e.jobId === jobId && e.state !== 'running');
    expect(end.state).toBe('done');

    const [ev] = await http.call('evidence.list', { caseId: c.id });
    expect(ev).toMatchObject({ id: evidence.id, state: 'indexed', index: { state: 'complete' } });
    expect(ev!.index!.frames).toBeGreaterThan(0);
    expect(ev!.index!.frames).toBeLessThan(30);
    const warnings = ev!.index!.warnings;
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings.join('\n')).toMatch(/platform-cut\.mp4: the file ends early \(cut short, or still being written\): decoding failed from \d\d:\d\d:\d\d\.\d{3}/);
    expect(warnings.join('\n')).not.toMatch(/0x[0-9a-f]{5,}/); // no ffmpeg context addresses
    // The same list the job returned (and the CLI prints), in full, on every view of the evidence.
    const job = await http.call('jobs.get', { jobId: jobId! });
    expect((job.result as { warnings: string[] }).warnings).toEqual(warnings);
    expect((await http.call('cases.open', { caseId: c.id })).evidence[0]!.index!.warnings).toEqual(warnings);
    // The clean clip of the other case has none.
    expect((await http.call('evidence.list', { caseId }))[0]!.index!.warnings).toEqual([]);

    // An exported report carries them under the evidence.
    const html = await http.call('reports.export', { caseId: c.id, format: 'html', scope: 'all' });
    const text = readFileSync(html.files[0]!.path, 'utf8');
    expect(text).toContain('Index warnings');
    for (const w of warnings) expect(text).toContain(esc(w));

    // A second video added without indexing is not searched; the search records what it read for each.
    const copy = join(root, 'cut', 'platform-copy.mp4');
    copyFileSync(clipA, copy);
    const { evidence: unindexed } = await http.call('evidence.add', { caseId: c.id, path: copy });
    const found = await http.call('search.run', { caseId: c.id, text: query, threshold: 0 });
    expect(found.notIndexed).toEqual([unindexed.id]);
    const recorded = (await http.call('cases.open', { caseId: c.id })).searches.find((x) => x.id === found.searchId)!;
    expect(recorded.evidenceSearched).toEqual([
      { evidenceId: evidence.id, index: { id: ev!.index!.indexId, samplingFps: 5, frames: ev!.index!.frames, storage: 'pca', storageDims: { kept: expect.any(Number), of: expect.any(Number) }, encoder: { precision: 'float', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }, referenceFramesOnly: false } },
      { evidenceId: unindexed.id, index: null },
    ]);
  });

  it('parses a query for live display, searches, lists and details sightings, serves frames', async () => {
    const parsed = await http.call('query.parse', { text: 'woman in a red top xyzzy' });
    expect(parsed.codes).toMatchObject({ gender: 1, torsoColour: expect.any(Number) });
    expect(parsed.slots).toHaveLength(16);
    expect(parsed.ignored.map((t) => t.text)).toContain('xyzzy');
    expect((await http.call('query.parse', { text: 'xyzzy' })).problem).toMatch(/no attribute/);

    // The Search screen's warm-up decodes the case's indexes for the active model ahead of the search.
    const warm = await http.call('search.warm', { caseId });
    expect(warm).toMatchObject({ indexes: 1, frames: 30, framesCached: 30, budgetFull: false });
    // A random-init model's confidences are arbitrary: threshold 0 makes every frame a hit.
    const r = await http.call('search.run', { caseId, text: query, threshold: 0 });
    expect(r.framesSearched).toBe(30);
    expect(r.sightings.length).toBeGreaterThan(0);
    expect(r.sightings[0]).toMatchObject({ evidenceId, rank: 1, videoFileName: clipA.split('/').pop() });
    expect(r.sightings[0]!.thumbnail).toMatch(/^data:image\/png;base64,/);
    // Exhaustive scoring reaches the exact head for every cell, and the search records it.
    const every = await http.call('search.run', { caseId, text: query, threshold: 0, exhaustive: true });
    expect(every.exactHeadCellShare).toBe(1);
    expect(r.exactHeadCellShare).toBeGreaterThan(0);
    expect(r.exactHeadCellShare).toBeLessThanOrEqual(1);
    const recorded = (await http.call('cases.open', { caseId })).searches.find((s) => s.id === every.searchId);
    expect(recorded?.thresholds.exactHeadCellShare).toBe(1);
    const bySlots = await http.call('search.run', { caseId, slots: { gender: 1, luggage: 0 }, evidenceIds: [evidenceId], threshold: 0 });
    expect(bySlots.query.codes).toEqual({ gender: 1, luggage: 0 });

    const listed = await http.call('sightings.list', { searchId: r.searchId, sort: 'time' });
    expect(listed).toHaveLength(r.sightings.length);
    for (let i = 1; i < listed.length; i++) expect(listed[i]!.startS).toBeGreaterThanOrEqual(listed[i - 1]!.startS);
    sightingId = r.sightings[0]!.id;

    const d = await http.call('sightings.get', { sightingId, padS: 0 });
    expect(d.grid).toBe(4);
    expect(d.frames.length).toBe(d.sighting.trackLength);
    expect(d.frames[0]!.confidenceMap).toHaveLength(4);
    expect(d.frames[0]!.attention).toHaveLength(16);
    expect(d.frames.every((f) => f.box !== null)).toBe(true);
    // The index keeps one thumbnail per second: the box to draw on it is the track's box in the
    // thumbnail's own frame (none when the track has no box there), and every new sighting says which frame that is.
    expect(r.sightings.every((s) => s.thumbnailS !== null)).toBe(true);
    const t = d.sighting;
    const own = d.frames.find((fr) => Math.abs(fr.timeS - t.thumbnailS!) < 1e-6);
    expect(t.thumbnailBox).toEqual(own?.box ?? null);
    if (t.thumbnailS === t.peakS) expect(t.thumbnailBox).toEqual(t.peakBox);

    const f = await http.call('frames.get', { evidenceId, timeS: d.sighting.peakS, width: 96 });
    expect(f.dataUrl).toMatch(/^data:image\/jpeg;base64,\/9j\//);
    expect(f).toMatchObject({ width: 96, height: 72, frameWidth: 192, frameHeight: 144 });
  });

  it('indexes an evidence again with another feature storage on request: the same index, rebuilt; a bad storage is refused', async () => {
    const before = (await http.call('evidence.list', { caseId }))[0]!.index!;
    expect(before).toMatchObject({ state: 'complete', exactFeaturesAdvised: false });
    const bad = await http.raw('evidence.ingest', { evidenceId, dtype: 'float8' });
    expect(bad.body.error.name).toBe('InputError');
    expect(bad.body.error.message).toMatch(/dtype/);
    const { jobId } = await http.call('evidence.ingest', { evidenceId, dtype: 'float16' });
    const end = await http.waitEvent((e) => e.jobId === jobId && e.state !== 'running');
    expect(end.state).toBe('done');
    expect((await http.call('jobs.get', { jobId })).result).toMatchObject({ indexId: before.indexId, frames: 30, outcome: 'rebuilt' });
    expect((await http.call('evidence.list', { caseId }))[0]).toMatchObject({ state: 'indexed', index: { indexId: before.indexId, state: 'complete', frames: 30 } });
    // Asking again for the same storage keeps it.
    const again = await http.call('evidence.ingest', { evidenceId, dtype: 'float16' });
    expect((await http.waitEvent((e) => e.jobId === again.jobId && e.state !== 'running')).state).toBe('done');
    expect((await http.call('jobs.get', { jobId: again.jobId })).result).toMatchObject({ outcome: 'existing' });
  });

  it('records a decision and a note, exports a PDF holding the video hash and the query', async () => {
    const d = await http.call('decisions.record', { sightingId, decision: 'confirm', note: 'same jacket' });
    expect(d).toMatchObject({ sightingId, decision: 'confirm', note: 'same jacket' });
    await http.call('notes.add', { caseId, text: 'Checked with the station manager.' });
    expect((await http.call('notes.list', { caseId })).map((n) => n.text)).toEqual(['Checked with the station manager.']);
    expect((await http.call('sightings.list', { searchId: (await http.call('cases.open', { caseId })).searches[0]!.id, decision: 'confirm' })).map((s) => s.id)).toEqual([sightingId]);

    const pdf = await http.call('reports.export', { caseId, format: 'pdf' });
    expect(pdf).toMatchObject({ format: 'pdf', scope: 'confirmed', sightings: 1, evidenceOk: true });
    const file = pdf.files[0]!;
    expect(existsSync(file.path)).toBe(true);
    expect(execFileSync('sha256sum', [file.path], { encoding: 'utf8' }).split(' ')[0]).toBe(file.sha256);
    const text = execFileSync('pdftotext', ['-layout', file.path, '-'], { encoding: 'utf8' });
    expect(text.replace(/\s+/g, '')).toContain(sha);
    expect(text).toContain(query);
    const exportEvents = http.events.filter((e) => e.jobId === pdf.jobId);
    expect(exportEvents.at(-1)?.state).toBe('done');

    const audit = await http.call('audit.verify');
    expect(audit.ok).toBe(true);
    expect(audit.headHash).toMatch(/^[0-9a-f]{64}$/);
    const opened = await http.call('cases.open', { caseId });
    expect(opened.exports.map((e) => e.sha256)).toEqual([file.sha256]);
    expect(opened.case).toMatchObject({ confirmedCount: 1, evidenceCount: 1, searchCount: 3 });
    expect((await http.call('cases.close', { caseId })).status).toBe('closed');
    expect((await http.raw('notes.add', { caseId, text: 'late' })).body.error.message).toMatch(/closed/);
  });
});
