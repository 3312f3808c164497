/**
 * Version 6: what a search actually read. "Scope: all evidence" did not say which evidence had no
 * index for the model (and so was not searched at all), nor how each searched index stored its
 * features (compressed or exact), which bounds how much a search that finds nobody means.
 * - searches.evidence_searched: a JSON array, one entry per evidence item in the search's scope:
 *   {evidenceId, index: {id, samplingFps, frames, storage, storageDims?} | null}, null = not searched.
 * Searches recorded before keep NULL: what they read was not recorded.
 */
import type { Migration } from './types';

export const migration006: Migration = {
  version: 6,
  name: 'search_evidence',
  up(db) {
    db.exec(`
      ALTER TABLE searches ADD COLUMN evidence_searched TEXT CHECK (evidence_searched IS NULL OR json_type(evidence_searched) = 'array');
    `);
  },
};
