import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService } from '../api/service';
import { makeRandomOnnxModel } from '../index/testing/randomModel';
import { DEMO_CASE_NAME } from '../api/views';
import { demoDir } from './demoCase';

const root = mkdtempSync(join(tmpdir(), 'fastpr-demo-'));
beforeAll(() => { process.env.FASTPR_SHIPPED_MODEL_DIR = join(root, 'no-shipped-model'); });
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('embedded demo case', () => {
  it('is created at first start without a model (clip imported, not ingested) and only once', async () => {
    const dataDir = join(root, 'no-model');
    const s1 = createService({ dataDir, demo: true });
    await s1.ready;
    const cases = await s1.call('cases.list');
    expect(cases).toHaveLength(1);
    expect(cases[0]).toMatchObject({ name: DEMO_CASE_NAME, demo: true, evidenceCount: 1 });
    const opened = await s1.call('cases.open', { caseId: cases[0]!.id });
    expect(opened.evidence[0]).toMatchObject({ width: 352, height: 288, state: 'imported', jobId: null, cameraLabel: 'Demo camera (synthetic)' });
    expect(opened.evidence[0]!.durationS).toBeCloseTo(12, 0);
    expect(opened.notes[0]!.text).toMatch(/Try searching for: "/);
    expect((await s1.call('models.active')).message).toMatch(/not trained yet/i);
    await s1.close();

    const s2 = createService({ dataDir, demo: true });
    await s2.ready;
    expect(await s2.call('cases.list')).toHaveLength(1);
    await s2.close();
  }, 60_000);

  it('with a model, ingests the demo clip so a search can run right away', async () => {
    const dataDir = join(root, 'with-model');
    await makeRandomOnnxModel(join(dataDir, 'models', 'tiny-random'), 'tiny');
    // The clip the first test rendered is reused (same seed and options), as after a killed first start.
    cpSync(demoDir(join(root, 'no-model')), demoDir(dataDir), { recursive: true });
    const s = createService({ dataDir, demo: true });
    try {
      await s.ready;
      const [demo] = await s.call('cases.list');
      const [ev] = await s.call('evidence.list', { caseId: demo!.id });
      expect(ev!.jobId).not.toBeNull();
      const jobs = await s.call('jobs.list', { caseId: demo!.id });
      expect(jobs.map((j) => j.kind)).toEqual(['ingest']);
      const ingest = jobs.find((j) => j.kind === 'ingest')!;
      const end = await new Promise<string>((resolve) => {
        const check = async () => { const j = await s.call('jobs.get', { jobId: ingest.id }); if (j.state !== 'running' && j.state !== 'queued') resolve(j.state); else setTimeout(check, 250); };
        void check();
      });
      expect(end).toBe('done');
      const r = await s.call('search.run', { caseId: demo!.id, text: 'man with a backpack', threshold: 0 });
      expect(r.framesSearched).toBe(60);
      expect(r.sightings.length).toBeGreaterThan(0);
    } finally {
      await s.close();
    }
  }, 90_000);
});
