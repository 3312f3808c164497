/**
 * Depthwise conv gradients for wasm (the stock wasm backend has neither).
 *
 * Channel multiplier 1 (what MobileNet-style blocks use) runs on the wasm backend's SIMD kernels:
 *  - input gradient: dy zero-dilated by the stride (one PadV2 on a rank-6 view), then ONE stride-1
 *    depthwise conv with the spatially flipped filter, then a crop. (Measured: the stride-phase
 *    trick needs channel multiplier s², which XNNPACK runs 2× slower than this.)
 *  - filter gradient: per tap (a, b), Σ over N·H'·W' of x[taps]·dy, as a heap crop (of one stride
 *    phase of the padded x) + Multiply + a ones-vector matmul. (Measured: a single depthwise conv with dy as an H'×W' kernel is 5–10× slower,
 *    XNNPACK has no fast path for such kernels.)
 * Other multipliers fall back to a direct loop on the wasm heap (correct, slow).
 */
import {
  DepthwiseConv2dNativeBackpropFilter, DepthwiseConv2dNativeBackpropInput, type KernelConfig, type TensorInfo,
} from '@tensorflow/tfjs-core';
import {
  convGeometry, crop4d, cropBlock, depthwiseConv2d, dispose, f32, run, transpose, view, type KernelArgs, type WasmBackend,
  type Shape4,
} from './wasmOps';

function assertNoDilation(kernel: string, dilations: unknown): void {
  const d = Array.isArray(dilations) ? dilations : [dilations ?? 1, dilations ?? 1];
  if (d.some((v) => v !== 1 && v !== undefined)) throw new Error(`wasm ${kernel}: dilations > 1 are not supported`);
}

export function depthwiseBackpropInputWasm({ inputs, backend: bk, attrs = {} }: KernelArgs): TensorInfo {
  const backend = bk as WasmBackend;
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  assertNoDilation('DepthwiseConv2dNativeBackpropInput', attrs.dilations);
  const inputShape = attrs.inputShape as Shape4;
  const fShape = filter.shape as Shape4;
  const info = convGeometry(inputShape, fShape, attrs.strides as [number, number], attrs.pad, attrs.dimRoundingMode, true);
  const [n, inH, inW, c] = inputShape;
  const [kh, kw, , mult] = fShape;
  const { strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow } = info;
  const { top, left } = info.padInfo;
  if (mult !== 1) return depthwiseInputLoop(backend, dy, filter, inputShape, info);
  // dyd[u] = dy[u / s] where s divides u, else 0;  dx[y] = Σ_a' dyd[y + top − (k−1) + a'] · Wflip[a'].
  const dyd = sh * sw === 1 ? dy : view(run('PadV2', backend, { x: view(dy, [n, oh, 1, ow, 1, c]) }, {
    paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]], constantValue: 0,
  }), [n, oh * sh, ow * sw, c]);
  const padT = kh - 1 - top, padL = kw - 1 - left;
  const f = backend.makeOutput([kh, kw, c, 1], 'float32');
  flipFilter(f32(backend, filter), fShape, f32(backend, f));
  let conv: TensorInfo | undefined;
  try {
    conv = depthwiseConv2d(backend, dyd, f, {
      pads: {
        top: Math.max(0, padT), left: Math.max(0, padL),
        bottom: Math.max(0, inH - oh * sh + top), right: Math.max(0, inW - ow * sw + left),
      },
    });
    return crop4d(backend, conv, Math.max(0, -padT), Math.max(0, -padL), inH, inW);
  } finally {
    dispose(backend, f, conv, dyd === dy ? undefined : dyd);
  }
}

/** Wflip[a', b', c] = W[kh−1−a', kw−1−b', c] for multiplier 1. */
function flipFilter(w: Float32Array, [kh, kw, c]: Shape4, out: Float32Array): void {
  for (let a = 0; a < kh; a++) for (let b = 0; b < kw; b++) {
    out.set(w.subarray((a * kw + b) * c, (a * kw + b + 1) * c), ((kh - 1 - a) * kw + (kw - 1 - b)) * c);
  }
}

