/** system.health: cheap liveness — answers fast, touches only the data directory. */
import { accessSync, constants } from 'node:fs';
import type { SystemHealth } from '../api/types/system';

export function describeHealth(dataDir: string, startedAt: number): SystemHealth {
  let problem: string | undefined;
  try {
    accessSync(dataDir, constants.W_OK);
  } catch (err) {
    problem = `data directory ${dataDir} is not writable: ${(err as Error).message}`;
  }
  return {
    ok: problem === undefined,
    uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
    dataDir,
    dataDirWritable: problem === undefined,
    ...(problem ? { problem } : {}),
  };
}
