/**
 * Conv2DBackpropFilter for wasm (the stock wasm backend has none): the filter gradient
 *   dW[a,b,ci,co] = Σ_{n,i,j} xpad[n, a + i·s_h, b + j·s_w, ci] · dy[n, i, j, co]
 * is ONE ordinary forward conv with the batch and channel axes swapped: input x as [C_in, H, W, N],
 * "filter" dy as [H', W', N, C_out], dilation = the stride. Its output [C_in, kh', kw', C_out]
 * (kh' ≥ kh) is cropped and transposed to [kh, kw, C_in, C_out]. XNNPACK does all the MACs.
 * With stride 1 along the width, the kw column taps are folded into the channels (shiftColumns).
 * 1×1 stride-1 kernels without padding are one matMul instead (filterGrad1x1).
 */
import { Conv2DBackpropFilter, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { copyOf, matMulFast } from './batchMatMul';
import { assertNHWC, conv2d, convGeometry, crop4d, dispose, f32, transpose, view, type KernelArgs, type Shape4, type WasmBackend } from './wasmOps';

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
  if (kh === 1 && kw === 1 && sh === 1 && sw === 1 && top === 0 && left === 0 && oh === inH && ow === inW) {
    return filterGrad1x1(backend, x, dy);
  }
  if (kh * kw * x.shape[3]! <= IM2COL_MAX_ROWS) {
    return filterGradIm2col(backend, x, dy, kh, kw, sh, sw, top, left);
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
  let shifted: TensorInfo | undefined;
  try {
    if (sw === 1 && kw > 1) {
      // Column taps folded into channels: kw copies of xT, copy b shifted left by b columns (with the
      // zero padding), viewed as [kw·C_in, H, 1, W'·N]; dy as the [H', 1, W'·N, C_out] filter. Each
      // XNNPACK tap then reduces W'·N contiguous floats instead of N = 8. Small gain: on the model's
      // stride-1 3×3 layers at batch 8, 0–9 % less CPU time, faster in 14, 17 and 12 of 19
      // interleaved pairs (30 Nov); the dy-sized operator build, not the MACs, dominates the rest.
      const [cinX, hx, wx, nb] = xT.shape as Shape4;
      shifted = backend.makeOutput([kw * cinX, hx, ow, nb], 'float32');
      shiftColumns(backend, xT, [cinX, hx, wx, nb], shifted, kw, ow, left);
      full = conv2d(backend, view(shifted, [kw * cinX, hx, 1, ow * nb]), view(dyT, [oh, 1, ow * nb, dy.shape[3]!]), {
        pads: { top, bottom, left: 0, right: 0 }, dilations: [sh, 1],
      });
      cropped = crop4d(backend, full, 0, 0, kh, 1); // [kw·C_in, kh, 1, C_out]
      return transpose(backend, view(cropped, [kw, cinX, kh, dy.shape[3]!]), [2, 0, 1, 3]);
    }
    full = conv2d(backend, xT, dyT, { pads: { top, bottom, left, right }, dilations: [sh, sw] });
    cropped = crop4d(backend, full, 0, 0, kh, kw); // [C_in, kh, kw, C_out]
    return transpose(backend, cropped, [1, 2, 0, 3]);
  } finally {
    dispose(backend, xc, xT, dyT, full, cropped, shifted);
  }
}

/**
 * out[b, ci, r, j, :] = xT[ci, r, b + j − left, :] for b < kw, j < W' (zero outside [0, W)): kw
 * column-shifted copies of xT [C_in, H, W, N], one heap memmove per row.
 */
function shiftColumns(backend: WasmBackend, xT: TensorInfo, [c, h, w, n]: Shape4, out: TensorInfo, kw: number, ow: number, left: number): void {
  const src = f32(backend, xT); // views after the caller's makeOutput
  const heap = new Float32Array(src.buffer);
  const s0 = src.byteOffset >> 2;
  let o = f32(backend, out).byteOffset >> 2;
  const rowOut = ow * n;
  for (let b = 0; b < kw; b++) {
    const j0 = Math.min(ow, Math.max(0, left - b));
    const j1 = Math.max(j0, Math.min(ow, w + left - b));
    for (let ci = 0; ci < c; ci++) {
      for (let r = 0; r < h; r++, o += rowOut) {
        const from = s0 + ((ci * h + r) * w + j0 + b - left) * n;
        if (j0 > 0) heap.fill(0, o, o + j0 * n);
        heap.copyWithin(o + j0 * n, from, from + (j1 - j0) * n);
        if (j1 < ow) heap.fill(0, o + j1 * n, o + rowOut);
      }
    }
  }
}

/** Largest kh·kw·C_in for the im2col form (the stem: 3×3×3 = 27). */
const IM2COL_MAX_ROWS = 32;

/**
 * Few input channels (the stem: 3×3 taps of an RGB image): dW [kh·kw·C_in, C_out] = colsᵀ · dy, with
 * colsᵀ [kh·kw·C_in, N·H'·W'] gathered in JS (row (a, b, ci) holds xpad[n, a + i·s_h, b + j·s_w, ci]
 * for every output position) and dy viewed as [N·H'·W', C_out] as it is; one XNNPACK matMul whose
 * output is already HWIO. In the conv form dy is a 112×112×8×16 "filter" and each output value
 * reduces 100,352 products through XNNPACK's indirection: 23–49 CPU-ms for the stem at batch 8.
 */
function filterGradIm2col(backend: WasmBackend, x: TensorInfo, dy: TensorInfo, kh: number, kw: number, sh: number, sw: number, top: number, left: number): TensorInfo {
  const [n, H, W, cin] = x.shape as Shape4;
  const [, oh, ow, cout] = dy.shape as Shape4;
  const rows = kh * kw * cin, P = n * oh * ow;
  const cols = backend.makeOutput([1, rows, P], 'float32');
  let b: TensorInfo | undefined;
  try {
    b = copyOf(backend, dy, 0, [1, P, cout]); // a fresh tensor: the XNNPACK operator is cached by b's id
    const xs = f32(backend, x); // views after the allocations above
    const out = f32(backend, cols);
    for (let a = 0; a < kh; a++) for (let bb = 0; bb < kw; bb++) for (let ci = 0; ci < cin; ci++) {
      let o = ((a * kw + bb) * cin + ci) * P;
      // Output columns j whose input column bb + j·sw − left lies inside [0, W).
      const j0 = Math.min(ow, Math.max(0, Math.ceil((left - bb) / sw)));
      const j1 = Math.max(j0, Math.min(ow, Math.floor((W - 1 + left - bb) / sw) + 1));
      for (let img = 0; img < n; img++) {
        for (let i = 0; i < oh; i++, o += ow) {
          const r = a + i * sh - top;
          if (r < 0 || r >= H) { out.fill(0, o, o + ow); continue; }
          if (j0 > 0) out.fill(0, o, o + j0);
          let s = ((img * H + r) * W + bb + j0 * sw - left) * cin + ci;
          const step = sw * cin;
          for (let j = j0; j < j1; j++, s += step) out[o + j] = xs[s]!;
          if (j1 < ow) out.fill(0, o + j1, o + ow);
        }
      }
    }
    return view(matMulFast(backend, cols, b, rows, P, cout), [kh, kw, cin, cout]);
  } finally {
    dispose(backend, cols, b);
  }
}

export const conv2dBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilterWasm as unknown as KernelConfig['kernelFunc'],
};

