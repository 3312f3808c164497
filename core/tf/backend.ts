/**
 * The TF.js backend ladder: tfjs-node-gpu → tfjs-node → wasm (with our fast gradient kernels) → cpu.
 * The ONLY module that imports @tensorflow/tfjs-node*, -backend-wasm and -backend-cpu.
 *
 * tfjs-node(-gpu) are optionalDependencies whose install script downloads libtensorflow, so offline
 * they are normally absent; they are probed with a guarded dynamic import and the reason is reported.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { FastprError } from '../errors';
import { registerWasmGradientKernels } from './kernels/index';

/** The backend cannot be used for what was asked (missing, failed to load, or cpu training refused). */
export class BackendError extends FastprError { override name = 'BackendError'; }

export type LadderName = 'tfjs-node-gpu' | 'tfjs-node' | 'wasm' | 'cpu';
export const LADDER: readonly LadderName[] = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'];

export interface BackendCandidate { name: string; available: boolean; reason: string }
export interface BackendChoice { chosen: string; reason: string; candidates: BackendCandidate[] }
export interface InitBackendOptions {
  /** A ladder name (or alias: gpu, node, tensorflow). Default: env FASTPR_BACKEND, else the ladder. */
  prefer?: string;
  /** wasm only: XNNPACK thread count. Must be decided before wasm first initialises. */
  threads?: number;
  purpose?: 'train' | 'infer';
  /** Allow training on the pure-JS cpu backend (also env FASTPR_ALLOW_CPU_TRAINING=1). */
  allowCpuTraining?: boolean;
}
export interface InitializedBackend { name: string; reason: string }

const require = createRequire(import.meta.url);

/** TF.js backend name registered by each ladder rung. */
const TF_NAME: Record<LadderName, string> = {
  'tfjs-node-gpu': 'tensorflow', 'tfjs-node': 'tensorflow', wasm: 'wasm', cpu: 'cpu',
};

const ALIASES: Record<string, LadderName[]> = {
  'tfjs-node-gpu': ['tfjs-node-gpu'], gpu: ['tfjs-node-gpu'], 'node-gpu': ['tfjs-node-gpu'],
  'tfjs-node': ['tfjs-node'], node: ['tfjs-node'],
  tensorflow: ['tfjs-node-gpu', 'tfjs-node'],
  wasm: ['wasm'], cpu: ['cpu'],
};

// ---------------------------------------------------------------------------------------------
// Gradients: tfjs-core's Node bundle does not register gradient functions and its ESM
// `dist/register_all_gradients` cannot be loaded by Node (extensionless imports). The
// @tensorflow/tfjs Node bundle registers the very same configs into tfjs-core's global registry.
let gradientsRegistered = false;
export function ensureGradientsRegistered(): void {
  if (gradientsRegistered) return;
  if (!tf.getGradient('Conv2D')) require('@tensorflow/tfjs');
  if (!tf.getGradient('Conv2D')) throw new BackendError('TF.js gradient functions could not be registered');
  gradientsRegistered = true;
}

// ---------------------------------------------------------------------------------------------
// Probing (cheap; cached). Importing a backend package only registers its factory.

type WasmModule = typeof import('@tensorflow/tfjs-backend-wasm');
let wasmModule: WasmModule | undefined;
let cpuLoaded = false;
let nodeLoaded: LadderName | undefined;
const probeCache = new Map<LadderName, BackendCandidate>();

function describeImportError(pkg: string, err: unknown): string {
  const e = err as { code?: string; message?: string };
  if (e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') {
    return `${pkg} is not installed (optional dependency; its install script downloads libtensorflow, ` +
      'which needs network access)';
  }
  return `${pkg} is installed but failed to load: ${(e?.message ?? String(err)).split('\n')[0]}`;
}

async function probeNode(name: 'tfjs-node-gpu' | 'tfjs-node'): Promise<BackendCandidate> {
  const pkg = `@tensorflow/${name}`;
  if (nodeLoaded && nodeLoaded !== name) {
    // Both packages register the 'tensorflow' backend; loading the second would clash.
    return { name, available: false, reason: `not probed: ${nodeLoaded} already provides the tensorflow backend` };
  }
  try {
    require.resolve(pkg);
  } catch (err) {
    return { name, available: false, reason: describeImportError(pkg, err) };
  }
  try {
    const spec: string = pkg; // a variable specifier: the package may legitimately be absent at type-check time
    await import(spec);
    nodeLoaded = name;
    if (!tf.findBackendFactory('tensorflow')) throw new Error('it did not register the tensorflow backend');
    return {
      name, available: true,
      reason: name === 'tfjs-node-gpu'
        ? 'libtensorflow (GPU build) loaded; uses a CUDA GPU when one is visible'
        : 'libtensorflow (CPU build) loaded; native multi-threaded kernels',
    };
  } catch (err) {
    return { name, available: false, reason: describeImportError(pkg, err) };
  }
}

