/**
 * Model input from a frame ffmpeg has already shrunk (FrameStream `scaled`): only the placement
 * (letterbox padding) and the ImageNet normalisation are left for JS, one table lookup per byte.
 *
 * The geometry is preprocessFrame's (core/model/preprocess.ts, the training preprocessing) for a
 * whole frame without crop or flip, so the InputTransform stored in the index stays valid. The
 * pixels differ from preprocessFrame only by swscale's fixed-point bilinear filter and the 8-bit
 * rounding of its output (measured on a 704×576 synthetic frame: max |Δ| 0.038, mean 0.004 in
 * normalised units, i.e. about two grey levels at worst; bench:video prints it).
 */
import { inputPlacement, NORM_MEAN, NORM_STD, type InputPlacement } from '../model/preprocess';

/** Where a width×height frame lands in the model input: preprocessFrame's own placement. */
export type ScaledGeometry = InputPlacement;
export const scaledGeometry = inputPlacement;

/** (v/255 − mean)/std per channel for every byte value, computed as preprocessFrame does. */
const LUT: Float32Array[] = [0, 1, 2].map((c) => {
  const k = 1 / (255 * NORM_STD[c]!);
  const m = NORM_MEAN[c]! / NORM_STD[c]!;
  return Float32Array.from({ length: 256 }, (_, v) => v * k - m);
});

/**
 * Writes one normalised NHWC input [size·size·3] at dst[offset…]: the scaled RGB placed at
 * (padX, padY), padding 0 (the mean colour after normalisation).
 */
export function normaliseScaled(rgb: Uint8Array, g: ScaledGeometry, dst: Float32Array, offset: number): void {
  const { size } = g;
  const [l0, l1, l2] = LUT as [Float32Array, Float32Array, Float32Array];
  dst.fill(0, offset, offset + size * size * 3);
  for (let y = 0; y < g.height; y++) {
    let s = y * g.width * 3;
    let d = offset + ((g.padY + y) * size + g.padX) * 3;
    for (let x = 0; x < g.width; x++, s += 3, d += 3) {
      dst[d] = l0[rgb[s]!]!;
      dst[d + 1] = l1[rgb[s + 1]!]!;
      dst[d + 2] = l2[rgb[s + 2]!]!;
    }
  }
}
