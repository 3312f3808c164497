/**
 * Conv2DBackpropInput for wasm (the stock kernel is a naive scalar loop).
 *
 * With u = y + pad_top the padded input row, u = s·q + r (r the stride phase):
 *   dx[u] = Σ_m dy[q − m] · W[r + s·m]
 * i.e. for each phase a stride-1 correlation of dy with the phase's taps of the spatially flipped,
 * in/out-swapped filter. All s_h·s_w phases run as ONE forward conv whose output channels are
 * (phase, C_in): every phase gets ceil(k/s) taps, zero where the phase has fewer. Stride 1 is the
 * single-phase case. The phase outputs [N, Q_h, Q_w, s_h, s_w, C_in] are interleaved by one
 * transpose to [N, Q_h, s_h, Q_w, s_w, C_in] = the padded dx, then cropped by (pad_top, pad_left).
 * A 1×1 kernel has a single non-empty phase: its output is zero-dilated by one PadV2 instead.
 */
import { Conv2DBackpropInput, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { matMulFast } from './batchMatMul';
import { assertNHWC, conv2d, convGeometry, crop4d, dispose, f32, run, transpose, view, type KernelArgs, type Shape4, type WasmBackend } from './wasmOps';

/**
 * Phase filter F[m'h, m'w, co, (rh·sw + rw)·C_in + ci] = W[rh + sh·(Kh−1−m'h), rw + sw·(Kw−1−m'w), ci, co]
 * (0 outside the kernel), from W [kh, kw, C_in, C_out].
 */
export function phaseFilter(w: Float32Array, [kh, kw, cin, cout]: Shape4, sh: number, sw: number, out: Float32Array): void {
  const Kh = Math.ceil(kh / sh), Kw = Math.ceil(kw / sw);
  const oc = sh * sw * cin;
  out.fill(0);
  for (let mh = 0; mh < Kh; mh++) {
    for (let rh = 0; rh < sh; rh++) {
      const a = rh + sh * (Kh - 1 - mh);
      if (a >= kh) continue;
      for (let mw = 0; mw < Kw; mw++) {
        for (let rw = 0; rw < sw; rw++) {
          const bb = rw + sw * (Kw - 1 - mw);
          if (bb >= kw) continue;
          const phaseOff = (rh * sw + rw) * cin;
          for (let ci = 0; ci < cin; ci++) {
            const src = ((a * kw + bb) * cin + ci) * cout;
            let dst = ((mh * Kw + mw) * cout) * oc + phaseOff + ci;
            for (let co = 0; co < cout; co++, dst += oc) out[dst] = w[src + co]!;
          }
        }
      }
    }
  }
}

export function conv2dBackpropInputWasm({ inputs, backend: b, attrs = {} }: KernelArgs): TensorInfo {
  const backend = b as WasmBackend;
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  assertNHWC('Conv2DBackpropInput', attrs.dataFormat);
  const inputShape = attrs.inputShape as Shape4;
  const fShape = filter.shape as Shape4;
  const info = convGeometry(inputShape, fShape, attrs.strides as [number, number], attrs.pad, attrs.dimRoundingMode);
  const [n, inH, inW, cin] = inputShape;
  const [kh, kw, , cout] = fShape;
  const { strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow } = info;
  const { top, left } = info.padInfo;
  if (dy.shape[1] !== oh || dy.shape[2] !== ow || dy.shape[3] !== cout) {
    throw new Error(`Conv2DBackpropInput: dy ${dy.shape} does not match the conv output ${oh}x${ow}x${cout}`);
  }
  const Kh = Math.ceil(kh / sh), Kw = Math.ceil(kw / sw);
  // Phase rows q needed: u = s·q + r must cover [top, top + H).
  const qh = Math.ceil((inH + top) / sh), qw = Math.ceil((inW + left) / sw);

  if (kh === 1 && kw === 1 && sh * sw > 1) return conv1x1BackpropInput(backend, dy, filter, inputShape, sh, sw, top, left);
  if (kh === 1 && kw === 1 && top === 0 && left === 0 && oh === inH && ow === inW && cin * cout >= MATMUL_1X1_MIN_WEIGHTS) {
    return matMul1x1BackpropInput(backend, dy, filter, inputShape);
  }
  const f = backend.makeOutput([Kh, Kw, cout, sh * sw * cin], 'float32');
  phaseFilter(f32(backend, filter), fShape, sh, sw, f32(backend, f));
  let phases: TensorInfo | undefined;
  let inter: TensorInfo | undefined;
  try {
    // Output rows = oh + bottom ≥ qh (extra rows, when oh > qh, are cropped below).
    phases = conv2d(backend, dy, f, {
      pads: { top: Kh - 1, bottom: Math.max(0, qh - oh), left: Kw - 1, right: Math.max(0, qw - ow) },
    });
    const [, ph, pw] = phases.shape as Shape4;
    if (sh * sw === 1) return crop4d(backend, phases, top, left, inH, inW);
    // [N·Qh, Qw, sh, sw·C_in] → [N·Qh, sh, Qw, sw·C_in] is [N, Qh·sh, Qw·sw, C_in] in memory.
    inter = transpose(backend, view(phases, [n * ph, pw, sh, sw * cin]), [0, 2, 1, 3]);
    return crop4d(backend, view(inter, [n, ph * sh, pw * sw, cin]), top, left, inH, inW);
  } finally {
    dispose(backend, f, phases, inter);
  }
}

/**
 * 1×1, stride 1, no padding: dxᵀ [C_in, P] = W [C_in, C_out] · dyᵀ [C_out, P], one XNNPACK matMul in
 * which only the small dyᵀ is packed (W is streamed as is), then one transpose to dx [P, C_in]. The
 * conv form transposes W twice (phase filter, then the wasm Conv2D's own filter transpose) and packs
 * it on every call; dx = dy · Wᵀ as a matMul was measured no faster (83.7 vs 82.6 ms). Measured
 * (30 Nov, 15 interleaved pairs): the 4096→256 fusion conv 63.5 → 56.3 CPU-ms (faster in 14/15), but
 * 256→256 3.5 → 3.9 ms (the two transposes outweigh the packing saved), hence only for large W.
 */
export const MATMUL_1X1_MIN_WEIGHTS = 1 << 19;
function matMul1x1BackpropInput(backend: WasmBackend, dy: TensorInfo, filter: TensorInfo, [n, h, w, cin]: Shape4): TensorInfo {
  const cout = dy.shape[3]!;
  const P = n * h * w;
  let dyT: TensorInfo | undefined;
  let dxT: TensorInfo | undefined;
  try {
    dyT = transpose(backend, view(dy, [P, cout]), [1, 0]); // fresh: the matMul's operator-cache key
    dxT = matMulFast(backend, view(filter, [1, cin, cout]), dyT, cin, cout, P);
    return view(transpose(backend, view(dxT, [cin, P]), [1, 0]), [n, h, w, cin]);
  } finally {
    dispose(backend, dyT, dxT);
  }
}

/** 1×1, stride > 1: dx = zero-dilate(dy · Wᵀ), cropped by the pads. */
function conv1x1BackpropInput(
  backend: WasmBackend, dy: TensorInfo, filter: TensorInfo, [n, inH, inW, cin]: Shape4,
  sh: number, sw: number, top: number, left: number,
): TensorInfo {
  const [, oh, ow, cout] = dy.shape as Shape4;
  const wT = transpose(backend, view(filter, [cin, cout]), [1, 0]); // [C_out, C_in]
  let y: TensorInfo | undefined;
  let dil: TensorInfo | undefined;
  try {
    y = conv2d(backend, dy, view(wT, [1, 1, cout, cin]), { pads: { top: 0, bottom: 0, left: 0, right: 0 } });
    // Rows u = s·i + r of the padded input: r = 0 carries dy's row i, the others are zero.
    const hu = Math.max(oh * sh, inH + top), wu = Math.max(ow * sw, inW + left);
    dil = run('PadV2', backend, { x: view(y, [n, oh, 1, ow, 1, cin]) }, {
      paddings: [[0, 0], [0, Math.ceil(hu / sh) - oh], [0, sh - 1], [0, Math.ceil(wu / sw) - ow], [0, sw - 1], [0, 0]], constantValue: 0,
    });
    return crop4d(backend, view(dil, [n, Math.ceil(hu / sh) * sh, Math.ceil(wu / sw) * sw, cin]), top, left, inH, inW);
  } finally {
    dispose(backend, wT, y, dil);
  }
}

export const conv2dBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropInputWasm as unknown as KernelConfig['kernelFunc'],
};
