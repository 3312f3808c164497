/**
 * The only module that imports onnxruntime-node: execution providers, sessions, tensors.
 */
import * as ort from 'onnxruntime-node';

export interface ExecutionProviderInfo {
  name: string;
  /** Shipped inside the npm package (cpu) or installed separately (cuda, tensorrt). */
  bundled: boolean;
}

export function listExecutionProviders(): ExecutionProviderInfo[] {
  const list = (ort as unknown as { listSupportedBackends?: () => ExecutionProviderInfo[] }).listSupportedBackends?.();
  return list ? list.map((b) => ({ name: b.name, bundled: b.bundled })) : [{ name: 'cpu', bundled: true }];
}

export function onnxRuntimeVersion(): string {
  return (ort.env as { versions?: { node?: string } }).versions?.node ?? 'unknown';
}
