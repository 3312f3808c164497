/**
 * All state (case database, indexes, user models, logs) lives under one data directory:
 * --data-dir flag > FASTPR_DATA_DIR > the platform's application-data folder.
 */
import { mkdirSync } from 'node:fs';
import { homedir, platform } from 'node:os';
import { join, resolve } from 'node:path';

export const APP_FOLDER = 'FastPR Workstation';

export function defaultDataDir(): string {
  const home = homedir();
  switch (platform()) {
    case 'win32':
      return join(process.env.APPDATA ?? join(home, 'AppData', 'Roaming'), APP_FOLDER);
    case 'darwin':
      return join(home, 'Library', 'Application Support', APP_FOLDER);
    default:
      return join(process.env.XDG_DATA_HOME ?? join(home, '.local', 'share'), 'fastpr-workstation');
  }
}

export function resolveDataDir(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = flag ?? env.FASTPR_DATA_DIR ?? defaultDataDir();
  return resolve(chosen);
}

/** Sub-folders of the data directory, created on demand. */
export function dataPaths(dataDir: string) {
  const paths = {
    root: dataDir,
    database: join(dataDir, 'workstation.sqlite'),
    indexes: join(dataDir, 'indexes'),
    models: join(dataDir, 'models'),
    logs: join(dataDir, 'logs'),
    exports: join(dataDir, 'exports'),
    jobs: join(dataDir, 'jobs'),
  };
  return paths;
}

export function ensureDataDir(dataDir: string): ReturnType<typeof dataPaths> {
  const paths = dataPaths(dataDir);
  for (const p of [paths.root, paths.indexes, paths.models, paths.logs, paths.exports, paths.jobs]) mkdirSync(p, { recursive: true });
  return paths;
}
