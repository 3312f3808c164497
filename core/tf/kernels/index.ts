/**
 * Fast gradient kernels for the wasm backend, registered by core/tf/backend.ts before wasm starts.
 * The stock kernels they replace are kept so benches can compare against them.
 */
import { engine, getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { batchMatMulConfig } from './batchMatMul';
import { conv2dBackpropFilterConfig } from './conv2dBackpropFilter';
import { conv2dBackpropInputConfig } from './conv2dBackpropInput';
import { depthwiseBackpropFilterConfig, depthwiseBackpropInputConfig } from './depthwiseBackprop';
import { identityConfig } from './identity';
import { stockKernels as stock, stockWasmKernel } from './stock';
import { sumConfig } from './sum';
import { transposeConfig } from './transpose';
import { unsortedSegmentSumConfig } from './unsortedSegmentSum';

export { stockWasmKernel };

export const WASM_GRADIENT_KERNELS: readonly KernelConfig[] = [
  conv2dBackpropFilterConfig,
  conv2dBackpropInputConfig,
  depthwiseBackpropFilterConfig,
  depthwiseBackpropInputConfig,
  unsortedSegmentSumConfig,
  batchMatMulConfig,
  identityConfig,
  sumConfig,
  transposeConfig,
];

let registered = false;

export function registerWasmGradientKernels(): void {
  if (registered) return;
  for (const k of WASM_GRADIENT_KERNELS) {
    const old = getKernel(k.kernelName, 'wasm');
    stock.set(k.kernelName, old);
    if (old) unregisterKernel(k.kernelName, 'wasm');
    registerKernel(k);
  }
  registered = true;
}

/** Swap between our kernels (true) and the stock ones (false). For benches only. */
export function useFastWasmKernels(on: boolean): void {
  for (const k of WASM_GRADIENT_KERNELS) {
    unregisterKernelIfPresent(k.kernelName);
    const cfg = on ? k : stock.get(k.kernelName);
    if (!cfg) continue;
    registerKernel(cfg);
    // A stock kernel unregistered before wasm started never had its setup (cwrap) run.
    const backend = engine().findBackend('wasm');
    if (cfg.setupFunc && backend) cfg.setupFunc(backend);
  }
}

function unregisterKernelIfPresent(name: string): void {
  if (getKernel(name, 'wasm')) unregisterKernel(name, 'wasm');
}
