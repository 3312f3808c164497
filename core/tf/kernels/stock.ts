/** The wasm backend's own kernels that ours replaced (undefined when wasm had none), filled by index.ts. */
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';

export const stockKernels = new Map<string, KernelConfig | undefined>();

/** The wasm backend's own kernel that ours replaced (undefined when wasm had none). */
export function stockWasmKernel(kernelName: string): KernelConfig | undefined {
  return stockKernels.get(kernelName);
}

/** The stock kernel a kernel of ours hands other cases to; an error if wasm had none. */
export function requireStockKernel(kernelName: string): KernelConfig {
  const k = stockKernels.get(kernelName);
  if (!k) throw new Error(`wasm ${kernelName}: the stock kernel is missing`);
  return k;
}

/**
 * The config of a kernel of ours that hands some cases to the stock kernel it replaces. The stock
 * kernel is unregistered before wasm starts, so its setup (cwrap) runs from here.
 */
export function delegatingKernelConfig(kernelName: string, kernelFunc: (args: never) => unknown): KernelConfig {
  return {
    kernelName,
    backendName: 'wasm',
    setupFunc: ((backend: unknown) => requireStockKernel(kernelName).setupFunc?.(backend as never)) as KernelConfig['setupFunc'],
    kernelFunc: kernelFunc as unknown as KernelFunc,
  };
}
