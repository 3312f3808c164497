/**
 * Thin helpers for writing wasm kernels out of the wasm backend's own (XNNPACK) kernels.
 * Kernels receive and return TensorInfo; every intermediate made here must be disposed here.
 */
import { backend_util, getKernel, type DataId, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';

/** The parts of tfjs-backend-wasm's BackendWasm that kernels use (structural, so no import). */
export interface WasmBackend {
  makeOutput(shape: number[], dtype: 'float32' | 'int32' | 'bool'): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: DataId, force?: boolean): boolean;
  incRef(dataId: DataId): void;
}

export interface KernelArgs {
  inputs: Record<string, TensorInfo>;
  backend: unknown;
  attrs?: NamedAttrMap;
}

/** An NHWC (or HWIO filter) shape. */
export type Shape4 = [number, number, number, number];

export type Pads = { top: number; bottom: number; left: number; right: number };

export function run(name: string, backend: WasmBackend, inputs: Record<string, TensorInfo> | TensorInfo[], attrs: object = {}): TensorInfo {
  const k = getKernel(name, 'wasm');
  if (!k) throw new Error(`wasm kernel ${name} is not registered`);
  return k.kernelFunc({ inputs: inputs as never, backend: backend as never, attrs: attrs as NamedAttrMap }) as TensorInfo;
}

export function dispose(backend: WasmBackend, ...ts: Array<TensorInfo | undefined>): void {
  for (const t of ts) if (t) backend.disposeData(t.dataId);
}

/** A second name for the same data (the caller disposes only the original). */
export function view(t: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

export function f32(backend: WasmBackend, t: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(t) as Float32Array;
}

export function transpose(backend: WasmBackend, x: TensorInfo, perm: number[]): TensorInfo {
  return run('Transpose', backend, { x }, { perm });
}

export interface ConvParams { pads: Pads; dilations?: [number, number]; strides?: [number, number] }

function explicit(p: Pads): backend_util.ExplicitPadding {
  return [[0, 0], [p.top, p.bottom], [p.left, p.right], [0, 0]];
}

/** Forward NHWC conv2d (XNNPACK) with explicit, non-negative pads. */
export function conv2d(backend: WasmBackend, x: TensorInfo, filter: TensorInfo, p: ConvParams): TensorInfo {
  return run('Conv2D', backend, { x, filter }, {
    strides: p.strides ?? [1, 1], pad: explicit(p.pads), dataFormat: 'NHWC',
    dilations: p.dilations ?? [1, 1], dimRoundingMode: undefined,
  });
}

/** Forward NHWC depthwise conv2d (XNNPACK) with explicit, non-negative pads. */
export function depthwiseConv2d(backend: WasmBackend, x: TensorInfo, filter: TensorInfo, p: ConvParams): TensorInfo {
  return run('DepthwiseConv2dNative', backend, { x, filter }, {
    strides: p.strides ?? [1, 1], pad: explicit(p.pads), dataFormat: 'NHWC',
    dilations: p.dilations ?? [1, 1], dimRoundingMode: undefined,
  });
}

/**
 * out = x[:, r0:r0+h, c0:c0+w, :] for a rank-4 float tensor, copied row by row on the heap
 * (the stock wasm Slice first copies the whole input out of the heap; its StridedSlice is
 * element-wise and ~50× slower than this).
 */
export function crop4d(backend: WasmBackend, x: TensorInfo, r0: number, c0: number, h: number, w: number): TensorInfo {
  const [, xh, xw] = x.shape as [number, number, number, number];
  if (r0 === 0 && c0 === 0 && h === xh && w === xw) {
    backend.incRef(x.dataId);
    return view(x, x.shape);
  }
  return cropBlock(backend, x, 0, x.shape as [number, number, number, number], r0, c0, h, w);
}

/** crop4d of the [n, xh, xw, c] block that starts `offset` elements into x's data. */
export function cropBlock(
  backend: WasmBackend, x: TensorInfo, offset: number, [n, xh, xw, c]: [number, number, number, number],
  r0: number, c0: number, h: number, w: number,
): TensorInfo {
  const out = backend.makeOutput([n, h, w, c], 'float32');
  // copyWithin on one whole-heap view is a memmove; TypedArray.set between two views of the same
  // buffer takes a slower path in V8 (measured 2×).
  const src = f32(backend, x);
  const heap = new Float32Array(src.buffer);
  const s0 = (src.byteOffset >> 2) + offset;
  let o = f32(backend, out).byteOffset >> 2;
  const rowLen = w * c;
  for (let b = 0; b < n; b++) {
    for (let r = 0; r < h; r++) {
      const s = s0 + ((b * xh + r0 + r) * xw + c0) * c;
      heap.copyWithin(o, s, s + rowLen);
      o += rowLen;
    }
  }
  return out;
}

/** Pads and geometry of a conv, exactly as TF.js computes them (TF's 'same' puts the extra pad bottom/right). */
export function convGeometry(
  xShape: [number, number, number, number], filterShape: [number, number, number, number],
  strides: number | [number, number], pad: unknown, dimRoundingMode: unknown, depthwise = false,
): backend_util.Conv2DInfo {
  return backend_util.computeConv2DInfo(
    xShape, filterShape, strides, 1, pad as 'same', dimRoundingMode as 'round' | undefined, depthwise, 'channelsLast');
}

export function assertNHWC(kernel: string, dataFormat: unknown): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') {
    throw new Error(`wasm ${kernel}: only NHWC is supported (got ${String(dataFormat)})`);
  }
}
