#!/usr/bin/env node
// Bundles the Electron main process and preload with esbuild into dist-electron/ (CommonJS).
// Native and optional packages stay external: they are loaded from node_modules at run time.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist-electron');

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  sourcemap: 'linked',
  logLevel: 'warning',
  absWorkingDir: root,
};

// core/ is ESM and uses import.meta.url (createRequire, package lookups); give the CJS bundle a real one.
const importMetaUrl = {
  banner: { js: "const __import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': '__import_meta_url' },
};

const nativeExternals = [
  'electron',
  'better-sqlite3',
  'onnxruntime-node',
  '@napi-rs/canvas',
  '@tensorflow/*',
  'ffmpeg-static',
  '@ffmpeg-installer/*',
  '@ffprobe-installer/*',
];

await Promise.all([
  build({
    ...common,
    ...importMetaUrl,
    entryPoints: { main: 'electron/main/index.ts' },
    outdir,
    outExtension: { '.js': '.cjs' },
    external: nativeExternals,
  }),
  // Long jobs (ingest, training, export) run in a forked child (core/jobs): ship it pre-bundled so a
  // packaged app needs no TypeScript loader. ESM, with a real require for the native packages.
  // trainReplica: a data-parallel training replica's worker thread (core/train/parallel), found
  // beside jobWorker.mjs.
  build({
    ...common,
    format: 'esm',
    entryPoints: { jobWorker: 'core/jobs/worker.ts', trainReplica: 'core/train/parallel/replicaWorker.ts' },
    outdir,
    outExtension: { '.js': '.mjs' },
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    external: nativeExternals,
  }),
  // A sandboxed preload can require only 'electron' (and a few polyfilled builtins): bundle everything else.
  build({
    ...common,
    platform: 'browser',
    target: 'chrome130',
    entryPoints: { preload: 'electron/preload/index.ts' },
    outdir,
    outExtension: { '.js': '.cjs' },
    external: ['electron'],
    minify: true,
  }),
]);
console.log(`electron bundles written to ${outdir}`);
