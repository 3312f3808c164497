/** Query text for synthetic queries, worded by core/query's formatter (the same wording the UI shows). */
import { formatQuery } from '../query/formatter';
import type { TextFormatter } from './queries';

export function queryTextFormatter(): TextFormatter {
  return (codes) => {
    try {
      return formatQuery(codes) || undefined;
    } catch {
      return undefined;
    }
  };
}
