/**
 * Groups tokens into lexemes: the longest known phrase at each position (greedy, left to right),
 * numbers read as ages, punctuation as clause boundaries. Every token belongs to exactly one lexeme.
 */
import { lookup, MAX_PHRASE_WORDS, type Meaning } from './lexicon';
import type { Token } from './tokenizer';

export type LexMeaning =
  | Meaning
  | { t: 'unknown' }
  /** , . ; : ! ? ( ) and dashes: a colour never attaches across one. */
  | { t: 'boundary' }
  | { t: 'symbol' }
  | { t: 'number'; value: number }
  | { t: 'range'; lo: number; hi: number }
  | { t: 'decade'; value: number };

export interface Lexeme {
  m: LexMeaning;
  /** Indices of the tokens this lexeme covers. */
  toks: number[];
}

const PUNCT_MEANING: Record<string, LexMeaning> = {
  '&': { t: 'and' }, '/': { t: 'and' }, '+': { t: 'and' },
  '"': { t: 'filler' }, '“': { t: 'filler' }, '”': { t: 'filler' },
};

export function lex(tokens: readonly Token[]): Lexeme[] {
  const out: Lexeme[] = [];
  let i = 0;
  while (i < tokens.length) {
    const tok = tokens[i]!;
    if (tok.kind === 'word') {
      let matched = false;
      for (let n = Math.min(MAX_PHRASE_WORDS, tokens.length - i); n >= 1 && !matched; n--) {
        const span = tokens.slice(i, i + n);
        if (span.some((t) => t.kind !== 'word')) continue;
        const meaning = lookup(span.map((t) => t.norm).join(' '));
        if (meaning) {
          out.push({ m: meaning, toks: span.map((_, k) => i + k) });
          i += n;
          matched = true;
        }
      }
      if (!matched) {
        out.push({ m: { t: 'unknown' }, toks: [i] });
        i++;
      }
      continue;
    }
    let m: LexMeaning;
    switch (tok.kind) {
      case 'number': m = { t: 'number', value: Number(tok.norm) }; break;
      case 'range': {
        const [lo, hi] = tok.norm.split('-').map(Number) as [number, number];
        m = { t: 'range', lo, hi };
        break;
      }
      case 'decade': m = { t: 'decade', value: Number(tok.norm.replace(/s$/, '')) }; break;
      case 'punct': m = PUNCT_MEANING[tok.norm] ?? { t: 'boundary' }; break;
      default: m = { t: 'symbol' };
    }
    out.push({ m, toks: [i] });
    i++;
  }
  return out;
}
