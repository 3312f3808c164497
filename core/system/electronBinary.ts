/**
 * Whether the Electron binary is present, without importing the `electron` package (core/ must not):
 * the package records its downloaded executable in path.txt next to package.json.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ElectronInfo } from '../api/types/system';

export function detectElectronBinary(): ElectronInfo {
  let pkgFile: string;
  try {
    pkgFile = createRequire(import.meta.url).resolve('electron/package.json');
  } catch {
    return { packageInstalled: false, binaryPresent: false };
  }
  const dir = dirname(pkgFile);
  const packageVersion = (JSON.parse(readFileSync(pkgFile, 'utf8')) as { version?: string }).version;
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return { packageInstalled: true, packageVersion, binaryPresent: false };
  const binaryPath = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return { packageInstalled: true, packageVersion, binaryPresent: existsSync(binaryPath), binaryPath };
}
