/**
 * The real retrieval test: a synthetic clip with known people is ingested, the clip's target is
 * searched for and found where the ground truth says (time IoU ≥ 0.5 with a visibility range, and
 * boxes with IoU ≥ 0.5 on at least half of the sampled frames showing the target), and a query
 * nobody in the clip matches comes back absent.
 *
 * Needs a competent model: FASTPR_TEST_MODEL=DIR. It is not run against the shipped models/default:
 * that model (see models/default/MODEL_CARD.md) localises people but barely tells them apart by
 * description. Since sightings link through weaker hits and by motion (1 Dec, core/index/README.md
 * *Sightings*) the target's checks pass with the stage-10, 11 and 12 models (2–3 Dec; stage 9's boxes
 * lay on the target in only 4 of 13 sampled frames), but the absent query still draws sightings: 2 at
 * threshold 0.20 with stages 10 and 11, 1 (peak 0.44) at 0.25 with stage 12, so running it in CI would
 * only restate the model card. Earlier models under the old linking:
 * time IoU 0.15, 0.37, 0.30, 0.37, 0.5 with box recall 15 %, 0.07, 0.22 and 0.07. Run
 * `FASTPR_TEST_MODEL=models/default npx vitest run core/index/findsPerson.spec.ts` to re-check a new
 * shipped model; make it the default again once one passes.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatSlotText } from '../attributes/codec';
import { readDataset } from '../dataset/reader';
import { createCase, openStore } from '../store/index';
import { defaultOptions } from '../synth/options';
import { synthesize } from '../synth/synthesize';
import { clipTruth, scoreSightings } from './groundTruth';
import { IndexFile } from './indexFile';
import { ingestVideo } from './ingest';
import { DEFAULT_MODEL_DIR } from './modelDirDefault';
import { searchCase } from './searchCase';
import { timeIou } from './sightings';

const modelDir = process.env.FASTPR_TEST_MODEL ? resolve(process.env.FASTPR_TEST_MODEL) : '';
const haveModel = modelDir !== '' && existsSync(join(modelDir, 'onnx.json'));
if (!haveModel) {
  console.warn(`findsPerson.spec: skipped — needs FASTPR_TEST_MODEL=DIR (a competent model; the shipped ${DEFAULT_MODEL_DIR} does not pass yet, see its MODEL_CARD.md)`);
}

const root = mkdtempSync(join(tmpdir(), 'fastpr-finds-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.skipIf(!haveModel)('video search with a trained model', () => {
  it('finds the clip’s target where it is, and reports a person who is not there as absent', async () => {
    const data = join(root, 'clip');
    await synthesize(data, defaultOptions({ seed: 11, frames: 100, width: 704, height: 576, crowd: { min: 2, max: 4 }, video: { seconds: 4, fps: 25, imageEvery: 1_000_000 } }));
    const ds = readDataset(data);
    const [sequence, rel] = Object.entries(ds.manifest.videos!)[0]!;
    const truth = clipTruth(ds, sequence)!;
    expect(truth).toBeDefined();
    const store = openStore(join(root, 'store'));
    try {
      const caseId = createCase(store, 'Finds').id;
      const ing = await ingestVideo(store, caseId, join(data, rel), modelDir);
      const found = await searchCase(store, caseId, formatSlotText(truth.query), modelDir);
      expect(found.sightings.length).toBeGreaterThan(0);
      const bestOverlap = Math.max(...found.sightings.slice(0, 3).flatMap((s) => truth.ranges.map((r) => timeIou([s.startS, s.endS], r, 0.2))));
      expect(bestOverlap).toBeGreaterThanOrEqual(0.5);
      const score = scoreSightings(found.sightings, truth, IndexFile.open(ing.index.filePath).timesS, { boxIou: 0.5 });
      expect(score.frameRecall).toBeGreaterThanOrEqual(0.5);
      if (truth.absentQuery) {
        const absent = await searchCase(store, caseId, formatSlotText(truth.absentQuery), modelDir);
        expect(absent.sightings).toEqual([]);
      }
    } finally {
      store.close();
    }
  }, 120_000);
});
