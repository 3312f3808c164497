/**
 * Query text for synthetic queries: uses core/query's formatQuery when that module exists (it is
 * written by another engineer), otherwise queries carry no text. Loaded dynamically so the
 * generator works either way.
 */
import type { AttributeCodes } from '../attributes/schema';
import type { TextFormatter } from './queries';

export async function queryTextFormatter(): Promise<TextFormatter | undefined> {
  try {
    const mod = (await import('../query/index' as string)) as { formatQuery?: (q: AttributeCodes) => string };
    if (typeof mod.formatQuery !== 'function') return undefined;
    const f = mod.formatQuery;
    return (codes) => {
      try {
        return f(codes);
      } catch {
        return undefined;
      }
    };
  } catch {
    return undefined;
  }
}
