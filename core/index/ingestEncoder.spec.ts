/**
 * Ingest with the int8 encoder (`fastpr quantize-encoder`), on real ffmpeg, onnxruntime and SQLite:
 * a model that lists one is ingested with it by default; the index header, the case log and the
 * search record say so; a build started with the float encoder is not resumed with the int8 one
 * (it starts over and gives the straight run's bytes); a cancelled int8 build resumes byte-identical.
 */
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOnnxManifest } from '../onnx/export/manifest';
import { quantizeEncoderDir } from '../onnx/quantize/quantizeEncoder';
import { describeEvidenceSearched } from '../reports/describe';
import { listAudit, listEvidence, listIndexes, getSearch } from '../store/index';
import { synthesize } from '../synth/synthesize';
import { defaultOptions } from '../synth/options';
import { IndexFile } from './indexFile';
import { ingestVideo } from './ingest';
import { searchCase } from './searchCase';
import { FRAMES, ingestFixture } from './testing/ingestFixture';

const fx = ingestFixture('fastpr-ingest-int8-');
const { root, video, model, newStore } = fx;
const int8Model = join(root, 'model-int8');
afterAll(fx.cleanUp);
beforeAll(async () => {
  await fx.setUp();
  cpSync(model, int8Model, { recursive: true });
  const data = join(root, 'calibration');
  await synthesize(data, { ...defaultOptions({ seed: 43 }), frames: 30, width: 96, height: 80 });
  await quantizeEncoderDir(int8Model, { dataDir: data, images: 8 });
}, 120_000);

describe('ingest with the int8 encoder', () => {
  it('is the default when the model lists one, and the header, case log and search record name it', async () => {
    const { store, caseId } = newStore('default');
    try {
      const r = await ingestVideo(store, caseId, video, int8Model, { batchSize: 4 });
      const sha = readOnnxManifest(int8Model).encoderInt8!.sha256;
      expect(IndexFile.open(r.index.filePath).header).toMatchObject({ encoderPrecision: 'int8', encoderSha256: sha, modelHash: r.index.modelHash });
      const started = listAudit(store.db).filter((e) => e.action === 'index.started').pop()!;
      expect(started.payload).toMatchObject({ encoder: { precision: 'int8', sha256: sha } });
      const found = await searchCase(store, caseId, 'woman in a red top', int8Model, { threshold: 0 });
      const searched = getSearch(store, found.searchId).evidenceSearched!;
      expect(searched[0]!.index!.encoder).toEqual({ precision: 'int8', sha256: sha });
      expect(describeEvidenceSearched(searched, () => 'cam1.mp4')[0]).toMatch(new RegExp(`int8 encoder \\(sha256 ${sha.slice(0, 12)}…\\)`));
      // The clip has B-frames and is sampled at 5/s from 25: they were not decoded, and the report says so.
      expect(searched[0]!.index!.referenceFramesOnly).toBe(true);
      expect(describeEvidenceSearched(searched, () => 'cam1.mp4')[0]).toMatch(/40 frames at 5 frames\/s \(non-reference frames not decoded\), compressed features/);
      // --encoder float on another store: the float encoder's hash, and different features.
      const other = newStore('float');
      try {
        const f = await ingestVideo(other.store, other.caseId, video, int8Model, { batchSize: 4, encoder: 'float' });
        const h = IndexFile.open(f.index.filePath).header;
        expect(h).toMatchObject({ encoderPrecision: 'float', encoderSha256: readOnnxManifest(int8Model).encoder.sha256 });
        expect(readFileSync(f.index.filePath).equals(readFileSync(r.index.filePath))).toBe(false);
      } finally {
        other.store.close();
      }
    } finally {
      store.close();
    }
  }, 60_000);

  it('does not resume a float-encoder build with the int8 encoder; a cancelled int8 build resumes byte-identical', async () => {
    const { store, caseId } = newStore('switch');
    const straight = newStore('straight');
    const cancelAt6 = () => {
      const ac = new AbortController();
      return { signal: ac.signal, onProgress: (e: { state: string; done: number }) => { if (e.state === 'running' && e.done >= 6) ac.abort(); } };
    };
    const resumed = newStore('resumed');
    try {
      await ingestVideo(store, caseId, video, int8Model, { batchSize: 2, checkpointEvery: 1, encoder: 'float', ...cancelAt6() }).catch(() => undefined);
      const evidenceId = listEvidence(store, caseId)[0]!.id;
      expect((listIndexes(store, evidenceId)[0]!.checkpoint as { pixels: string }).pixels).toBe('ffmpeg-yuv+noref');
      const r = await ingestVideo(store, caseId, video, int8Model, { batchSize: 2, checkpointEvery: 1 });
      expect(r.outcome).toBe('built');
      expect(r.build!.framesThisRun).toBe(FRAMES);
      const ref = await ingestVideo(straight.store, straight.caseId, video, int8Model, { batchSize: 2, checkpointEvery: 1 });
      expect(readFileSync(r.index.filePath).equals(readFileSync(ref.index.filePath))).toBe(true);
      // The case log: started with the float encoder, restarted from frame 0 with the int8 one.
      const manifest = readOnnxManifest(int8Model);
      const log = listAudit(store.db).filter((e) => e.action.startsWith('index.'));
      expect(log.map((e) => e.action)).toEqual(['index.started', 'index.stopped', 'index.restarted', 'index.built']);
      expect(log[0]!.payload).toMatchObject({ encoder: { precision: 'float', sha256: manifest.encoder.sha256 } });
      expect(log[1]!.payload).toMatchObject({ reason: 'cancelled' });
      expect(log[2]!.payload).toMatchObject({ fromFrame: 0, encoder: { precision: 'int8', sha256: manifest.encoderInt8!.sha256 } });
      // Cancelled part-way with the int8 encoder: the checkpoint is tagged with it and resumes.
      await ingestVideo(resumed.store, resumed.caseId, video, int8Model, { batchSize: 2, checkpointEvery: 1, ...cancelAt6() }).catch(() => undefined);
      const cp = listIndexes(resumed.store, listEvidence(resumed.store, resumed.caseId)[0]!.id)[0]!.checkpoint as { pixels: string; frames: number };
      expect(cp.pixels).toMatch(/^ffmpeg-yuv\+noref\+int8:[0-9a-f]{16}$/);
      const again = await ingestVideo(resumed.store, resumed.caseId, video, int8Model, { batchSize: 2, checkpointEvery: 1 });
      expect(again.outcome).toBe('resumed');
      expect(listAudit(resumed.store.db).filter((e) => e.action === 'index.resumed').map((e) => e.payload)).toEqual([
        expect.objectContaining({ fromFrame: cp.frames, encoder: { precision: 'int8', sha256: readOnnxManifest(int8Model).encoderInt8!.sha256 } }),
      ]);
      expect(again.build!.framesThisRun).toBe(FRAMES - cp.frames);
      expect(readFileSync(again.index.filePath).equals(readFileSync(ref.index.filePath))).toBe(true);
    } finally {
      store.close();
      straight.store.close();
      resumed.store.close();
    }
  }, 90_000);
});
