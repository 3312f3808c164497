/**
 * Transpose for wasm when the permutation swaps two groups of axes: after dropping size-1 axes and
 * merging axes that stay next to each other, [B, X, Y, K] → [B, Y, X, K] with B and K possibly
 * absent. Every Transpose of a compact training step is of that kind except the filter gradient's
 * [3, 1, 2, 0]. The stock kernel writes element by element with a stride; the 4096×392 transpose of
 * the fusion conv's input gradient took 15.8 ms there and 4.1 ms as the tiled copy here (8×8 tiles;
 * 16×16: 4.7, 32×32: 12.0, measured 1 Dec). A K of 16 or more elements moves as one memmove per block.
 * Other permutations, and dtypes other than float32, int32 and bool, go to the stock kernel.
 */
import { Transpose, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { delegatingKernelConfig, requireStockKernel } from './stock';
import type { KernelArgs, WasmBackend } from './wasmOps';

const stock = () => requireStockKernel(Transpose);

/** [B, X, Y, K] of a permutation that swaps two groups of axes, or null for any other permutation. */
export function swapGroups(shape: readonly number[], perm: readonly number[]): [number, number, number, number] | null {
  // Drop size-1 axes (they move nothing) and renumber the rest.
  const kept = perm.filter((a) => shape[a]! !== 1);
  const order = [...kept].sort((a, b) => a - b);
  const p = kept.map((a) => order.indexOf(a));
  const dims = order.map((a) => shape[a]!);
  // Merge runs of output axes that are consecutive input axes.
  const groups: number[][] = [];
  for (const a of p) {
    const last = groups[groups.length - 1];
    if (last && last[last.length - 1]! + 1 === a) last.push(a);
    else groups.push([a]);
  }
  const size = (g: number[]) => g.reduce((s, a) => s * dims[a]!, 1);
  // Groups in input order: the output lists them as [B?, Y, X, K?] where the input has [B?, X, Y, K?].
  const byInput = [...groups].sort((g, h) => g[0]! - h[0]!);
  const at = groups.map((g) => byInput.indexOf(g)); // output position → input position of each group
  if (at.length === 1) return [1, 1, 1, size(groups[0]!)]; // nothing moves (an identity after merging)
  const pattern = at.join(',');
  if (pattern === '1,0') return [1, size(byInput[0]!), size(byInput[1]!), 1];
  if (pattern === '0,2,1') return [size(byInput[0]!), size(byInput[1]!), size(byInput[2]!), 1];
  if (pattern === '1,0,2') return [1, size(byInput[0]!), size(byInput[1]!), size(byInput[2]!)];
  if (pattern === '0,2,1,3') return [size(byInput[0]!), size(byInput[1]!), size(byInput[2]!), size(byInput[3]!)];
  return null;
}

const TILE = 8;
const MEMMOVE_MIN = 16;

export function transposeWasm(args: KernelArgs): TensorInfo {
  const backend = args.backend as WasmBackend;
  const { x } = args.inputs as { x: TensorInfo };
  const { perm } = (args.attrs ?? {}) as { perm: number[] };
  const dtype = x.dtype;
  const groups = dtype === 'float32' || dtype === 'int32' || dtype === 'bool' ? swapGroups(x.shape, perm) : null;
  if (!groups || !(dtype === 'float32' || dtype === 'int32' || dtype === 'bool')) return stock().kernelFunc(args as never) as TensorInfo;
  const [B, X, Y, K] = groups;
  const out = backend.makeOutput(perm.map((a) => x.shape[a]!), dtype);
  // Views after makeOutput: an allocation may grow the heap. One whole-heap view of the element
  // type, so a block moves with copyWithin (a memmove).
  const src = backend.typedArrayFromHeap(x);
  const heap = new (src.constructor as Float32ArrayConstructor)(src.buffer);
  const s0 = src.byteOffset / src.BYTES_PER_ELEMENT;
  const o0 = backend.typedArrayFromHeap(out).byteOffset / src.BYTES_PER_ELEMENT;
  if (X === 1 || Y === 1) {
    heap.copyWithin(o0, s0, s0 + B * X * Y * K);
    return out;
  }
  for (let b = 0; b < B; b++) {
    const sb = s0 + b * X * Y * K, ob = o0 + b * X * Y * K;
    if (K >= MEMMOVE_MIN) {
      for (let xi = 0; xi < X; xi++) for (let yi = 0; yi < Y; yi++) {
        const s = sb + (xi * Y + yi) * K;
        heap.copyWithin(ob + (yi * X + xi) * K, s, s + K);
      }
      continue;
    }
    for (let x0 = 0; x0 < X; x0 += TILE) {
      const x1 = Math.min(X, x0 + TILE);
      for (let y0 = 0; y0 < Y; y0 += TILE) {
        const y1 = Math.min(Y, y0 + TILE);
        if (K === 1) {
          for (let xi = x0; xi < x1; xi++) {
            let s = sb + xi * Y + y0;
            for (let yi = y0; yi < y1; yi++) heap[ob + yi * X + xi] = heap[s++]!;
          }
        } else {
          for (let xi = x0; xi < x1; xi++) for (let yi = y0; yi < y1; yi++) {
            const s = sb + (xi * Y + yi) * K, o = ob + (yi * X + xi) * K;
            for (let k = 0; k < K; k++) heap[o + k] = heap[s + k]!;
          }
        }
      }
    }
  }
  return out;
}

export const transposeConfig: KernelConfig = delegatingKernelConfig(Transpose, transposeWasm);
