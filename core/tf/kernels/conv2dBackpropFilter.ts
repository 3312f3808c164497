/**
 * Conv2DBackpropFilter for wasm (the stock wasm backend has none): the filter gradient
 *   dW[a,b,ci,co] = Σ_{n,i,j} xpad[n, a + i·s_h, b + j·s_w, ci] · dy[n, i, j, co]
 * is ONE ordinary forward conv with the batch and channel axes swapped: input x as [C_in, H, W, N],
 * "filter" dy as [H', W', N, C_out], dilation = the stride. Its output [C_in, kh', kw', C_out]
 * (kh' ≥ kh) is cropped and transposed to [kh, kw, C_in, C_out]. XNNPACK does all the MACs.
 */
import { Conv2DBackpropFilter, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { assertNHWC, conv2d, convGeometry, crop4d, dispose, transpose, type KernelArgs, type Shape4, type WasmBackend } from './wasmOps';

export function conv2dBackpropFilterWasm({ inputs, backend: b, attrs = {} }: KernelArgs): TensorInfo {
  const backend = b as WasmBackend;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  assertNHWC('Conv2DBackpropFilter', attrs.dataFormat);
  const filterShape = attrs.filterShape as Shape4;
  const info = convGeometry(x.shape as Shape4, filterShape, attrs.strides as [number, number], attrs.pad, attrs.dimRoundingMode);
  const [, inH, inW] = x.shape as Shape4;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow } = info;
  const { top, left } = info.padInfo;
  if (dy.shape[1] !== oh || dy.shape[2] !== ow) {
    throw new Error(`Conv2DBackpropFilter: dy ${dy.shape} does not match the conv output ${oh}x${ow}`);
  }
  // Rows of the zero-padded input that any tap reads: [0, kh + (oh-1)·sh). Pad the bottom up to
  // that; when the input is longer (e.g. 1×1 stride 2), crop the input first so the conv computes
  // exactly kh×kw outputs.
  const needH = kh + (oh - 1) * sh - top, needW = kw + (ow - 1) * sw - left;
  const bottom = Math.max(0, needH - inH), right = Math.max(0, needW - inW);
  const xc = needH < inH || needW < inW ? crop4d(backend, x, 0, 0, Math.min(inH, needH), Math.min(inW, needW)) : undefined;

  const xT = transpose(backend, xc ?? x, [3, 1, 2, 0]); // [C_in, H, W, N]
  const dyT = transpose(backend, dy, [1, 2, 0, 3]); // [H', W', N, C_out]
  let full: TensorInfo | undefined;
  let cropped: TensorInfo | undefined;
  try {
    full = conv2d(backend, xT, dyT, { pads: { top, bottom, left, right }, dilations: [sh, sw] });
    cropped = crop4d(backend, full, 0, 0, kh, kw); // [C_in, kh, kw, C_out]
    return transpose(backend, cropped, [1, 2, 0, 3]);
  } finally {
    dispose(backend, xc, xT, dyT, full, cropped);
  }
}

export const conv2dBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilterWasm as unknown as KernelConfig['kernelFunc'],
};
