/**
 * Version 3: what the video and index pipelines learned they need to keep.
 * - evidence: frame size and rate (for the AVSS export's frame numbering), last hash verification.
 * - indexes: a resumable progress checkpoint (JSON) and the expected frame total.
 * - sightings: the peak frame's thumbnail as PNG bytes, so reports need no video access.
 */
import type { Migration } from './types';

export const migration003: Migration = {
  version: 3,
  name: 'media_metadata',
  up(db) {
    db.exec(`
      ALTER TABLE evidence ADD COLUMN width INTEGER;
      ALTER TABLE evidence ADD COLUMN height INTEGER;
      ALTER TABLE evidence ADD COLUMN fps REAL;
      ALTER TABLE evidence ADD COLUMN verified_at TEXT;
      ALTER TABLE evidence ADD COLUMN verify_status TEXT
        CHECK (verify_status IS NULL OR verify_status IN ('match', 'mismatch', 'missing', 'unreadable'));
      ALTER TABLE indexes ADD COLUMN frames_total INTEGER;
      ALTER TABLE indexes ADD COLUMN checkpoint TEXT;
      ALTER TABLE sightings ADD COLUMN thumbnail_png BLOB;
    `);
  },
};
