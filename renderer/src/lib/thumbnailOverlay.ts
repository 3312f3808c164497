/**
 * What a sighting card draws on its thumbnail and what it says about it. The index keeps one
 * thumbnail per second, so the picture is often not the peak frame: the box drawn must be the one
 * of the thumbnail's own frame, and the card says which moment the picture shows.
 */
import type { SightingSummary } from '../../../core/api/contract';
import { formatTime } from './format';
import type { Box } from './viewTypes';

export interface ThumbnailOverlay {
  /** The box to draw on the thumbnail; null: draw none. */
  box: Box | null;
  /** 'peak': the peak frame; 'track': another frame of the sighting, its own box; 'no-box': no box valid there; 'unknown': recorded before the time was kept. */
  kind: 'peak' | 'track' | 'no-box' | 'unknown';
  /** One line for the card; null when the thumbnail is the peak frame. */
  note: string | null;
}

/** "0.6 s before the peak" (tenths, hundredths below a tenth). */
export function offsetFromPeak(thumbnailS: number, peakS: number): string {
  const d = thumbnailS - peakS;
  const a = Math.abs(d);
  return `${a.toFixed(a < 0.1 ? 2 : 1)} s ${d < 0 ? 'before' : 'after'} the peak`;
}

export function thumbnailOverlay(s: Pick<SightingSummary, 'peakS' | 'peakBox' | 'thumbnailS' | 'thumbnailBox'>): ThumbnailOverlay {
  // Sightings recorded before schema 4: the old behaviour (peak box), but not presented as known.
  if (s.thumbnailS === null) return { box: s.peakBox, kind: 'unknown', note: 'thumbnail time unknown; box is from the peak frame' };
  if (Math.abs(s.thumbnailS - s.peakS) < 1e-6) return { box: s.thumbnailBox, kind: 'peak', note: null };
  const when = `thumbnail ${formatTime(s.thumbnailS)} (${offsetFromPeak(s.thumbnailS, s.peakS)})`;
  return s.thumbnailBox
    ? { box: s.thumbnailBox, kind: 'track', note: when }
    : { box: null, kind: 'no-box', note: `${when}; box not shown` };
}
