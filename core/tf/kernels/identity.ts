/**
 * Identity for wasm without a copy. The stock wasm kernel copies the data; the engine calls Identity
 * (tensor.clone) for every tensor it saves for the backward pass (~200 calls, ~25 CPU-ms per compact
 * training step). Tensors are immutable and the wasm backend counts references per data id (its
 * Reshape shares data the same way), so the output shares the input's data, as the cpu backend's
 * Identity does.
 */
import { Identity, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelArgs, WasmBackend } from './wasmOps';

export function identityWasm({ inputs, backend }: KernelArgs): TensorInfo {
  const { x } = inputs as { x: TensorInfo };
  (backend as WasmBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export const identityConfig: KernelConfig = {
  kernelName: Identity,
  backendName: 'wasm',
  kernelFunc: identityWasm as unknown as KernelConfig['kernelFunc'],
};
