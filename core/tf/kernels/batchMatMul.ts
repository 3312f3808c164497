/**
 * BatchMatMul for wasm. The stock kernel sends only one case to XNNPACK (batch 1, no transposes);
 * everything else runs a scalar loop that is 5–30× slower (measured on this model's shapes:
 * [392,256]·[126,256]ᵀ 24 ms against 1.8 ms untransposed; [8,49,49]·[8,49,256] 14 ms for 5 MMAC).
 * Here every case is brought to that fast case: transposed operands are transposed once (the wasm
 * Transpose kernel is a fast copy), a batch of `a` against a single `b` is folded into the rows of
 * one product, and true batches run as one product per batch item on heap slices.
 *
 * The XNNPACK path caches its packed operator by b's data id and aborts when the same data is later
 * used with another shape (e.g. a reshape of the same tensor), so b is always handed over as a
 * fresh copy owned by this kernel.
 */
import { BatchMatMul, util, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { dispose, f32, transpose, view, type KernelArgs, type WasmBackend } from './wasmOps';

interface WasmModuleLike {
  cwrap(name: string, ret: null, args: string[]): (...a: unknown[]) => void;
}
interface WasmBackendFull extends WasmBackend {
  wasm: WasmModuleLike;
  dataIdMap: { get(id: unknown): { id: number } };
}

let wasmBatchMatMul: ((...a: unknown[]) => void) | undefined;

function setup(backend: unknown): void {
  wasmBatchMatMul = (backend as WasmBackendFull).wasm.cwrap(BatchMatMul, null,
    ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number']);
}

/** A fresh float32 tensor of `shape` holding the elements of x from element `offset` on. */
export function copyOf(backend: WasmBackend, x: TensorInfo, offset: number, shape: number[]): TensorInfo {
  const out = backend.makeOutput(shape, 'float32');
  const dst = f32(backend, out); // views after makeOutput: an allocation may grow the heap
  const src = f32(backend, x);
  const heap = new Float32Array(src.buffer);
  const s = (src.byteOffset >> 2) + offset;
  heap.copyWithin(dst.byteOffset >> 2, s, s + util.sizeFromShape(shape));
  return out;
}

/**
 * out [1, m, n] = a [m, k] · b [k, n] on the XNNPACK path. b must be a tensor made by the caller for
 * this call only (see the note at the top on the operator cache).
 */
export function matMulFast(bk: WasmBackend, a: TensorInfo, b: TensorInfo, m: number, k: number, n: number): TensorInfo {
  if (!wasmBatchMatMul) throw new Error('wasm BatchMatMul: setup did not run');
  const backend = bk as WasmBackendFull;
  const out = backend.makeOutput([1, m, n], 'float32');
  const bytes = (s: number[]) => new Uint8Array(new Int32Array(s).buffer);
  wasmBatchMatMul(backend.dataIdMap.get(a.dataId).id, bytes([1, m, k]), 3, backend.dataIdMap.get(b.dataId).id, bytes([1, k, n]), 3,
    false, false, backend.dataIdMap.get(out.dataId).id);
  return out;
}

export function batchMatMulWasm({ inputs, backend: bk, attrs = {} }: KernelArgs): TensorInfo {
  const backend = bk as WasmBackendFull;
  const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
  const transposeA = Boolean(attrs.transposeA), transposeB = Boolean(attrs.transposeB);
  if (a.dtype !== 'float32' || b.dtype !== 'float32') throw new Error('wasm BatchMatMul: only float32 is supported');
  const ar = a.shape.length, br = b.shape.length;
  const m = transposeA ? a.shape[ar - 1]! : a.shape[ar - 2]!;
  const k = transposeA ? a.shape[ar - 2]! : a.shape[ar - 1]!;
  const kb = transposeB ? b.shape[br - 1]! : b.shape[br - 2]!;
  const n = transposeB ? b.shape[br - 2]! : b.shape[br - 1]!;
  if (k !== kb) throw new Error(`wasm BatchMatMul: inner shapes ${k} and ${kb} of ${a.shape} and ${b.shape} differ`);
  const outerA = a.shape.slice(0, -2), outerB = b.shape.slice(0, -2);
  const batchA = util.sizeFromShape(outerA), batchB = util.sizeFromShape(outerB);
  // Batch broadcasting beyond "equal" or "one side is 1" is not used by the model.
  const sameOuter = outerA.length === outerB.length && outerA.every((d, i) => d === outerB[i]);
  if (!(sameOuter || batchA === 1 || batchB === 1)) throw new Error(`wasm BatchMatMul: unsupported broadcast of ${a.shape} and ${b.shape}`);
  const outOuter = batchA === 1 && batchB > 1 ? outerB : outerA.length >= outerB.length ? outerA : outerB;
  const batch = Math.max(batchA, batchB);

  // Untransposed operands: aN [batchA, m, k], bN [batchB, k, n] (fresh copies for b).
  const aN = transposeA ? transpose(backend, view(a, [batchA, k, m]), [0, 2, 1]) : undefined;
  const aV = aN ?? view(a, [batchA, m, k]);
  const bN = transposeB ? transpose(backend, view(b, [batchB, n, k]), [0, 2, 1]) : batchB === 1 ? copyOf(backend, b, 0, [1, k, n]) : undefined;
  try {
    if (batchB === 1) {
      // One product: the batch of a folded into its rows.
      const out = matMulFast(backend, view(aV, [1, batchA * m, k]), bN!, batchA * m, k, n);
      return view(out, [...outOuter, m, n]);
    }
    const out = backend.makeOutput([...outOuter, m, n], 'float32');
    for (let i = 0; i < batch; i++) {
      const ai = batchA === 1 ? undefined : copyOf(backend, aV, i * m * k, [1, m, k]);
      const bi = copyOf(backend, bN ?? b, i * k * n, [1, k, n]);
      const oi = matMulFast(backend, ai ?? aV, bi, m, k, n);
      f32(backend, out).set(f32(backend, oi), i * m * n);
      dispose(backend, ai, bi, oi);
    }
    return out;
  } finally {
    dispose(backend, aN, bN);
  }
}

export const batchMatMulConfig: KernelConfig = {
  kernelName: BatchMatMul,
  backendName: 'wasm',
  setupFunc: setup as KernelConfig['setupFunc'],
  kernelFunc: batchMatMulWasm as unknown as KernelConfig['kernelFunc'],
};
