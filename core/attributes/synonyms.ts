/**
 * Everyday words for the SoftBioSearch attribute values: the vocabulary the free-text query parser
 * understands and the UI can show as hints.
 *
 * Phrases are written normalised: lower case, words separated by one space, hyphens written as
 * spaces ("long-sleeved" is "long sleeved", "t-shirt" is "t shirt"). Codes are schema.ts codes.
 * Choices where English is ambiguous are documented next to the entry; they are the parser's rules.
 */
import type { AttributeKey } from './schema';

/** Colour words → colour code (COLOURS order: 0 black … 11 skin). */
export const COLOUR_WORDS: Readonly<Record<string, number>> = {
  // 0 black
  black: 0, 'jet black': 0, ebony: 0,
  // 1 blue — indigo and denim are the usual blues of jeans
  blue: 1, navy: 1, 'navy blue': 1, cyan: 1, turquoise: 1, aqua: 1, teal: 1, azure: 1, cobalt: 1,
  'sky blue': 1, 'royal blue': 1, 'baby blue': 1, indigo: 1, denim: 1,
  // 2 brown
  brown: 2, beige: 2, tan: 2, khaki: 2, camel: 2, chocolate: 2, coffee: 2, caramel: 2, taupe: 2,
  bronze: 2, rust: 2, mocha: 2, sand: 2, sandy: 2,
  // 3 green
  green: 3, olive: 3, lime: 3, emerald: 3, mint: 3, sage: 3, jade: 3, 'forest green': 3,
  'army green': 3, 'bottle green': 3,
  // 4 grey
  grey: 4, gray: 4, charcoal: 4, silver: 4, slate: 4, ash: 4,
  // 5 orange
  orange: 5, peach: 5, coral: 5, salmon: 5, amber: 5, tangerine: 5, apricot: 5,
  // 6 pink
  pink: 6, magenta: 6, fuchsia: 6, rose: 6, 'hot pink': 6,
  // 7 purple
  purple: 7, violet: 7, lilac: 7, lavender: 7, mauve: 7, plum: 7,
  // 8 red
  red: 8, maroon: 8, crimson: 8, burgundy: 8, scarlet: 8, wine: 8, cherry: 8, ruby: 8, claret: 8,
  oxblood: 8,
  // 9 white
  white: 9, cream: 9, ivory: 9, 'off white': 9, snow: 9,
  // 10 yellow
  yellow: 10, gold: 10, golden: 10, mustard: 10, lemon: 10,
  // 11 skin (bare skin or skin-coloured clothing)
  'skin coloured': 11, 'skin colored': 11, 'skin colour': 11, 'skin color': 11, 'skin tone': 11,
  'flesh coloured': 11, 'flesh colored': 11, nude: 11,
};

/** Words that only shade a following colour ("light blue" is blue). */
export const COLOUR_MODIFIERS: readonly string[] = ['light', 'dark', 'bright', 'pale', 'deep', 'pastel', 'neon', 'faded'];

/** Hair colour phrases → Hair code (0 blonde, 1 brown, 2 dark, 3 red, 4 grey, 5 other). */
export const HAIR_WORDS: Readonly<Record<string, number>> = (() => {
  const byColour: Record<string, number> = {
    blonde: 0, blond: 0, fair: 0, golden: 0, yellow: 0, 'light blonde': 0, 'strawberry blonde': 0,
    brown: 1, brunette: 1, chestnut: 1, 'light brown': 1,
    dark: 2, black: 2, 'jet black': 2, 'dark brown': 2,
    red: 3, ginger: 3, auburn: 3, copper: 3,
    grey: 4, gray: 4, white: 4, silver: 4, greying: 4, graying: 4,
    // "other": dyed or unnatural hair colours
    other: 5, 'other coloured': 5, 'other colored': 5, dyed: 5, blue: 5, green: 5, pink: 5, purple: 5,
  };
  const out: Record<string, number> = {};
  for (const [word, code] of Object.entries(byColour)) {
    out[`${word} hair`] = code;
    out[`${word} haired`] = code;
  }
  // Standalone nouns and adjectives that can only mean hair.
  Object.assign(out, { blonde: 0, blond: 0, brunette: 1, redhead: 3, ginger: 3, greying: 4, graying: 4 });
  return out;
})();

