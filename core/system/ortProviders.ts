/**
 * onnxruntime execution providers as the About panel shows them: the binding lists every provider
 * it was built for, but add-on providers (cuda, tensorrt) also need their shared library next to
 * the binding, which the offline install skips. Only a file-existence check here — the package
 * itself is imported by core/onnx/runtime.ts alone.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { OrtProviderInfo } from '../api/types/system';

/** Folder of onnxruntime_binding.node, where add-on provider libraries are installed. */
export function ortBindingDirectory(): string | undefined {
  try {
    const pkg = createRequire(import.meta.url).resolve('onnxruntime-node/package.json');
    return join(dirname(pkg), 'bin', 'napi-v6', process.platform, process.arch);
  } catch {
    return undefined;
  }
}

export function providerLibraryName(name: string, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return `onnxruntime_providers_${name}.dll`;
  if (platform === 'darwin') return `libonnxruntime_providers_${name}.dylib`;
  return `libonnxruntime_providers_${name}.so`;
}

export function describeProviders(listed: ReadonlyArray<{ name: string; bundled: boolean }>, bindingDir = ortBindingDirectory()): OrtProviderInfo[] {
  return listed.map(({ name, bundled }) => {
    if (bundled) return { name, bundled, available: true, detail: 'compiled into the onnxruntime-node binding' };
    const lib = providerLibraryName(name);
    const present = bindingDir !== undefined && existsSync(join(bindingDir, lib));
    return {
      name, bundled, available: present,
      detail: present
        ? `${lib} installed next to the binding`
        : `${lib} not installed (GPU users: ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js)`,
    };
  });
}
