/**
 * RGB shades for every named colour of the schema (COLOURS order), skin tones and hair colours.
 * Shades stay well inside their colour name under mild lighting changes, so the annotation stays
 * truthful to what is drawn.
 */
import type { Rng } from './rng';

type RGB = readonly [number, number, number];

/** Indexed by colour code: black, blue, brown, green, grey, orange, pink, purple, red, white, yellow, skin. */
export const GARMENT_SHADES: readonly (readonly RGB[])[] = [
  [[22, 22, 25], [38, 36, 38], [18, 20, 28]],
  [[30, 62, 160], [52, 95, 190], [28, 45, 120], [70, 120, 205]],
  [[112, 70, 38], [140, 94, 52], [92, 60, 34], [160, 112, 66]],
  [[36, 125, 50], [70, 145, 58], [30, 96, 44], [96, 155, 76]],
  [[122, 122, 122], [150, 150, 153], [98, 100, 104], [172, 172, 170]],
  [[238, 122, 28], [222, 100, 20], [250, 150, 58]],
  [[242, 150, 188], [228, 108, 162], [250, 182, 204]],
  [[112, 48, 142], [134, 70, 165], [90, 38, 112]],
  [[196, 28, 34], [165, 20, 30], [224, 52, 50]],
  [[236, 236, 236], [246, 246, 240], [222, 224, 228]],
  [[242, 212, 40], [232, 192, 28], [250, 228, 92]],
  [[226, 190, 160], [212, 170, 136], [236, 206, 180]],
];

/** Skin code 0 light, 1 medium, 2 dark. */
export const SKIN_SHADES: readonly (readonly RGB[])[] = [
  [[238, 204, 178], [228, 188, 160], [242, 214, 190]],
  [[198, 148, 106], [182, 130, 92], [205, 160, 118]],
  [[112, 76, 50], [88, 58, 40], [126, 86, 58]],
];

/** Hair code 0 blonde, 1 brown, 2 dark, 3 red, 4 grey; 5 "other" is dyed (see OTHER_HAIR) or shaved. */
export const HAIR_SHADES: readonly (readonly RGB[])[] = [
  [[222, 192, 122], [204, 168, 96]],
  [[104, 66, 36], [82, 52, 30]],
  [[26, 21, 19], [42, 32, 26]],
  [[168, 62, 26], [186, 84, 42]],
  [[172, 172, 172], [204, 204, 200], [146, 146, 148]],
  [[150, 60, 172], [40, 90, 200], [235, 80, 160], [40, 160, 90]],
];

export const LUGGAGE_SHADES: readonly RGB[] = [
  [25, 25, 28], [60, 60, 64], [40, 50, 95], [120, 30, 30], [90, 70, 45], [30, 80, 60], [150, 150, 150],
];

function channel(v: number, shade: number): number {
  return Math.max(0, Math.min(255, Math.round(v * shade)));
}

export function css(c: RGB, shade = 1): string {
  return `rgb(${channel(c[0], shade)},${channel(c[1], shade)},${channel(c[2], shade)})`;
}

export function garmentColour(rng: Rng, code: number): RGB {
  return rng.pick(GARMENT_SHADES[code]!);
}

export type { RGB };