/** Folder holding the wasm binaries (the package's dist folder), with a trailing separator. */
export function wasmBinaryFolder(): string {
  return dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + sep;
}

async function loadWasm(): Promise<WasmModule> {
  if (!wasmModule) {
    const mod = await import('@tensorflow/tfjs-backend-wasm');
    // CJS interop: named exports may sit on .default depending on the loader.
    wasmModule = ((mod as { setWasmPaths?: unknown }).setWasmPaths ? mod : (mod as { default: WasmModule }).default) as WasmModule;
  }
  return wasmModule;
}

async function probeWasm(): Promise<BackendCandidate> {
  const name = 'wasm';
  if (typeof WebAssembly !== 'object') return { name, available: false, reason: 'WebAssembly is not available' };
  try {
    await loadWasm();
    const folder = wasmBinaryFolder();
    const missing = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm'].filter((f) => !existsSync(join(folder, f)));
    if (missing.length) return { name, available: false, reason: `wasm binaries missing in ${folder}: ${missing.join(', ')}` };
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    return {
      name, available: true,
      reason: `XNNPACK ${simd ? 'SIMD' : 'non-SIMD'} build from ${folder}; our fast gradient kernels are registered at init`,
    };
  } catch (err) {
    return { name, available: false, reason: describeImportError('@tensorflow/tfjs-backend-wasm', err) };
  }
}

async function probeCpu(): Promise<BackendCandidate> {
  try {
    if (!cpuLoaded) { await import('@tensorflow/tfjs-backend-cpu'); cpuLoaded = true; }
    return { name: 'cpu', available: true, reason: 'pure JavaScript kernels (slow; training refused unless forced)' };
  } catch (err) {
    return { name: 'cpu', available: false, reason: describeImportError('@tensorflow/tfjs-backend-cpu', err) };
  }
}

async function probe(name: LadderName): Promise<BackendCandidate> {
  const cached = probeCache.get(name);
  if (cached && (cached.available || !cached.reason.startsWith('not probed'))) return cached;
  const c = name === 'wasm' ? await probeWasm() : name === 'cpu' ? await probeCpu() : await probeNode(name);
  probeCache.set(name, c);
  return c;
}

function cpuTrainingAllowed(opts: InitBackendOptions): boolean {
  return opts.allowCpuTraining === true || process.env.FASTPR_ALLOW_CPU_TRAINING === '1';
}

function resolvePrefer(prefer: string | undefined): LadderName[] | undefined {
  const p = (prefer ?? process.env.FASTPR_BACKEND ?? '').trim().toLowerCase();
  if (!p || p === 'auto') return undefined;
  const names = ALIASES[p];
  if (!names) throw new BackendError(`unknown backend "${prefer}": use one of ${LADDER.join(', ')} (or auto)`);
  return names;
}

const CPU_TRAINING_REFUSED =
  'training on the pure-JavaScript cpu backend is refused: it is hundreds of times slower than wasm ' +
  '(a 0.18-GMAC CNN step at batch 8 took ~228 s against ~0.5 s). Use the wasm or tfjs-node backend, ' +
  'or force it with allowCpuTraining / FASTPR_ALLOW_CPU_TRAINING=1';

/**
 * Which backend initBackend would pick, and why every rung is or is not available. Loads packages
 * (cheap) but initialises no backend, so the wasm thread count can still be chosen afterwards.
 */
export async function describeBackendChoice(opts: InitBackendOptions = {}): Promise<BackendChoice> {
  const wanted = resolvePrefer(opts.prefer);
  const candidates: BackendCandidate[] = [];
  for (const name of LADDER) candidates.push(await probe(name));
  const pool = candidates.filter((c) => c.available && (!wanted || wanted.includes(c.name as LadderName)));
  const first = pool[0];
  if (!first) {
    const why = candidates.filter((c) => !wanted || wanted.includes(c.name as LadderName)).map((c) => `${c.name}: ${c.reason}`);
    return { chosen: 'none', reason: `no usable backend${wanted ? ` among ${wanted.join(', ')}` : ''} (${why.join('; ')})`, candidates };
  }
  let reason = wanted ? `requested (${opts.prefer ?? process.env.FASTPR_BACKEND}): ${first.reason}` : `first available on the ladder: ${first.reason}`;
  if (first.name === 'cpu' && opts.purpose === 'train' && !cpuTrainingAllowed(opts)) {
    return { chosen: 'none', reason: CPU_TRAINING_REFUSED, candidates };
  }
  if (first.name === 'cpu' && opts.purpose === 'train') reason += '; cpu training forced';
  return { chosen: first.name, reason, candidates };
}

