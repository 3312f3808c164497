/**
 * Which thumbnail a sighting shows, and the box that belongs to that thumbnail's own frame.
 *
 * An index keeps one thumbnail per second of footage, so the peak frame often has none of its own:
 * the thumbnail shown for it is the last one kept before it, up to a second older, and the peak box
 * drawn on that picture can sit beside a walking person. So: the peak frame if it kept a thumbnail,
 * else the best-scoring frame of the sighting's track that kept one (its own box fits its own
 * picture), else the thumbnail shown for the peak with no box — never a box from another time.
 */
import type { Box } from '../model/boxes';
import type { IndexFile } from './indexFile';
import type { Sighting, TrackPoint } from './sightings';

/** What the choice needs of an index (IndexFile has it). */
export interface ThumbnailFrames {
  readonly timesS: ArrayLike<number>;
  hasOwnThumbnail(i: number): boolean;
  /** The frame whose thumbnail stands for frame i. */
  thumbnailFrame(i: number): number;
}

export interface SightingThumbnailChoice {
  /** Index frame whose own thumbnail is shown. */
  frame: number;
  /** Its video time, seconds. */
  timeS: number;
  /** The sighting's box in that frame; null when the track has no box there (draw none). */
  box: Box | null;
}

/** Null when the index holds no thumbnail at all. */
export function chooseSightingThumbnail(
  index: ThumbnailFrames, s: Pick<Sighting, 'peakFrame' | 'peakS' | 'peakBox' | 'track'>,
): SightingThumbnailChoice | null {
  const at = (frame: number, box: Box | null): SightingThumbnailChoice => ({ frame, timeS: index.timesS[frame]!, box });
  if (index.hasOwnThumbnail(s.peakFrame)) return at(s.peakFrame, s.peakBox);
  let best: TrackPoint | undefined;
  for (const p of s.track) {
    if (!index.hasOwnThumbnail(p.frame)) continue;
    // Highest score; on a tie the frame nearer the peak.
    if (!best || p.score > best.score || (p.score === best.score && Math.abs(p.t - s.peakS) < Math.abs(best.t - s.peakS))) best = p;
  }
  if (best) return at(best.frame, best.box);
  // No track frame kept a thumbnail, so the one shown is not a track frame: no box of ours is valid on it.
  const shown = index.thumbnailFrame(s.peakFrame);
  return index.hasOwnThumbnail(shown) ? at(shown, null) : null;
}

/** The chosen thumbnail's JPEG (a view into the index buffer), time and box. */
export interface FoundThumbnail { jpeg: Buffer; timeS: number; box: Box | null }

export function sightingThumbnail(file: IndexFile, s: Pick<Sighting, 'peakFrame' | 'peakS' | 'peakBox' | 'track'>): FoundThumbnail | undefined {
  const c = chooseSightingThumbnail(file, s);
  return c ? { jpeg: file.thumbnail(c.frame), timeS: c.timeS, box: c.box } : undefined;
}
