/**
 * The query API: free text, `slot=value` text or an AttributeCodes object in, a structured query out.
 *
 * Decisions (the UI shows them):
 *  - empty input, input over 2,000 characters and control characters are QueryErrors;
 *  - text in which no word names an attribute but some words were not understood ("xyzzy foo") is a
 *    QueryError listing those words; text made only of filler ("a person") is the empty query
 *    (every slot unknown: "any person"), which is valid;
 *  - text containing `name=value` is a structured query; every item must then be a valid slot=value
 *    (QueryError naming the first bad item).
 * Use analyseQuery for live feedback while typing: it never throws for nonsense, only for input the
 * parser refuses to read (length, control characters, bad structured items).
 */
import { QueryError } from '../errors';
import { canonicalCodes, parseSlotItems } from '../attributes/codec';
import { ATTRIBUTES, UNKNOWN, displayValue, type AttributeCodes, type AttributeKey } from '../attributes/schema';
import { formatQuery } from './formatter';
import { parseTokens, type QueryToken } from './parser';
import { checkQueryText, tokenize } from './tokenizer';

export { formatQuery } from './formatter';
export type { QueryToken } from './parser';
export { MAX_QUERY_LENGTH } from './tokenizer';

export interface ParsedQuery {
  /** The input as read (NFC-normalised text, or the slot text of an object input). */
  input: string;
  mode: 'text' | 'structured';
  /** Canonical codes: known attributes only. */
  codes: AttributeCodes;
  /** Every token of the input with what became of it. */
  tokens: QueryToken[];
  /** The tokens that were not used, with reasons. */
  ignored: QueryToken[];
  /** The query in words (formatQuery(codes)). */
  text: string;
}

const STRUCTURED = /[^\s=,]\s*=/;

function structured(input: string): ParsedQuery {
  const items = parseSlotItems(input);
  if (items.length === 0) throw new QueryError('structured query has no slot=value items');
  const codes: AttributeCodes = {};
  for (const item of items) if (item.code !== UNKNOWN) codes[item.key] = item.code;
  const tokens: QueryToken[] = items.map((it) => ({
    text: it.text, start: it.start, end: it.end, use: 'attribute', sets: [{ key: it.key, code: it.code }],
  }));
  return { input, mode: 'structured', codes, tokens, ignored: [], text: formatQuery(codes) };
}

/** Parses without rejecting nonsense: for as-you-type feedback. */
export function analyseQuery(input: string | AttributeCodes): ParsedQuery {
  if (typeof input === 'object' && input !== null) {
    let codes: AttributeCodes;
    try {
      codes = canonicalCodes(input);
    } catch (e) {
      throw new QueryError(`structured query: ${(e as Error).message}`);
    }
    const text = formatQuery(codes);
    return { input: text, mode: 'structured', codes, tokens: [], ignored: [], text };
  }
  const text = checkQueryText(input);
  if (STRUCTURED.test(text)) return structured(text);
  const { codes, tokens } = parseTokens(tokenize(text));
  const ignored = tokens.filter((t) => t.use === 'ignored');
  return { input: text, mode: 'text', codes, tokens, ignored, text: formatQuery(codes) };
}

/** Parses a query for searching. Throws QueryError for empty, over-long, control-character or nonsense input. */
export function parseQuery(input: string | AttributeCodes): ParsedQuery {
  const result = analyseQuery(input);
  if (result.mode === 'text' && Object.keys(result.codes).length === 0 && result.ignored.length > 0) {
    const words = result.ignored.map((t) => `"${t.text}" (${t.reason})`).join(', ');
    throw new QueryError(`no attribute recognised in the query; not understood: ${words}`);
  }
  return result;
}

export interface SlotReport { key: AttributeKey; tag: string; label: string; code: number; value: string }

/** All 16 slots in slot order with code (-1 unknown) and display name worded as the dataset documents it. */
export function slotReport(codes: AttributeCodes): SlotReport[] {
  return ATTRIBUTES.map((a) => {
    const code = codes[a.key] ?? UNKNOWN;
    return { key: a.key, tag: a.tag, label: a.label, code, value: displayValue(a.key, code) };
  });
}
