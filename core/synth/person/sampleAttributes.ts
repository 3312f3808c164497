/**
 * Samples one person's 16 attributes and the appearance choices the attributes do not fix
 * (exact height in cm, hair length, luggage kind…).
 *
 * Distributions roughly follow street footage, with every value kept at ≥ ~2% of people so a
 * 2,000-frame set shows all of them (the coverage test and `fastpr dataset stats` check this).
 *
 * Second colours (decision): a patterned garment always has a second colour (the pattern's). A plain
 * garment has a visible trim (collar, cuffs, hem band) in a second colour with probability
 * PLAIN_TRIM_SHARE, labelled as that colour; otherwise its second colour is unknown (-1).
 * A dress is one garment: torso colour, second colour and pattern equal the leg ones.
 */
import type { AttributeCodes } from '../../attributes/schema';
import type { Rng } from '../rng';

export const PLAIN_TRIM_SHARE = 0.35;

export type LuggageKind = 'backpack' | 'handbag' | 'suitcase';

export interface Appearance {
  attributes: Required<AttributeCodes>;
  /** Body height, metres (inside the height code's band). */
  heightM: number;
  /** Width multiplier from build. */
  widthScale: number;
  hairLength: 'shaved' | 'short' | 'medium' | 'long';
  luggage?: LuggageKind;
  /** Whether a plain torso/leg garment shows its trim colour. */
  torsoTrim: boolean;
  legTrim: boolean;
}

// Colour codes: black, blue, brown, green, grey, orange, pink, purple, red, white, yellow, skin.
const TORSO_COLOUR_W = [20, 12, 6, 6, 10, 4, 5, 4, 7, 12, 4, 3.2];
const LEG_COLOUR_W = [24, 22, 8, 4, 12, 3, 3.5, 3, 4, 6, 3, 3.2];
const SHOE_COLOUR_W = [34, 6, 12, 3, 8, 3, 3, 3, 4, 20, 3, 3.2];
const SECOND_COLOUR_W = [14, 10, 6, 7, 9, 6, 6, 6, 9, 14, 7, 4];
const TORSO_PATTERN_W = [52, 9, 6, 7, 9, 6, 11];
const LEG_PATTERN_W = [56, 8, 6, 7, 7, 6, 10];
const AGE_W = [14, 28, 25, 18, 15];
const BUILD_W = [10, 25, 36, 19, 10];
const SKIN_W = [50, 28, 22];
const TORSO_TYPE_W = [50, 37, 13];
// Height codes by gender.
const HEIGHT_W = [[4, 14, 36, 32, 14], [13, 33, 36, 14, 4]];
// Leg type: long pants, dress, skirt, long shorts, short shorts; by gender.
const LEG_TYPE_W = [[58, 0.6, 1.2, 24, 16], [36, 18, 22, 8, 16]];
const HEIGHT_BANDS_CM: ReadonlyArray<readonly [number, number]> = [[142, 154], [156, 166], [167, 176], [177, 186], [188, 200]];
const BUILD_SCALE = [0.78, 0.9, 1.0, 1.17, 1.36];

function otherColour(rng: Rng, not: number): number {
  const w = SECOND_COLOUR_W.map((x, i) => (i === not ? 0 : x));
  return rng.weighted(w);
}

export function sampleAppearance(rng: Rng): Appearance {
  const gender = rng.chance(0.5) ? 0 : 1;
  const age = rng.weighted(AGE_W);
  const hw = [...HEIGHT_W[gender]!];
  if (age === 0) { hw[0]! *= 2.2; hw[1]! *= 1.5; hw[4]! *= 0.5; }
  const height = rng.weighted(hw);
  const build = rng.weighted(BUILD_W);
  const skin = rng.weighted(SKIN_W);
  const hairW = [15, 30, 40, 6, age === 4 ? 90 : age === 3 ? 20 : 2, 6];
  if (skin === 2) { hairW[0] = 3; hairW[3] = 2; }
  const hair = rng.weighted(hairW);
  const hairLength = hair === 5 && rng.chance(0.3)
    ? 'shaved'
    : gender === 1
      ? (['short', 'medium', 'long'] as const)[rng.weighted([18, 32, 50])]!
      : (['shaved', 'short', 'medium', 'long'] as const)[rng.weighted([8, 78, 10, 4])]!;

  const legType = rng.weighted(LEG_TYPE_W[gender]!);
  const legColour = rng.weighted(LEG_COLOUR_W);
  const legPattern = rng.weighted(LEG_PATTERN_W);
  const legTrim = legPattern === 0 && rng.chance(PLAIN_TRIM_SHARE);
  const legSecondColour = legPattern !== 0 || legTrim ? otherColour(rng, legColour) : -1;

  let torsoColour = rng.weighted(TORSO_COLOUR_W);
  let torsoPattern = rng.weighted(TORSO_PATTERN_W);
  let torsoTrim = torsoPattern === 0 && rng.chance(PLAIN_TRIM_SHARE);
  let torsoSecondColour = torsoPattern !== 0 || torsoTrim ? otherColour(rng, torsoColour) : -1;
  if (legType === 1) {
    torsoColour = legColour;
    torsoPattern = legPattern;
    torsoTrim = legTrim;
    torsoSecondColour = legSecondColour;
  }
  const torsoType = rng.weighted(TORSO_TYPE_W);
  const shoeColour = rng.weighted(SHOE_COLOUR_W);
  const hasLuggage = rng.chance(0.42);
  const luggage: LuggageKind | undefined = hasLuggage
    ? (['backpack', 'handbag', 'suitcase'] as const)[rng.weighted(gender === 1 ? [40, 42, 18] : [60, 18, 22])]
    : undefined;
  const [lo, hi] = HEIGHT_BANDS_CM[height]!;
  return {
    attributes: {
      age, gender, height, build, skin, hair,
      torsoColour, torsoSecondColour, torsoType, torsoPattern,
      legColour, legSecondColour, legType, legPattern,
      shoeColour, luggage: hasLuggage ? 0 : 1,
    },
    heightM: rng.uniform(lo, hi) / 100,
    widthScale: BUILD_SCALE[build]! * rng.uniform(0.96, 1.04),
    hairLength,
    luggage,
    torsoTrim,
    legTrim,
  };
}
