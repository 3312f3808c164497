/** The wasm backend's own kernels that ours replaced (undefined when wasm had none), filled by index.ts. */
import type { KernelConfig } from '@tensorflow/tfjs-core';

export const stockKernels = new Map<string, KernelConfig | undefined>();

/** The wasm backend's own kernel that ours replaced (undefined when wasm had none). */
export function stockWasmKernel(kernelName: string): KernelConfig | undefined {
  return stockKernels.get(kernelName);
}
