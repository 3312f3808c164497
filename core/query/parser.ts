/**
 * Free text → attribute codes. Deterministic rules, no model:
 *  - the longest known phrase wins ("short sleeve" before "short", "red hair" before "red");
 *  - colours, patterns and sleeve words form a run ("red and white striped long-sleeve") that belongs
 *    to the garment word right after it, else to the garment just before it ("a top in red"), else to
 *    the nearest garment in the same clause (clauses end at , . ; etc.); a run with no garment is ignored;
 *  - colours of one garment part, in order: first colour, second colour ("second colour X" names the
 *    second directly); more colours are ignored;
 *  - a negation only works for luggage ("no bag", "without luggage"); any other negated words are
 *    ignored and reported ("not wearing a hat");
 *  - explicit words beat weak hints (pronouns, "t-shirt" → short sleeve, "girl" → under 20); between
 *    equally strong words the first one wins and the later one is reported as a conflict.
 * Every token ends up as attribute, filler or ignored (with a reason): nothing is dropped silently.
 */
import { ageFromYears } from '../attributes/synonyms';
import { ATTRIBUTE_KEYS, displayValue, type AttributeCodes, type AttributeKey } from '../attributes/schema';
import type { GarmentPart } from '../attributes/synonyms';
import { lex, type Lexeme, type LexMeaning } from './lexer';
import type { Token } from './tokenizer';

export interface QueryToken {
  text: string;
  start: number;
  end: number;
  use: 'attribute' | 'filler' | 'ignored';
  /** Attribute slots this token set (a token can set two: "boy" → gender and age). */
  sets?: Array<{ key: AttributeKey; code: number }>;
  /** Why an ignored token was not used. */
  reason?: string;
}

interface TokState { sets: Map<AttributeKey, number>; reason?: string; filler?: boolean }
interface Slot { code: number; strength: number; toks: number[] }

const STRONG = 2;
const WEAK = 1;
const RUN_START = new Set(['colour', 'colourModifier', 'second', 'pattern', 'torsoType']);
const RUN_INNER = new Set([...RUN_START, 'colourFiller']);
const DATASET_AGE_RANGES: Array<[number, number, number]> = [[15, 35, 1], [25, 45, 2], [35, 55, 3]];
const COLOUR_KEYS: Record<GarmentPart, [AttributeKey, AttributeKey | undefined]> = {
  torso: ['torsoColour', 'torsoSecondColour'], legs: ['legColour', 'legSecondColour'], shoes: ['shoeColour', undefined],
};
const PATTERN_KEY: Record<GarmentPart, AttributeKey | undefined> = { torso: 'torsoPattern', legs: 'legPattern', shoes: undefined };