// ---------------------------------------------------------------------------------------------
// Initialisation

/** The active backend's name WITHOUT tf.getBackend()'s side effect of initialising the best one. */
function activeBackendName(): string | null {
  return (tf.engine() as unknown as { backendName: string | null }).backendName ?? null;
}

let current: (InitializedBackend & { ladder: LadderName }) | undefined;
let wasmInitialised = false;

/** Threads the wasm backend runs XNNPACK with (1 unless a threaded build could start). */
export function wasmThreadsCount(): number | undefined {
  if (!wasmInitialised || !wasmModule) return undefined;
  return wasmModule.getThreadsCount();
}

async function setupWasm(threads: number | undefined): Promise<string> {
  const wasm = await loadWasm();
  let note = '';
  if (!wasmInitialised) {
    wasm.setWasmPaths(wasmBinaryFolder());
    const want = Math.max(1, Math.floor(threads ?? Number(process.env.FASTPR_WASM_THREADS ?? 1)));
    // The threaded-SIMD build needs pthreads via Web Workers; tfjs disables it under Node
    // (WASM_HAS_MULTITHREAD_SUPPORT=false, tfjs issue #3830), so Node runs the SIMD build on one thread.
    wasm.setThreadsCount(want);
    registerWasmGradientKernels();
    if (!(await tf.setBackend('wasm'))) throw new BackendError('the wasm backend failed to initialise');
    wasmInitialised = true;
    const got = wasm.getThreadsCount();
    if (got < want) note = `; ${want} threads requested, ${got} available (threaded wasm build unsupported under Node)`;
  } else if (threads !== undefined && threads !== wasm.getThreadsCount()) {
    note = `; thread count fixed at ${wasm.getThreadsCount()} (wasm already initialised)`;
  }
  if (activeBackendName() !== 'wasm' && !(await tf.setBackend('wasm'))) throw new BackendError('the wasm backend failed to initialise');
  return `${note}; ${wasm.getThreadsCount()} thread(s)`;
}

/**
 * Chooses, initialises and activates a backend (tf.setBackend) and registers gradients.
 * Throws BackendError when the requested backend is unavailable or cpu training is refused.
 */
export async function initBackend(opts: InitBackendOptions = {}): Promise<InitializedBackend> {
  ensureGradientsRegistered();
  const choice = await describeBackendChoice(opts);
  if (choice.chosen === 'none') throw new BackendError(choice.reason);
  const ladder = choice.chosen as LadderName;
  let reason = choice.reason;
  if (ladder === 'wasm') {
    reason += await setupWasm(opts.threads);
  } else {
    const tfName = TF_NAME[ladder];
    if (activeBackendName() !== tfName && !(await tf.setBackend(tfName))) {
      throw new BackendError(`backend ${ladder} (${tfName}) failed to initialise`);
    }
  }
  await tf.ready();
  current = { name: ladder, reason, ladder };
  return { name: ladder, reason };
}

/**
 * A backend to train on: the active one unless there is none or it is the pure-JS cpu backend that
 * something initialised for inference (e.g. an ONNX export); then the ladder's choice for training.
 */
export async function ensureTrainingBackend(): Promise<InitializedBackend> {
  return current && current.name !== 'cpu' ? currentBackend()! : await initBackend({ purpose: 'train' });
}

/** The backend chosen by the last initBackend, if any. */
export function currentBackend(): InitializedBackend | undefined {
  return current ? { name: current.name, reason: current.reason } : undefined;
}

/**
 * For tests and benches: make sure a specific backend is registered and initialised without
 * changing the active one (e.g. to compare wasm with cpu in one process).
 */
export async function loadBackendForComparison(name: 'wasm' | 'cpu', threads?: number): Promise<void> {
  ensureGradientsRegistered();
  const active = activeBackendName();
  if (name === 'wasm') await setupWasm(threads);
  else { await probeCpu(); await tf.setBackend('cpu'); }
  if (active && active !== activeBackendName()) await tf.setBackend(active);
}
