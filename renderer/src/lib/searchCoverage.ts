/** What a recorded search covered (SearchSummary.evidenceSearched), for the screens that list searches. */
import type { SearchedEvidenceItem } from '../../../core/api/contract';

/** Evidence ids of the search's scope it did not read (no complete index for its model); [] when not recorded. */
export function notSearchedIds(evidenceSearched: readonly SearchedEvidenceItem[] | null): number[] {
  return (evidenceSearched ?? []).filter((e) => e.index === null).map((e) => e.evidenceId);
}
