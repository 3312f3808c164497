/**
 * The whole workstation service in its own process, ingesting one clip, for faultsJobs.test.ts
 * (SIGKILLed with its job worker as a process group):  node --import tsx serviceIngest.ts DATA_DIR CLIP
 * Prints "progress JOB_ID FRAMES" for each progress event of the ingest.
 */
import { writeSync } from 'node:fs';
import { createService } from '../../../core/api/service';

const [dataDir, clip] = process.argv.slice(2);
const service = createService({ dataDir: dataDir! });
service.onProgress((e) => {
  if (e.kind === 'ingest' && e.state === 'running') writeSync(1, `progress ${e.jobId} ${e.done}\n`);
});
const c = await service.call('cases.create', { name: 'Service killed' });
await service.call('evidence.add', { caseId: c.id, path: clip!, ingest: true });