export function depthwiseBackpropFilterWasm({ inputs, backend: bk, attrs = {} }: KernelArgs): TensorInfo {
  const backend = bk as WasmBackend;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  assertNoDilation('DepthwiseConv2dNativeBackpropFilter', attrs.dilations);
  const filterShape = attrs.filterShape as Shape4;
  const info = convGeometry(x.shape as Shape4, filterShape, attrs.strides as [number, number], attrs.pad, attrs.dimRoundingMode, true);
  const [n, inH, inW, c] = x.shape as Shape4;
  const [kh, kw, , mult] = filterShape;
  const { strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow } = info;
  const { top, left } = info.padInfo;
  if (mult !== 1) return depthwiseFilterLoop(backend, x, dy, filterShape, info);
  // Pad so that every tap's rows exist and the padded size is a multiple of the stride.
  const hp = Math.ceil(Math.max(kh + (oh - 1) * sh, inH + top) / sh) * sh;
  const wp = Math.ceil(Math.max(kw + (ow - 1) * sw, inW + left) / sw) * sw;
  const hs = hp / sh, ws = wp / sw;
  const P = n * oh * ow;
  const xpad = run('PadV2', backend, { x }, {
    paddings: [[0, 0], [top, hp - inH - top], [left, wp - inW - left], [0, 0]], constantValue: 0,
  });
  // Phase split (stride > 1): xpad[n, s·h + ra, s·w + rb, c] → phases[rb, ra, n, h, w, c], so every
  // tap's strided window becomes a plain crop of one phase block.
  let phases = xpad;
  let tmp: TensorInfo | undefined;
  if (sh * sw > 1) {
    tmp = transpose(backend, view(xpad, [n * hs, sh, ws, sw * c]), [1, 0, 2, 3]);
    phases = transpose(backend, view(tmp, [sh * n * hs * ws, sw, c]), [1, 0, 2]);
  }
  const block = n * hs * ws * c;
  const ones = backend.makeOutput([1, 1, P], 'float32');
  f32(backend, ones).fill(1);
  const out = backend.makeOutput([kh, kw, c, 1], 'float32');
  try {
    for (let a = 0; a < kh; a++) for (let b = 0; b < kw; b++) {
      const offset = ((b % sw) * sh + (a % sh)) * block;
      const taps = cropBlock(backend, phases, offset, [n, hs, ws, c], Math.floor(a / sh), Math.floor(b / sw), oh, ow);
      const prod = run('Multiply', backend, { a: taps, b: dy });
      const sum = run('BatchMatMul', backend, { a: ones, b: view(prod, [1, P, c]) }, { transposeA: false, transposeB: false });
      f32(backend, out).set(f32(backend, sum), (a * kw + b) * c);
      dispose(backend, taps, prod, sum);
    }
    return out;
  } finally {
    dispose(backend, xpad, tmp, phases === xpad ? undefined : phases, ones);
  }
}

type Info = ReturnType<typeof convGeometry>;

/** Direct loop for any channel multiplier: dx[n, y, x, c] += Σ_m dy[n, i, j, c·M + m] · W[a, b, c, m]. */
export function depthwiseInputLoop(backend: WasmBackend, dyT: TensorInfo, filter: TensorInfo, inputShape: Shape4, info: Info): TensorInfo {
  const [n, inH, inW, c] = inputShape;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow } = info;
  const M = filter.shape[3]!;
  const out = backend.makeOutput([n, inH, inW, c], 'float32');
  const dx = f32(backend, out), dy = f32(backend, dyT), w = f32(backend, filter);
  dx.fill(0);
  for (let b = 0; b < n; b++) for (let i = 0; i < oh; i++) for (let a = 0; a < kh; a++) {
    const y = i * sh + a - info.padInfo.top;
    if (y < 0 || y >= inH) continue;
    for (let j = 0; j < ow; j++) for (let bb = 0; bb < kw; bb++) {
      const xx = j * sw + bb - info.padInfo.left;
      if (xx < 0 || xx >= inW) continue;
      const dyo = ((b * oh + i) * ow + j) * c * M, dxo = ((b * inH + y) * inW + xx) * c, wo = (a * kw + bb) * c * M;
      for (let ci = 0; ci < c; ci++) {
        let s = 0;
        for (let m = 0; m < M; m++) s += dy[dyo + ci * M + m]! * w[wo + ci * M + m]!;
        dx[dxo + ci] = dx[dxo + ci]! + s;
      }
    }
  }
  return out;
}

/** Direct loop for any channel multiplier: dW[a, b, c, m] = Σ x[n, y, x, c] · dy[n, i, j, c·M + m]. */
export function depthwiseFilterLoop(backend: WasmBackend, xT: TensorInfo, dyT: TensorInfo, filterShape: Shape4, info: Info): TensorInfo {
  const [n, inH, inW, c] = xT.shape as Shape4;
  const [kh, kw, , M] = filterShape;
  const { strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow } = info;
  const out = backend.makeOutput(filterShape, 'float32');
  const dw = f32(backend, out), x = f32(backend, xT), dy = f32(backend, dyT);
  dw.fill(0);
  for (let b = 0; b < n; b++) for (let i = 0; i < oh; i++) for (let a = 0; a < kh; a++) {
    const y = i * sh + a - info.padInfo.top;
    if (y < 0 || y >= inH) continue;
    for (let j = 0; j < ow; j++) for (let bb = 0; bb < kw; bb++) {
      const xx = j * sw + bb - info.padInfo.left;
      if (xx < 0 || xx >= inW) continue;
      const dyo = ((b * oh + i) * ow + j) * c * M, xo = ((b * inH + y) * inW + xx) * c, wo = (a * kw + bb) * c * M;
      if (M === 1) {
        for (let ci = 0; ci < c; ci++) dw[wo + ci] = dw[wo + ci]! + x[xo + ci]! * dy[dyo + ci]!;
      } else {
        for (let ci = 0; ci < c; ci++) {
          const xv = x[xo + ci]!;
          for (let m = 0; m < M; m++) dw[wo + ci * M + m] = dw[wo + ci * M + m]! + xv * dy[dyo + ci * M + m]!;
        }
      }
    }
  }
  return out;
}

export const depthwiseBackpropInputConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropInputWasm as unknown as KernelConfig['kernelFunc'],
};

export const depthwiseBackpropFilterConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropFilterWasm as unknown as KernelConfig['kernelFunc'],
};
