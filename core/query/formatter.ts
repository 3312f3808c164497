/**
 * Attribute codes → an English description the parser reads back to the same codes
 * (parse(formatQuery(q)) = q for every query, tested property-wise). Clothing items are separated by
 * commas so a colour can never drift to the next garment.
 */
import { COLOURS, UNKNOWN, attributeByKey, type AttributeCodes, type AttributeKey } from '../attributes/schema';

const HEIGHT = ['very short', 'short', 'average-height', 'tall', 'very tall'];
const BUILD = ['very slim', 'slim', 'average-build', 'large', 'very large'];
const PATTERN = ['plain', 'checked', 'diagonal-striped', 'vertical-striped', 'horizontal-striped', 'spotted', 'picture-print'];
const TORSO_TYPE = ['long-sleeve', 'short-sleeve', 'sleeveless'];
const LEG_NOUN = ['long pants', 'dress', 'skirt', 'long shorts', 'short shorts'];

function known(codes: AttributeCodes, key: AttributeKey): number | undefined {
  const c = codes[key];
  return c === undefined || c === UNKNOWN ? undefined : c;
}

function colourWord(code: number): string {
  return code === 11 ? 'skin-coloured' : COLOURS[code]!;
}

function withArticle(words: string): string {
  return `${/^[aeiou]/.test(words) ? 'an' : 'a'} ${words}`;
}

/**
 * "red and white checked long-sleeve top", "top with second colour white"…; undefined when nothing
 * about the garment is known. `noun` names the garment (a neutral word when its type is unknown).
 */
function garment(
  codes: AttributeCodes, first: AttributeKey, second: AttributeKey | undefined, extras: string[], noun: string, typed: boolean,
): string | undefined {
  const c1 = known(codes, first);
  const c2 = second ? known(codes, second) : undefined;
  if (c1 === undefined && c2 === undefined && extras.length === 0 && !typed) return undefined;
  const words: string[] = [];
  if (c1 !== undefined) words.push(colourWord(c1));
  if (c1 !== undefined && c2 !== undefined) words.push('and', colourWord(c2));
  words.push(...extras, noun);
  if (c1 === undefined && c2 !== undefined) words.push('with second colour', colourWord(c2));
  return words.join(' ');
}

export function formatQuery(codes: AttributeCodes): string {
  const gender = known(codes, 'gender');
  const height = known(codes, 'height');
  const build = known(codes, 'build');
  const head = [
    height !== undefined ? HEIGHT[height] : undefined,
    build !== undefined ? BUILD[build] : undefined,
    gender === 0 ? 'man' : gender === 1 ? 'woman' : 'person',
  ].filter((w) => w !== undefined).join(' ');
  let text = withArticle(head);
  const age = known(codes, 'age');
  if (age !== undefined) text += ` aged ${attributeByKey('age').values[age]}`;

  const looks: string[] = [];
  const skin = known(codes, 'skin');
  const hair = known(codes, 'hair');
  if (skin !== undefined) looks.push(`${attributeByKey('skin').values[skin]} skin`);
  if (hair !== undefined) looks.push(`${attributeByKey('hair').values[hair]} hair`);
  if (looks.length) text += `, with ${looks.join(' and ')}`;

  const clothes: string[] = [];
  const torsoPattern = known(codes, 'torsoPattern');
  const torsoType = known(codes, 'torsoType');
  const torsoExtras = [
    ...(torsoPattern !== undefined ? [PATTERN[torsoPattern]!] : []),
    ...(torsoType !== undefined ? [TORSO_TYPE[torsoType]!] : []),
  ];
  const torso = garment(codes, 'torsoColour', 'torsoSecondColour', torsoExtras, 'top', false);
  if (torso !== undefined) clothes.push(withArticle(torso));

  const legPattern = known(codes, 'legPattern');
  const legType = known(codes, 'legType');
  const legExtras = legPattern !== undefined ? [PATTERN[legPattern]!] : [];
  const legs = garment(codes, 'legColour', 'legSecondColour', legExtras, legType !== undefined ? LEG_NOUN[legType]! : 'legwear', legType !== undefined);
  if (legs !== undefined) clothes.push(legs);

  const shoe = known(codes, 'shoeColour');
  if (shoe !== undefined) clothes.push(`${colourWord(shoe)} shoes`);
  if (clothes.length) text += `, wearing ${clothes.join(', ')}`;

  const luggage = known(codes, 'luggage');
  if (luggage === 0) text += ', carrying luggage';
  if (luggage === 1) text += ', without luggage';
  return text;
}
