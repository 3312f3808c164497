/**
 * Resolves the ffmpeg and ffprobe executables: ffmpeg-static where it installed (it downloads at
 * install time, so it is often absent), else the binaries shipped inside @ffmpeg-installer /
 * @ffprobe-installer, else the system's. FASTPR_FFMPEG / FASTPR_FFPROBE override for experts.
 * Only core/video/ uses this module; everything else calls core/video's functions.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export type BinarySource = 'environment' | 'ffmpeg-static' | 'bundled package' | 'system';

export interface ResolvedBinary {
  path: string;
  source: BinarySource;
  version: string;
}

function executable(path: string | null | undefined): path is string {
  if (!path) return false;
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function readVersion(path: string): string {
  try {
    const out = execFileSync(path, ['-version'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] });
    const m = /version\s+(\S+)/.exec(out);
    return m?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && executable(`${dir}/${name}`)) return `${dir}/${name}`;
  }
  return undefined;
}

function tryRequire(id: string, pick: (m: unknown) => string | undefined): string | undefined {
  try {
    return pick(require(id));
  } catch {
    return undefined;
  }
}

const cache = new Map<string, ResolvedBinary | null>();

function resolve(tool: 'ffmpeg' | 'ffprobe'): ResolvedBinary | null {
  if (cache.has(tool)) return cache.get(tool)!;
  const candidates: Array<[BinarySource, string | undefined]> = [
    ['environment', tool === 'ffmpeg' ? process.env.FASTPR_FFMPEG : process.env.FASTPR_FFPROBE],
    ['ffmpeg-static', tool === 'ffmpeg' ? tryRequire('ffmpeg-static', (m) => m as string) : undefined],
    [
      'bundled package',
      tool === 'ffmpeg'
        ? tryRequire('@ffmpeg-installer/ffmpeg', (m) => (m as { path: string }).path)
        : tryRequire('@ffprobe-installer/ffprobe', (m) => (m as { path: string }).path),
    ],
    ['system', onPath(tool)],
  ];
  let found: ResolvedBinary | null = null;
  for (const [source, path] of candidates) {
    if (executable(path)) {
      found = { path, source, version: readVersion(path) };
      break;
    }
  }
  cache.set(tool, found);
  return found;
}

export function resolveFfmpeg(): ResolvedBinary | null {
  return resolve('ffmpeg');
}

export function resolveFfprobe(): ResolvedBinary | null {
  return resolve('ffprobe');
}

/** The resolved binary or a clear error saying how to get one. */
export function requireBinary(tool: 'ffmpeg' | 'ffprobe'): ResolvedBinary {
  const found = resolve(tool);
  if (!found) {
    throw new Error(`${tool} was not found: install the optional ffmpeg-static package, reinstall @ffmpeg-installer, or put ${tool} on PATH`);
  }
  return found;
}
