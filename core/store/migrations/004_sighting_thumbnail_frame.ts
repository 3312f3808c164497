/**
 * Version 4: which frame a sighting's thumbnail shows. An index keeps one thumbnail per second, so
 * the thumbnail is often not the peak frame's; the peak box drawn on it can miss the person.
 * - sightings.thumbnail_s: video time (seconds) of the thumbnail's frame.
 * - sightings.thumbnail_box: the sighting's box in that frame as JSON [l, t, r, b]; NULL when the
 *   track has no box there (shown without a box).
 * Rows recorded before keep NULL in both: their thumbnail's time is unknown.
 */
import type { Migration } from './types';

export const migration004: Migration = {
  version: 4,
  name: 'sighting_thumbnail_frame',
  up(db) {
    db.exec(`
      ALTER TABLE sightings ADD COLUMN thumbnail_s REAL;
      ALTER TABLE sightings ADD COLUMN thumbnail_box TEXT;
    `);
  },
};
