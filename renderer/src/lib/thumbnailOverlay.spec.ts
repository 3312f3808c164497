import { describe, expect, it } from 'vitest';
import { offsetFromPeak, thumbnailOverlay } from './thumbnailOverlay';

const peakBox: [number, number, number, number] = [300, 100, 350, 300];
const ownBox: [number, number, number, number] = [180, 100, 230, 300];

describe('sighting card thumbnail overlay', () => {
  it('the peak frame: its box, nothing to say', () => {
    expect(thumbnailOverlay({ peakS: 1.4, peakBox, thumbnailS: 1.4, thumbnailBox: peakBox })).toEqual({ box: peakBox, kind: 'peak', note: null });
  });

  it('another frame of the sighting: that frame\'s box (never the peak box) and its time', () => {
    const o = thumbnailOverlay({ peakS: 1.4, peakBox, thumbnailS: 1.0, thumbnailBox: ownBox });
    expect(o).toEqual({ box: ownBox, kind: 'track', note: 'thumbnail 0:01.0 (0.4 s before the peak)' });
  });

  it('a frame where the sighting has no box: no box, and it says so', () => {
    const o = thumbnailOverlay({ peakS: 1.6, peakBox, thumbnailS: 1.0, thumbnailBox: null });
    expect(o.box).toBeNull();
    expect(o.kind).toBe('no-box');
    expect(o.note).toBe('thumbnail 0:01.0 (0.6 s before the peak); box not shown');
  });

  it('recorded before the time was kept: the old peak box, labelled as unknown', () => {
    expect(thumbnailOverlay({ peakS: 1.4, peakBox, thumbnailS: null, thumbnailBox: null }))
      .toEqual({ box: peakBox, kind: 'unknown', note: 'thumbnail time unknown; box is from the peak frame' });
  });

  it('words the offset either way, finer below a tenth', () => {
    expect(offsetFromPeak(2.0, 1.6)).toBe('0.4 s after the peak');
    expect(offsetFromPeak(1.0, 1.04)).toBe('0.04 s before the peak');
  });
});