/**
 * 1×1, stride 1, no padding: dW [C_in, C_out] = xᵀ · dy, with x and dy viewed as [N·H·W, C]; one
 * transpose of x and one XNNPACK matMul whose output is already HWIO. In the conv form the
 * "filter" is dy-sized and the wasm Conv2D builds a new XNNPACK operator for it on every call (its
 * own filter transpose plus packing), and the 7×7-tap conv over 8 batch "channels" runs below the
 * GEMM rate: 83.6 → 58.1 CPU-ms for the 4096→256 fusion conv at batch 8 (its forward: 53.7 ms),
 * 6.7 → 5.1 ms for a 256→256 head layer (bench:kernels --baseline, 30 Nov). 3×3 kernels stay convs:
 * an im2col gather in JS was measured slower than the conv form there.
 */
function filterGrad1x1(backend: WasmBackend, x: TensorInfo, dy: TensorInfo): TensorInfo {
  const cin = x.shape[3]!, cout = dy.shape[3]!;
  const P = x.shape[0]! * x.shape[1]! * x.shape[2]!;
  let a: TensorInfo | undefined;
  let b: TensorInfo | undefined;
  try {
    a = transpose(backend, view(x, [P, cin]), [1, 0]);
    b = copyOf(backend, dy, 0, [1, P, cout]); // a fresh tensor: the XNNPACK operator is cached by b's id
    return view(matMulFast(backend, view(a, [1, cin, P]), b, cin, P, cout), [1, 1, cin, cout]);
  } finally {
    dispose(backend, a, b);
  }
}
