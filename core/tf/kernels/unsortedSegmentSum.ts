/**
 * UnsortedSegmentSum for wasm (missing there; it is the gradient of gather, i.e. of every
 * embedding lookup). out[s, ...] = Σ_{i: ids[i] = s} x[i, ...]; ids outside [0, numSegments) are
 * dropped, as in TensorFlow. A single pass over x on the wasm heap.
 */
import { UnsortedSegmentSum, util, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelArgs, WasmBackend } from './wasmOps';

export function unsortedSegmentSumWasm({ inputs, backend: b, attrs = {} }: KernelArgs): TensorInfo {
  const backend = b as WasmBackend;
  const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const numSegments = attrs.numSegments as number;
  const idsRank = segmentIds.shape.length;
  if (x.shape.slice(0, idsRank).join(',') !== segmentIds.shape.join(',')) {
    throw new Error(`UnsortedSegmentSum: segmentIds ${segmentIds.shape} must be a prefix of x ${x.shape}`);
  }
  const innerShape = x.shape.slice(idsRank);
  const inner = util.sizeFromShape(innerShape);
  const dtype = x.dtype === 'int32' ? 'int32' : 'float32';
  const out = backend.makeOutput([numSegments, ...innerShape], dtype);
  // Views after makeOutput: an allocation may grow (and detach) the heap.
  const o = backend.typedArrayFromHeap(out) as Float32Array | Int32Array;
  const xs = backend.typedArrayFromHeap(x) as Float32Array | Int32Array;
  const ids = backend.typedArrayFromHeap(segmentIds) as Int32Array;
  o.fill(0);
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i]!;
    if (s < 0 || s >= numSegments) continue;
    const src = i * inner, dst = s * inner;
    for (let j = 0; j < inner; j++) o[dst + j] = o[dst + j]! + xs[src + j]!;
  }
  return out;
}

export const unsortedSegmentSumConfig: KernelConfig = {
  kernelName: UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSumWasm as unknown as KernelConfig['kernelFunc'],
};
