/**
 * Old code against new in one process, for `bench:train --baseline REV` and `bench:kernels --baseline REV`:
 * `core/` of a git revision is extracted (git archive) into .cache/bench-baseline/<hash> — inside the
 * tree, so its imports resolve to the same node_modules and tfjs-core instance — and its wasm
 * kernels, Adam and trainStep are imported next to the working tree's.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { engine, getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { stockWasmKernel } from '../core/tf/kernels/index';
import type { Adam } from '../core/train/adam';
import type { trainStep } from '../core/train/step';

export interface Baseline {
  hash: string;
  kernels: readonly KernelConfig[];
  Adam: typeof Adam;
  trainStep: typeof trainStep;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export async function loadBaseline(rev: string): Promise<Baseline> {
  const hash = execFileSync('git', ['rev-parse', '--short', rev], { cwd: ROOT, encoding: 'utf8' }).trim();
  const dir = join(ROOT, '.cache', 'bench-baseline', hash);
  if (!existsSync(join(dir, 'core'))) {
    mkdirSync(dir, { recursive: true });
    const tar = execFileSync('git', ['archive', hash, 'core'], { cwd: ROOT, maxBuffer: 1 << 30 });
    execFileSync('tar', ['-x', '-C', dir], { input: tar });
  }
  const url = (p: string) => pathToFileURL(join(dir, p)).href;
  const k = (await import(url('core/tf/kernels/index.ts'))) as { WASM_GRADIENT_KERNELS: readonly KernelConfig[] };
  // Revisions whose kernels fall back to the stock wasm kernels keep those in their own copy of
  // stock.ts, filled when that revision's backend starts — which never happens here: hand it the
  // stock kernels this process saved (else e.g. REV's Sum finds none and throws).
  if (existsSync(join(dir, 'core/tf/kernels/stock.ts'))) {
    const theirs = (await import(url('core/tf/kernels/stock.ts'))) as { stockKernels?: Map<string, KernelConfig | undefined> };
    for (const cfg of k.WASM_GRADIENT_KERNELS) if (!theirs.stockKernels?.has(cfg.kernelName)) theirs.stockKernels?.set(cfg.kernelName, stockWasmKernel(cfg.kernelName));
  }
  const a = (await import(url('core/train/adam.ts'))) as { Adam: typeof Adam };
  const st = (await import(url('core/train/step.ts'))) as { trainStep: typeof trainStep };
  return { hash, kernels: k.WASM_GRADIENT_KERNELS, Adam: a.Adam, trainStep: st.trainStep };
}

/** Registers `kernels` for wasm; every name in `all` that `kernels` lacks gets the stock wasm kernel back. */
export function useKernels(kernels: readonly KernelConfig[], all: ReadonlySet<string>): void {
  const backend = engine().findBackend('wasm');
  for (const name of all) {
    const cfg = kernels.find((k) => k.kernelName === name) ?? stockWasmKernel(name);
    if (getKernel(name, 'wasm')) unregisterKernel(name, 'wasm');
    if (!cfg) continue;
    registerKernel(cfg);
    if (cfg.setupFunc && backend) cfg.setupFunc(backend);
  }
}