/** Skin phrases → Skin code (0 light, 1 medium, 2 dark). "light"/"dark" need "skin" after them. */
export const SKIN_WORDS: Readonly<Record<string, number>> = (() => {
  const byWord: Record<string, number> = {
    light: 0, fair: 0, pale: 0, white: 0,
    medium: 1, olive: 1, tan: 1, tanned: 1, brown: 1,
    dark: 2, black: 2,
  };
  const out: Record<string, number> = {};
  for (const [word, code] of Object.entries(byWord)) {
    for (const noun of ['skin', 'skinned', 'complexion', 'complexioned']) out[`${word} ${noun}`] = code;
  }
  return out;
})();

/** Gender words → Gender code (0 male, 1 female). Pronouns are weak evidence (see PRONOUNS). */
export const GENDER_WORDS: Readonly<Record<string, number>> = {
  man: 0, men: 0, male: 0, guy: 0, boy: 0, gentleman: 0, gent: 0, bloke: 0, lad: 0, mr: 0, sir: 0,
  father: 0, dad: 0, husband: 0, son: 0, he: 0, him: 0, his: 0, himself: 0,
  woman: 1, women: 1, female: 1, girl: 1, lady: 1, ladies: 1, gal: 1, lass: 1, mrs: 1, ms: 1, miss: 1,
  mother: 1, mum: 1, mom: 1, wife: 1, daughter: 1, she: 1, her: 1, hers: 1, herself: 1,
};
/** Gender words that are only weak evidence: an explicit word ("a woman … his bag") wins. */
export const WEAK_GENDER_WORDS: ReadonlySet<string> = new Set(['he', 'him', 'his', 'himself', 'she', 'her', 'hers', 'herself']);
/** Words that also say the person is young (weakly: "young girl" keeps "young"). */
export const CHILD_WORDS: ReadonlySet<string> = new Set(['boy', 'girl']);

/**
 * Age phrases → Age code (0 under 20, 1 15-35, 2 25-45, 3 35-55, 4 over 50). Numbers are handled by
 * ageFromYears (the parser reads "aged 30", "in his 30s", "under 20", "25-45").
 */
export const AGE_WORDS: Readonly<Record<string, number>> = {
  teen: 0, teens: 0, teenager: 0, teenage: 0, teenaged: 0, adolescent: 0, kid: 0, child: 0, youngster: 0,
  youth: 0, juvenile: 0, minor: 0, schoolboy: 0, schoolgirl: 0,
  young: 1, 'young adult': 1, youthful: 1, twenties: 1,
  thirties: 2,
  'middle aged': 3, middleaged: 3, 'mid aged': 3, forties: 3,
  elderly: 4, old: 4, older: 4, senior: 4, pensioner: 4, retiree: 4,
  fifties: 4, sixties: 4, seventies: 4, eighties: 4,
};

/**
 * Years → Age code. The dataset's ranges overlap, so each code owns the years nearest its centre:
 * < 20 → 0, 20–29 → 1, 30–39 → 2, 40–49 → 3, ≥ 50 → 4. A range "a-b" that is not exactly one of the
 * dataset's ranges maps by its midpoint.
 */
export function ageFromYears(years: number): number {
  if (years < 20) return 0;
  if (years < 30) return 1;
  if (years < 40) return 2;
  if (years < 50) return 3;
  return 4;
}

/** Height phrases → Height code (0 very short, 1 short, 2 average, 3 tall, 4 very tall). */
export const HEIGHT_WORDS: Readonly<Record<string, number>> = {
  'very short': 0, 'really short': 0, 'extremely short': 0, tiny: 0,
  short: 1, shortish: 1,
  'average height': 2, 'medium height': 2, 'normal height': 2, 'mid height': 2, 'average sized': 2,
  tall: 3, tallish: 3,
  'very tall': 4, 'really tall': 4, 'extremely tall': 4, towering: 4,
};

