/**
 * Depthwise conv gradients for wasm (the stock wasm backend has neither).
 *
 * Channel multiplier 1 (what MobileNet-style blocks use) runs on XNNPACK's depthwise conv:
 *  - input gradient: the stride-phase trick of conv2dBackpropInput with a depthwise conv whose
 *    channel multiplier is the number of phases (s_h·s_w), then one interleaving transpose;
 *  - filter gradient: one depthwise conv of x seen as [1, H, W, N·C] with dy seen as the
 *    [H', W', N·C, 1] filter, dilation = stride, summed over N.
 * Other multipliers fall back to a direct loop on the wasm heap (correct, slower).
 */
import {
  DepthwiseConv2dNativeBackpropFilter, DepthwiseConv2dNativeBackpropInput, type KernelConfig, type TensorInfo,
} from '@tensorflow/tfjs-core';
import {
  convGeometry, crop4d, depthwiseConv2d, dispose, f32, run, transpose, view, type KernelArgs, type WasmBackend,
} from './wasmOps';

type Shape4 = [number, number, number, number];

function assertNoDilation(kernel: string, dilations: unknown): void {
  const d = Array.isArray(dilations) ? dilations : [dilations ?? 1, dilations ?? 1];
  if (d.some((v) => v !== 1 && v !== undefined)) throw new Error(`wasm ${kernel}: dilations > 1 are not supported`);
}

/** F[mh, mw, c, rh·sw + rw] = W[rh + sh·(Kh−1−mh), rw + sw·(Kw−1−mw), c, 0]; 0 outside the kernel. */
export function depthwisePhaseFilter(w: Float32Array, [kh, kw, c]: Shape4, sh: number, sw: number, out: Float32Array): void {
  const Kh = Math.ceil(kh / sh), Kw = Math.ceil(kw / sw), P = sh * sw;
  out.fill(0);
  for (let mh = 0; mh < Kh; mh++) for (let rh = 0; rh < sh; rh++) {
    const a = rh + sh * (Kh - 1 - mh);
    if (a >= kh) continue;
    for (let mw = 0; mw < Kw; mw++) for (let rw = 0; rw < sw; rw++) {
      const bb = rw + sw * (Kw - 1 - mw);
      if (bb >= kw) continue;
      const p = rh * sw + rw;
      for (let ci = 0; ci < c; ci++) out[((mh * Kw + mw) * c + ci) * P + p] = w[(a * kw + bb) * c + ci]!;
    }
  }
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
  const Kh = Math.ceil(kh / sh), Kw = Math.ceil(kw / sw), P = sh * sw;
  const qh = Math.ceil((inH + top) / sh), qw = Math.ceil((inW + left) / sw);
  const f = backend.makeOutput([Kh, Kw, c, P], 'float32');
  depthwisePhaseFilter(f32(backend, filter), fShape, sh, sw, f32(backend, f));
  let phases: TensorInfo | undefined;
  let inter: TensorInfo | undefined;
  try {
    phases = depthwiseConv2d(backend, dy, f, {
      pads: { top: Kh - 1, bottom: Math.max(0, qh - oh), left: Kw - 1, right: Math.max(0, qw - ow) },
    }); // [N, Qh, Qw, C·P], channel = c·P + p
    const [, ph, pw] = phases.shape as Shape4;
    if (P === 1) return crop4d(backend, phases, top, left, inH, inW);
    inter = transpose(backend, view(phases, [n * ph, pw, c, sh, sw]), [0, 3, 1, 4, 2]);
    return crop4d(backend, view(inter, [n, ph * sh, pw * sw, c]), top, left, inH, inW);
  } finally {
    dispose(backend, f, phases, inter);
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
  const bottom = Math.max(0, kh + (oh - 1) * sh - inH - top);
  const right = Math.max(0, kw + (ow - 1) * sw - inW - left);
  const xT = transpose(backend, x, [1, 2, 0, 3]); // [H, W, N, C]
  const dyT = transpose(backend, dy, [1, 2, 0, 3]); // [H', W', N, C]
  let full: TensorInfo | undefined;
  let cropped: TensorInfo | undefined;
  try {
    full = depthwiseConv2d(backend, view(xT, [1, inH, inW, n * c]), view(dyT, [oh, ow, n * c, 1]), {
      pads: { top, bottom, left, right }, dilations: [sh, sw],
    });
    cropped = crop4d(backend, full, 0, 0, kh, kw); // [1, kh, kw, N·C]
    const summed = run('Sum', backend, { x: view(cropped, [kh * kw, n, c]) }, { axis: [1], keepDims: false });
    return { dataId: summed.dataId, shape: [kh, kw, c, 1], dtype: summed.dtype };
  } finally {
    dispose(backend, xT, dyT, full, cropped);
  }
}

type Info = ReturnType<typeof convGeometry>;

/** Direct loop for any channel multiplier: dx[n, y, x, c] += Σ_m dy[n, i, j, c·M + m] · W[a, b, c, m]. */
function depthwiseInputLoop(backend: WasmBackend, dyT: TensorInfo, filter: TensorInfo, inputShape: Shape4, info: Info): TensorInfo {
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
function depthwiseFilterLoop(backend: WasmBackend, xT: TensorInfo, dyT: TensorInfo, filterShape: Shape4, info: Info): TensorInfo {
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
      for (let ci = 0; ci < c; ci++) {
        const xv = x[xo + ci]!;
        for (let m = 0; m < M; m++) dw[wo + ci * M + m] = dw[wo + ci * M + m]! + xv * dy[dyo + ci * M + m]!;
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
