/**
 * Splits free text into tokens with their character spans, so every word can be reported back as
 * used, filler or ignored. Words are split at hyphens ("long-sleeve" → long, sleeve; the lexicon
 * holds the two-word phrase); a digit range stays one token ("15-35").
 */
import { QueryError } from '../errors';

export const MAX_QUERY_LENGTH = 2000;

export type TokenKind = 'word' | 'number' | 'range' | 'decade' | 'punct' | 'symbol';

export interface Token {
  /** Text as typed. */
  text: string;
  /** Lower-case normal form used for lookups. */
  norm: string;
  kind: TokenKind;
  /** Character span in the (NFC-normalised) input. */
  start: number;
  end: number;
}

// C0 controls except tab/newline/CR, DEL, C1 controls, and bidi overrides (text-direction spoofing).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/u;

/** Rejects input the parser must not try to read; returns it NFC-normalised. */
export function checkQueryText(input: string): string {
  if (typeof input !== 'string') throw new QueryError('query must be text');
  if (input.length > MAX_QUERY_LENGTH) {
    throw new QueryError(`query is ${input.length} characters long; the limit is ${MAX_QUERY_LENGTH}`);
  }
  const bad = CONTROL.exec(input);
  if (bad) {
    const hex = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    throw new QueryError(`query contains the control character U+${hex} at position ${bad.index}`);
  }
  const text = input.normalize('NFC');
  if (text.trim() === '') throw new QueryError('query is empty: describe the person, e.g. "tall woman in a red top"');
  return text;
}

const TOKEN = /(\d+\s*[-–]\s*\d+)|(\d+'?s\b)|(\d+)|([\p{L}\p{M}][\p{L}\p{M}\p{N}'’]*)|([,.;:!?()[\]{}"“”/&+–—-])|(\S)/gu;
/** A hyphen inside a word ("long-sleeve", "t-shirt", "grey-haired") separates words like a space. */
const WORD_HYPHEN = /(?<=\p{L})[-‐‑](?=[\p{L}\p{N}])|(?<=\p{N})[-‐‑](?=\p{L})/gu;

/** Tokens of a checked query text. Whitespace separates tokens and is not a token. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  // Same length as text, so spans stay valid.
  const matchText = text.replace(WORD_HYPHEN, ' ');
  for (const m of matchText.matchAll(TOKEN)) {
    const start0 = m.index!;
    const raw = text.slice(start0, start0 + m[0].length);
    const start = start0;
    const end = start + raw.length;
    let kind: TokenKind;
    let norm = raw.toLowerCase().replace(/’/g, "'");
    if (m[1] !== undefined) { kind = 'range'; norm = norm.replace(/\s+/g, '').replace('–', '-'); }
    else if (m[2] !== undefined) { kind = 'decade'; norm = norm.replace("'", ''); }
    else if (m[3] !== undefined) kind = 'number';
    else if (m[4] !== undefined) kind = 'word';
    else if (m[5] !== undefined) kind = 'punct';
    else kind = 'symbol';
    if (kind === 'word' && /'s$/.test(norm) && norm.length > 2) {
      // Possessive or contraction "'s" ("woman's", "she's"): split so the word itself is looked up.
      tokens.push({ text: raw.slice(0, -2), norm: norm.slice(0, -2), kind, start, end: end - 2 });
      tokens.push({ text: raw.slice(-2), norm: "'s", kind: 'word', start: end - 2, end });
      continue;
    }
    tokens.push({ text: raw, norm, kind, start, end });
  }
  return tokens;
}