/** Build phrases → Build code (0 very slim, 1 slim, 2 average, 3 large, 4 very large). */
export const BUILD_WORDS: Readonly<Record<string, number>> = {
  'very slim': 0, 'very thin': 0, 'really thin': 0, 'very skinny': 0, skinny: 0, scrawny: 0,
  slim: 1, thin: 1, slender: 1, lean: 1, petite: 1, slight: 1,
  'average build': 2, 'medium build': 2, 'normal build': 2, 'regular build': 2,
  large: 3, heavy: 3, heavyset: 3, 'heavy set': 3, stocky: 3, chubby: 3, plump: 3, big: 3,
  overweight: 3, muscular: 3, burly: 3, 'well built': 3,
  'very large': 4, 'very heavy': 4, 'very big': 4, obese: 4, fat: 4, 'very fat': 4,
};

/** Torso-Type phrases (0 long sleeve, 1 short sleeve, 2 no sleeve). */
export const TORSO_TYPE_WORDS: Readonly<Record<string, number>> = {
  'long sleeve': 0, 'long sleeves': 0, 'long sleeved': 0, longsleeve: 0, longsleeved: 0,
  'short sleeve': 1, 'short sleeves': 1, 'short sleeved': 1, shortsleeve: 1, shortsleeved: 1,
  sleeveless: 2, 'no sleeve': 2, 'no sleeves': 2, 'without sleeves': 2, strapless: 2,
};

/**
 * Pattern phrases → Torso-/Leg-Pattern code (0 plain, 1 check, 2 diagonal stripe, 3 vertical stripe,
 * 4 horizontal stripe, 5 spots, 6 picture). Plain "striped"/"stripes" means horizontal stripes,
 * the most common stripe on clothing; "pinstripe" means vertical.
 */
export const PATTERN_WORDS: Readonly<Record<string, number>> = {
  plain: 0, solid: 0, 'solid coloured': 0, 'solid colored': 0, 'plain coloured': 0, 'plain colored': 0,
  check: 1, checked: 1, checks: 1, checkered: 1, checkerboard: 1, chequered: 1, plaid: 1, tartan: 1, gingham: 1,
  'diagonal stripe': 2, 'diagonal stripes': 2, 'diagonal striped': 2, 'diagonally striped': 2,
  'vertical stripe': 3, 'vertical stripes': 3, 'vertical striped': 3, 'vertically striped': 3,
  pinstripe: 3, pinstriped: 3, 'pin stripe': 3, 'pin striped': 3,
  'horizontal stripe': 4, 'horizontal stripes': 4, 'horizontal striped': 4, 'horizontally striped': 4,
  striped: 4, stripes: 4, stripe: 4, stripy: 4, stripey: 4, breton: 4,
  spots: 5, spotted: 5, spotty: 5, dots: 5, dotted: 5, 'polka dot': 5, 'polka dots': 5, 'polka dotted': 5,
  picture: 6, 'picture print': 6, printed: 6, print: 6, graphic: 6, logo: 6,
};

export type GarmentPart = 'torso' | 'legs' | 'shoes';

export interface GarmentWord {
  part: GarmentPart;
  /** Leg-Type the word names (trousers are long pants). */
  legType?: number;
  /** Torso-Type the word suggests; weak, an explicit sleeve word wins ("long-sleeve t-shirt"). */
  torsoType?: number;
}

const torso = (torsoType?: number): GarmentWord => (torsoType === undefined ? { part: 'torso' } : { part: 'torso', torsoType });
const legs = (legType?: number): GarmentWord => (legType === undefined ? { part: 'legs' } : { part: 'legs', legType });

/**
 * Clothing words. A dress is a Leg-Type in the dataset, so its colour is the leg colour.
 * Plain "shorts" means short shorts; knee-length shorts are "long shorts".
 */
