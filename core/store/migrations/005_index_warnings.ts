/**
 * Version 5: the warnings an index was built with (decode warnings for a damaged or cut file, a poor
 * fit of the compression basis), so the workstation and the reports can show them with the index.
 * - indexes.warnings: a JSON array of strings, written when the index is finished.
 * Rows finished before keep NULL: their warnings were not recorded here (the case log's
 * 'index.built' entry holds them in its detail).
 */
import type { Migration } from './types';

export const migration005: Migration = {
  version: 5,
  name: 'index_warnings',
  up(db) {
    db.exec(`
      ALTER TABLE indexes ADD COLUMN warnings TEXT CHECK (warnings IS NULL OR json_type(warnings) = 'array');
    `);
  },
};