export function parseTokens(tokens: readonly Token[]): { codes: AttributeCodes; tokens: QueryToken[] } {
  const lexes = lex(tokens);
  const st: TokState[] = tokens.map(() => ({ sets: new Map() }));
  const slots = new Map<AttributeKey, Slot>();
  const textOf = (toks: number[]) => toks.map((t) => tokens[t]!.text).join(' ');
  const filler = (toks: number[]) => { for (const t of toks) st[t]!.filler = true; };
  const ignore = (toks: number[], reason: string) => { for (const t of toks) if (!st[t]!.reason) st[t]!.reason = reason; };

  function assign(key: AttributeKey, code: number, strength: number, toks: number[]): void {
    const have = slots.get(key);
    if (have && have.code !== code && have.strength >= strength) {
      ignore(toks, `conflicts with ${key} = ${displayValue(key, have.code)} from "${textOf(have.toks)}"`);
      return;
    }
    if (have && have.code !== code) {
      for (const t of have.toks) {
        st[t]!.sets.delete(key);
        ignore([t], `overridden by ${key} = ${displayValue(key, code)} from "${textOf(toks)}"`);
      }
      slots.delete(key);
    }
    const slot = slots.get(key) ?? { code, strength, toks: [] };
    slot.strength = Math.max(slot.strength, strength);
    slot.toks.push(...toks);
    slots.set(key, slot);
    for (const t of toks) st[t]!.sets.set(key, code);
  }

  const isBoundary = (l: Lexeme | undefined) => l === undefined || l.m.t === 'boundary';
  const kind = (i: number): LexMeaning['t'] | undefined => lexes[i]?.m.t;
  const consumed = new Array<boolean>(lexes.length).fill(false);
  // Colours collected per garment part, assigned after the whole text is read.
  const colours: Record<GarmentPart, Array<{ code: number; second: boolean; toks: number[] }>> = { torso: [], legs: [], shoes: [] };

  /** End (inclusive) of the colour/pattern run starting at s. */
  function runEnd(s: number): number {
    let e = s;
    for (;;) {
      const k = kind(e + 1);
      if (k !== undefined && RUN_INNER.has(k)) { e++; continue; }
      // "and"/"or" join colours only: "red and white shirt", not "shirt with a logo and black leggings".
      const joins = (kind(e) === 'colour' || kind(e) === 'colourFiller') && (kind(e + 2) === 'colour' || kind(e + 2) === 'colourModifier');
      if ((k === 'and' || k === 'or') && joins) { e += 2; continue; }
      return e;
    }
  }

  /**
   * The garment lexeme a run [s, e] describes, -1 for none, or a string: the thing outside the schema
   * it describes ("dark-blue tie"). Up to two unknown words may sit between a run and its garment
   * ("red flannel shirt").
   */
  function runTarget(s: number, e: number): number | string {
    let f = e + 1;
    while (f <= e + 2 && kind(f) === 'unknown') f++;
    if (kind(f) === 'garment') return f;
    if (f > e + 1 || kind(e + 1) === 'unsupported') return textOf(lexes[e + 1]!.toks);
    let p = s - 1;
    while (p >= 0 && (kind(p) === 'linker' || kind(p) === 'filler' || kind(p) === 'colourFiller')) p--;
    if (p >= 0 && kind(p) === 'garment') return p;
    let best = -1;
    let bestDist = Infinity;
    for (let dir = 1; dir >= -1; dir -= 2) {
      for (let i = dir > 0 ? e + 1 : s - 1, d = 1; i >= 0 && i < lexes.length && !isBoundary(lexes[i]); i += dir, d++) {
        if (kind(i) === 'garment') {
          if (d < bestDist) { best = i; bestDist = d; }
          break;
        }
      }
    }
    return best;
  }

  function applyRun(s: number, e: number): void {
    const target = runTarget(s, e);
    const g = typeof target === 'number' && target >= 0 ? lexes[target]!.m : undefined;
    const part = g && g.t === 'garment' ? g.part : undefined;
    const noPart = typeof target === 'string'
      ? `describes "${target}", which is not part of the schema`
      : 'no garment word to attach this to (say top, shirt, trousers, skirt, shoes…)';
    let pendingSecond = false;
    let afterOr = false;
    let modifierToks: number[] = [];
    for (let i = s; i <= e; i++) {
      const l = lexes[i]!;
      const m = l.m;
      if (m.t === 'torsoType') { assign('torsoType', m.code, STRONG, l.toks); continue; }
      if (m.t === 'and' || m.t === 'colourFiller') { filler(l.toks); continue; }
      if (m.t === 'or') { filler(l.toks); afterOr = true; continue; }
      if (part === undefined) {
        ignore(l.toks, noPart);
        continue;
      }
      if (m.t === 'colourModifier') {
        if (kind(i + 1) === 'colour') modifierToks = [...modifierToks, ...l.toks];
        else ignore(l.toks, 'too vague: name a colour');
        continue;
      }
      if (m.t === 'second') {
        if (kind(i + 1) === 'colour' || kind(i + 1) === 'colourModifier') pendingSecond = true;
        else ignore(l.toks, '"second colour" must be followed by a colour');
        if (pendingSecond) modifierToks = [...modifierToks, ...l.toks];
        continue;
      }
      if (m.t === 'colour') {
        const toks = [...modifierToks, ...l.toks];
        modifierToks = [];
        if (afterOr) ignore(toks, 'alternatives ("or") are not supported; the colour before "or" is used');
        else colours[part].push({ code: m.code, second: pendingSecond, toks });
        pendingSecond = false;
        afterOr = false;
        continue;
      }
      if (m.t === 'pattern') {
        const key = PATTERN_KEY[part];
        if (key) assign(key, m.code, STRONG, l.toks);
        else ignore(l.toks, 'shoes have no pattern in the schema');
      }
    }
  }

  function negationScope(i: number): void {
    let j = i + 1;
    while (j < lexes.length && (kind(j) === 'filler' || kind(j) === 'linker')) j++;
    const target = lexes[j];
    const all = (to: number) => lexes.slice(i, to + 1).flatMap((l) => l.toks);
    if (target && target.m.t === 'attr' && target.m.key === 'luggage') {
      const toks = all(j);
      assign('luggage', 1, STRONG, toks);
      for (let k = i; k <= j; k++) consumed[k] = true;
      return;
    }
    if (!target || isBoundary(target)) {
      ignore(lexes[i]!.toks, 'nothing to negate');
      consumed[i] = true;
      return;
    }
    let k = j;
    if (RUN_START.has(target.m.t)) {
      k = runEnd(j);
      if (kind(k + 1) === 'garment') k++;
    }
    const toks = all(k);
    ignore(toks, `negation is not supported except for luggage: "${textOf(toks)}"`);
    for (let x = i; x <= k; x++) consumed[x] = true;
  }

  /** "short dark hair": "short" is the hair's length, not the person's height. */
  function hairFollows(i: number): boolean {
    const next = lexes[i + 1];
    if (!next) return false;
    if (next.m.t === 'attr' && next.m.key === 'hair') return true;
    return next.m.t === 'filler' && next.toks.some((t) => tokens[t]!.norm === 'hair' || tokens[t]!.norm === 'haired');
  }

  const lexOfToken = new Map<number, number>();
  lexes.forEach((l, li) => l.toks.forEach((t) => lexOfToken.set(t, li)));
  const lexIndexOfToken = (t: number) => lexOfToken.get(t)!;
  const AGE_BEFORE = new Set(['aged', 'age']);
  const AGE_AFTER = new Set(['years old', 'year old', 'years', 'yo', 'yrs', 'y o']);
  /** Tokens that make the number lexeme i an age: [] for "aged 30" (the cue is already filler), the "years old" tokens after it, or undefined. */
  function ageCue(i: number): number[] | undefined {
    const next = lexes[i + 1];
    if (next && next.m.t === 'filler' && AGE_AFTER.has(next.toks.map((t) => tokens[t]!.norm).join(' '))) return next.toks;
    const prev = lexes[i - 1];
    if (prev && prev.m.t === 'filler' && AGE_BEFORE.has(tokens[prev.toks[0]!]!.norm)) return [];
    return undefined;
  }

  function age(years: number, toks: number[]): void {
    if (years < 0 || years > 120) ignore(toks, 'not a plausible age');
    else assign('age', ageFromYears(years), STRONG, toks);
  }

  for (let i = 0; i < lexes.length; i++) if (!consumed[i] && kind(i) === 'negation') negationScope(i);

  for (let i = 0; i < lexes.length; i++) {
    if (consumed[i]) continue;
    const l = lexes[i]!;
    const m = l.m;
    if (RUN_START.has(m.t)) {
      const e = runEnd(i);
      applyRun(i, e);
      i = e;
      continue;
    }
    switch (m.t) {
      case 'garment': {
        if (m.legType !== undefined) assign('legType', m.legType, STRONG, l.toks);
        if (m.torsoType !== undefined) assign('torsoType', m.torsoType, WEAK, l.toks);
        filler(l.toks);
        break;
      }
      case 'attr':
        if (m.key === 'height' && hairFollows(i)) {
          ignore(l.toks, 'hair length is not an attribute of the schema');
          break;
        }
        assign(m.key, m.code, m.weak ? WEAK : STRONG, l.toks);
        if (m.youngWeak) assign('age', 0, WEAK, l.toks);
        break;
      case 'comparator': {
        const next = lexes[i + 1];
        if (next && next.m.t === 'number') {
          age(next.m.value + m.dir, [...l.toks, ...next.toks]);
          i++;
        } else ignore(l.toks, `"${textOf(l.toks)}" is only understood before an age ("under 20")`);
        break;
      }
      case 'number': {
        // A bare number is an age only with a cue ("aged 30", "30 years old"): "5ft 10" is not.
        const cue = ageCue(i);
        if (cue) { age(m.value, [...l.toks, ...cue]); if (cue.length > 0) i = lexIndexOfToken(cue[cue.length - 1]!); }
        else ignore(l.toks, 'a number is read as an age only as "aged 30" or "30 years old"');
        break;
      }
      case 'range': {
        const exact = DATASET_AGE_RANGES.find(([lo, hi]) => lo === m.lo && hi === m.hi);
        if (exact) assign('age', exact[2], STRONG, l.toks);
        else if (m.lo > m.hi) ignore(l.toks, 'age range runs backwards');
        else age((m.lo + m.hi) / 2, l.toks);
        break;
      }
      case 'decade':
        if (m.value % 10 === 0 && m.value >= 10) age(m.value + 5, l.toks);
        else ignore(l.toks, 'not a decade of age ("30s")');
        break;
      case 'unsupported': ignore(l.toks, m.reason); break;
      case 'unknown': ignore(l.toks, 'unknown word'); break;
      case 'symbol': ignore(l.toks, 'not a word'); break;
      case 'negation': break; // handled above
      case 'or': ignore(l.toks, 'alternatives ("or") are not supported: both sides were applied'); break;
      default: filler(l.toks); // filler, linker, and, colourFiller, boundary
    }
  }

  for (const part of ['torso', 'legs', 'shoes'] as const) {
    const [firstKey, secondKey] = COLOUR_KEYS[part];
    const list = colours[part];
    const first = list.find((c) => !c.second);
    const second = list.find((c) => c.second) ?? list.filter((c) => !c.second)[1];
    if (first) assign(firstKey, first.code, STRONG, first.toks);
    if (second && secondKey) assign(secondKey, second.code, STRONG, second.toks);
    for (const c of list) {
      if (c === first || (c === second && secondKey)) continue;
      ignore(c.toks, part === 'shoes' ? 'shoes have a single colour in the schema' : `only two colours per ${part} garment`);
    }
  }

  const codes: AttributeCodes = {};
  for (const key of ATTRIBUTE_KEYS) {
    const slot = slots.get(key);
    if (slot) codes[key] = slot.code;
  }
  const out: QueryToken[] = tokens.map((tok, i) => {
    const s = st[i]!;
    const t: QueryToken = { text: tok.text, start: tok.start, end: tok.end, use: 'filler' };
    if (s.sets.size > 0) {
      t.use = 'attribute';
      t.sets = [...s.sets].map(([key, code]) => ({ key, code }));
    } else if (s.reason || !s.filler) {
      t.use = 'ignored';
      t.reason = s.reason ?? 'not understood';
    }
    return t;
  });
  return { codes, tokens: out };
}
