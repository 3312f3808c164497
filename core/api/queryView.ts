/** query.parse: the parser's view for live display (never throws for nonsense: `problem` says why). */
import { analyseQuery, parseQuery, slotReport, type ParsedQuery } from '../query/index';
import type { ParsedQueryView } from './types/search';

export function parsedQueryView(q: ParsedQuery, problem?: string): ParsedQueryView {
  return {
    input: q.input, mode: q.mode, codes: { ...q.codes } as Record<string, number>, slots: slotReport(q.codes),
    tokens: q.tokens.map((t) => ({ ...t })), ignored: q.ignored.map((t) => ({ ...t })), text: q.text, ...(problem ? { problem } : {}),
  };
}

export function parseForDisplay(text: string): ParsedQueryView {
  let q: ParsedQuery;
  try {
    q = analyseQuery(text);
  } catch (err) {
    // Refused outright (too long, control characters, bad slot=value item): show why, keep nothing.
    return { input: text, mode: 'text', codes: {}, slots: slotReport({}), tokens: [], ignored: [], text: '', problem: (err as Error).message };
  }
  try {
    parseQuery(text);
    return parsedQueryView(q, text.trim() === '' ? 'type a description, e.g. "woman in a red top with a backpack"' : undefined);
  } catch (err) {
    return parsedQueryView(q, (err as Error).message);
  }
}