export const GARMENT_WORDS: Readonly<Record<string, GarmentWord>> = {
  top: torso(), tops: torso(), shirt: torso(), shirts: torso(), blouse: torso(), jersey: torso(),
  torso: torso(), 'upper body': torso(), tunic: torso(), uniform: torso(), 'button up': torso(),
  't shirt': torso(1), tshirt: torso(1), tee: torso(1), 'tee shirt': torso(1), polo: torso(1), 'polo shirt': torso(1),
  sweater: torso(0), jumper: torso(0), pullover: torso(0), sweatshirt: torso(0), hoodie: torso(0), hoody: torso(0),
  cardigan: torso(0), jacket: torso(0), coat: torso(0), overcoat: torso(0), raincoat: torso(0), blazer: torso(0),
  parka: torso(0), anorak: torso(0), fleece: torso(0), windbreaker: torso(0), 'suit jacket': torso(0),
  'tank top': torso(2), tank: torso(2), vest: torso(2), singlet: torso(2), camisole: torso(2), cami: torso(2),
  'tube top': torso(2),
  trousers: legs(0), pants: legs(0), jeans: legs(0), slacks: legs(0), chinos: legs(0), leggings: legs(0),
  joggers: legs(0), sweatpants: legs(0), trackpants: legs(0), 'track pants': legs(0), 'tracksuit bottoms': legs(0),
  'cargo pants': legs(0), 'long pants': legs(0), 'long trousers': legs(0),
  dress: legs(1), dresses: legs(1), gown: legs(1), sundress: legs(1),
  skirt: legs(2), skirts: legs(2), miniskirt: legs(2), 'mini skirt': legs(2), 'long skirt': legs(2),
  'short skirt': legs(2), 'maxi skirt': legs(2),
  'long shorts': legs(3), 'bermuda shorts': legs(3), bermudas: legs(3), 'knee length shorts': legs(3),
  'cargo shorts': legs(3), 'board shorts': legs(3),
  shorts: legs(4), 'short shorts': legs(4), 'hot pants': legs(4), hotpants: legs(4),
  legwear: legs(), bottoms: legs(), 'lower body': legs(), legs: legs(),
  shoes: { part: 'shoes' }, shoe: { part: 'shoes' }, sneakers: { part: 'shoes' }, sneaker: { part: 'shoes' },
  trainers: { part: 'shoes' }, boots: { part: 'shoes' }, boot: { part: 'shoes' }, sandals: { part: 'shoes' },
  heels: { part: 'shoes' }, 'high heels': { part: 'shoes' }, footwear: { part: 'shoes' }, loafers: { part: 'shoes' },
  flats: { part: 'shoes' }, runners: { part: 'shoes' }, slippers: { part: 'shoes' }, 'flip flops': { part: 'shoes' },
};

/** Luggage words: mentioning one means Luggage 0 (yes); negated ("no bag", "without luggage") 1 (no). */
export const LUGGAGE_WORDS: readonly string[] = [
  'luggage', 'baggage', 'bag', 'bags', 'backpack', 'backpacks', 'rucksack', 'knapsack', 'suitcase', 'suitcases',
  'handbag', 'purse', 'briefcase', 'satchel', 'tote', 'shoulder bag', 'trolley', 'holdall', 'duffel bag',
  'duffle bag', 'carry on', 'case',
];
/** Phrases that themselves mean Luggage 1 (no). */
export const NO_LUGGAGE_WORDS: readonly string[] = ['empty handed'];

/** Every phrase for one attribute value, for UI hints and coverage tests. */
export function synonymsFor(key: AttributeKey, code: number): string[] {
  const pick = (table: Readonly<Record<string, number>>) => Object.keys(table).filter((w) => table[w] === code);
  switch (key) {
    case 'torsoColour': case 'torsoSecondColour': case 'legColour': case 'legSecondColour': case 'shoeColour':
      return pick(COLOUR_WORDS);
    case 'hair': return pick(HAIR_WORDS);
    case 'skin': return pick(SKIN_WORDS);
    case 'gender': return pick(GENDER_WORDS);
    case 'age': return pick(AGE_WORDS);
    case 'height': return pick(HEIGHT_WORDS);
    case 'build': return pick(BUILD_WORDS);
    case 'torsoType':
      return [...pick(TORSO_TYPE_WORDS), ...Object.keys(GARMENT_WORDS).filter((w) => GARMENT_WORDS[w]!.torsoType === code)];
    case 'torsoPattern': case 'legPattern': return pick(PATTERN_WORDS);
    case 'legType': return Object.keys(GARMENT_WORDS).filter((w) => GARMENT_WORDS[w]!.legType === code);
    case 'luggage': return code === 0 ? [...LUGGAGE_WORDS] : ['no luggage', 'no bag', 'without luggage', ...NO_LUGGAGE_WORDS];
  }
}
