/**
 * Display colours of the 12 SoftBioSearch colour values, for swatches in the search form and
 * reports. Chosen to be told apart on a dark background; `skin` is a mid skin tone.
 */
import { COLOURS } from './schema';

export const COLOUR_SWATCHES = {
  black: '#111111',
  blue: '#2f6fe0',
  brown: '#7a4a22',
  green: '#2e9a45',
  grey: '#8a8f96',
  orange: '#f08a1c',
  pink: '#f28ab8',
  purple: '#8a3fc8',
  red: '#d9302c',
  white: '#f4f4f4',
  yellow: '#f2d21b',
  skin: '#d8a27e',
} as const satisfies Record<(typeof COLOURS)[number], `#${string}`>;

/** The swatch of a colour value's display name, undefined for a non-colour. */
export function swatchOf(name: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(COLOUR_SWATCHES, name) ? COLOUR_SWATCHES[name as keyof typeof COLOUR_SWATCHES] : undefined;
}
