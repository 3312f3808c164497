/**
 * A separate process that ingests one video, for the kill-and-resume test:
 *   tsx ingestChild.ts DATA_DIR CASE_NAME VIDEO MODEL_DIR [SLOW_MS]
 * Prints "checkpoint FRAMES" after each durable checkpoint and "done OUTCOME FRAMES" at the end.
 * SLOW_MS > 0 blocks the thread that long per batch (so the parent can kill it part-way).
 */
import { openStore, getCaseByName } from '../../store/index';
import { ingestVideo } from '../ingest';

const [dataDir, caseName, video, modelDir, slow] = process.argv.slice(2);
const slowMs = Number(slow ?? 0);
const store = openStore(dataDir!);
const sleeper = new Int32Array(new SharedArrayBuffer(4));
let lastFrames = -1;
const r = await ingestVideo(store, getCaseByName(store, caseName!).id, video!, modelDir!, {
  fps: 5, batchSize: 2, checkpointEvery: 1, threads: 1,
  onProgress: (e) => {
    if (e.state !== 'running') return;
    if (slowMs > 0) Atomics.wait(sleeper, 0, 0, slowMs);
    // The checkpoint of this batch is saved right after the progress event; report the previous one.
    if (lastFrames >= 0) process.stdout.write(`checkpoint ${lastFrames}\n`);
    lastFrames = e.done;
  },
});
process.stdout.write(`done ${r.outcome} ${r.index.frames}\n`);
store.close();
