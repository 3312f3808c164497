/**
 * Re-cutting a trained pixel skip (`model.compact.pixelSkip`, core/model/backbones.ts) for a finer
 * block without changing what the model computes, so `fastpr train --init` can continue a trained
 * model with more of each cell's pixels.
 *
 * Per cell the skip's 1×1 conv reads r×r pooled pixels × RGB (r = cell px / block), channel
 * (ry·r + rx)·3 + c. A pooled pixel at block b is the mean of the f×f pooled pixels at block b/f
 * it covers (non-overlapping windows), so W'[(ry'·r' + rx')·3 + c] = W[((ry'/f)·r + (rx'/f))·3 + c] / f²
 * gives the same sum: the new channels start as an even split of the old ones, not at zero (which
 * would throw the trained colour path away) — the training then learns what the finer pixels add.
 */
import type { NamedArray } from './weightsFile';

export const PIXEL_SKIP_KERNEL = 'backbone.pixel.kernel';

/** Pooled pixels along a cell side for a kernel's input channels (r²·3), or null. */
function sideOf(channels: number): number | null {
  const r = Math.round(Math.sqrt(channels / 3));
  return r > 0 && r * r * 3 === channels ? r : null;
}

/**
 * The kernel [1, 1, r²·3, M] re-cut for `shape` [1, 1, r'²·3, M] (r' a multiple of r), or null when
 * the shapes are not such a pair (then the weight is not carried over, as any other shape change).
 */
export function recutPixelSkipKernel(kernel: NamedArray, shape: readonly number[]): NamedArray | null {
  const [kh, kw, cin, cout] = kernel.shape;
  if (kernel.shape.length !== 4 || shape.length !== 4 || kh !== 1 || kw !== 1 || shape[0] !== 1 || shape[1] !== 1 || shape[3] !== cout) return null;
  const r = sideOf(cin!), r2 = sideOf(shape[2]!);
  if (r === null || r2 === null || r2 <= r || r2 % r !== 0) return null;
  const f = r2 / r, M = cout!;
  const data = new Float32Array(r2 * r2 * 3 * M);
  for (let ry = 0; ry < r2; ry++) for (let rx = 0; rx < r2; rx++) for (let c = 0; c < 3; c++) {
    const to = ((ry * r2 + rx) * 3 + c) * M;
    const from = ((Math.floor(ry / f) * r + Math.floor(rx / f)) * 3 + c) * M;
    for (let o = 0; o < M; o++) data[to + o] = kernel.data[from + o]! / (f * f);
  }
  return { name: kernel.name, shape: [...shape], data };
}
