/**
 * Where the demo case's suggested person comes in its search: the demo clip is rendered exactly as
 * the workstation renders it at first start (core/demo, fixed seed), ingested at the demo's 5 frames/s
 * with the model, and the note's suggested description is searched as the Search screen does
 * (free text through the query parser, the case search as shipped). Prints the ranked sightings and
 * which of them are the described person's (at least half their boxes at IoU ≥ 0.5 on the person,
 * as bench:sightings counts them), so a new model's first impression is measured, not remembered.
 *
 *   npm run probe:demo [-- --model DIR] [-- --threshold T]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { thresholdFlag } from '../core/cli/flags';
import { readDataset } from '../core/dataset/reader';
import { DEMO_SAMPLING_FPS, demoClipOptions, suggestedQuery } from '../core/demo/demoCase';
import { clipTruth, framesOnTarget } from '../core/index/groundTruth';
import { ingestVideo } from '../core/index/ingest';
import { resolveModelDir } from '../core/index/modelDirDefault';
import { searchCase } from '../core/index/searchCase';
import { timeIou } from '../core/index/sightings';
import { createCase, openStore } from '../core/store/index';
import { synthesize } from '../core/synth/synthesize';

const { values } = parseArgs({ options: { model: { type: 'string' }, threshold: { type: 'string' } } });
const modelDir = resolveModelDir(values.model);
const threshold = thresholdFlag(values.threshold, 'threshold');

const root = mkdtempSync(join(tmpdir(), 'fastpr-probe-demo-'));
try {
  const clipDir = join(root, 'clip');
  await synthesize(clipDir, demoClipOptions());
  const ds = readDataset(clipDir);
  const [sequence, rel] = Object.entries(ds.manifest.videos!)[0]!;
  const truth = clipTruth(ds, sequence);
  const text = suggestedQuery(clipDir);
  if (!truth || !text) throw new Error(`the demo clip in ${clipDir} has no target query`);
  // The note suggests the first query of the clip; the ground truth follows the clip's most frequent one.
  if (truth.queryText !== text) throw new Error(`the demo's suggestion is not the clip's main target query:\n  "${text}"\n  "${truth.queryText}"`);

  const store = openStore(join(root, 'store'));
  try {
    const caseId = createCase(store, 'Demo probe').id;
    await ingestVideo(store, caseId, join(clipDir, rel), modelDir, { fps: DEMO_SAMPLING_FPS });
    const result = await searchCase(store, caseId, text, modelDir, threshold === undefined ? {} : { threshold });
    const ranges = truth.ranges.map(([a, b]) => `${a.toFixed(1)}–${b.toFixed(1)} s`).join(', ');
    console.log(`## Demo clip (seed ${demoClipOptions().seed}), model ${modelDir}${threshold === undefined ? '' : `, threshold ${threshold}`}\n`);
    console.log(`Suggested description: "${text}"; the person is on screen ${ranges}.\n`);
    console.log('| rank | time | peak | support | boxes on the person | time IoU with the person | theirs |');
    console.log('|---:|---|---:|---:|---:|---:|---|');
    let firstTheirs = 0;
    result.sightings.forEach((s, i) => {
      const onTarget = framesOnTarget(truth, s);
      const theirs = onTarget >= s.track.length / 2;
      if (theirs && !firstTheirs) firstTheirs = i + 1;
      const tIou = Math.max(...truth.ranges.map((r) => timeIou([s.startS, s.endS], r, 0.2)));
      console.log(`| ${i + 1} | ${s.startS.toFixed(1)}–${s.endS.toFixed(1)} s | ${s.score.toFixed(3)} | ${s.support.toFixed(3)} | ${onTarget}/${s.track.length} | ${tIou.toFixed(2)} | ${theirs ? 'yes' : ''} |`);
    });
    console.log(`\nThe described person's first sighting: ${firstTheirs ? `rank ${firstTheirs} of ${result.sightings.length}` : `none of ${result.sightings.length}`}.`);
  } finally {
    store.close();
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
