/**
 * system.info: the facts an analyst or support engineer needs about this workstation — versions,
 * the compute backends that will be used and why, the video tools, and where data lives.
 */
import { existsSync, readFileSync } from 'node:fs';
import { arch, availableParallelism, platform, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BinaryInfo, SystemInfo } from '../api/types/system';
import { resolveFfmpeg, resolveFfprobe, type ResolvedBinary } from '../video/ffmpegBinary';
import { detectElectronBinary } from './electronBinary';
import { describeProviders } from './ortProviders';

type StaticFacts = Omit<SystemInfo, 'dataDir'>;

/** The app's package.json, found upwards from this module (its depth differs once bundled for Electron). */
function appPackage(): { name: string; version: string } {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'fastpr-workstation') return { name: pkg.name, version: pkg.version ?? 'unknown' };
    }
    const parent = dirname(dir);
    if (parent === dir) return { name: 'fastpr-workstation', version: 'unknown' };
    dir = parent;
  }
}

function binaryInfo(b: ResolvedBinary | null): BinaryInfo {
  return b ? { found: true, path: b.path, source: b.source, version: b.version } : { found: false };
}

/** A probe that fails (e.g. a native module built for another ABI) is reported, not fatal to the call. */
export async function probe<T>(run: () => Promise<T>, fallback: (problem: string) => T): Promise<T> {
  try {
    return await run();
  } catch (err) {
    return fallback(err instanceof Error ? err.message : String(err));
  }
}

async function collect(): Promise<StaticFacts> {
  // Loaded on demand: TF.js backends and native bindings are heavy, and only this call needs them here.
  const [tfjs, onnxruntime, sqlite] = await Promise.all([
    probe(async () => (await import('../tf/backend')).describeBackendChoice(), (problem) => ({ chosen: 'none', reason: problem, candidates: [] })),
    probe(async () => {
      const ort = await import('../onnx/runtime');
      return { version: ort.onnxRuntimeVersion(), providers: describeProviders(ort.listExecutionProviders()) };
    }, (problem) => ({ version: 'unavailable', providers: [], problem })),
    probe(async () => ({ version: (await import('../store/sqlite')).sqliteVersion() }), (problem) => ({ version: 'unavailable', problem })),
  ]);
  return {
    app: appPackage(),
    tfjs,
    onnxruntime,
    ffmpeg: binaryInfo(resolveFfmpeg()),
    ffprobe: binaryInfo(resolveFfprobe()),
    sqlite,
    electron: detectElectronBinary(),
    node: { version: process.versions.node, platform: platform(), arch: arch(), cpus: availableParallelism(), totalMemoryBytes: totalmem() },
  };
}

// Probing backends and spawning ffmpeg -version takes a moment; the answers cannot change while we run.
let facts: Promise<StaticFacts> | undefined;

export async function describeSystem(dataDir: string): Promise<SystemInfo> {
  facts ??= collect().catch((err: unknown) => {
    facts = undefined;
    throw err;
  });
  return { ...(await facts), dataDir };
}
