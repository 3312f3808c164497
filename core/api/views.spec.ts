import { describe, expect, it } from 'vitest';
import { poorFitWarning } from '../index/basisFit';
import type { IndexRecord } from '../store/index';
import { indexStatus } from './views';

const index = (warnings: string[] | null): IndexRecord => ({
  id: 3, evidenceId: 1, modelHash: 'ab'.repeat(32), samplingFps: 5, filePath: '/data/indexes/3.fpi', frames: 60, framesTotal: 60,
  state: 'complete', warnings, createdAt: '2026-11-30T12:00:00.000Z', updatedAt: '2026-11-30T12:00:00.000Z', checkpoint: null,
} as unknown as IndexRecord);

describe('evidence index status', () => {
  it('advises exact features only when the build warned of a poor basis fit', () => {
    const poor = poorFitWarning('/v/cam 1.mp4', { checked: 60, poorFrames: 20, firstPoorS: 8, worstRatio: 5.1 })!;
    const decode = '/v/cam 1.mp4: damaged video data from 00:00:01.800 to about 00:00:03.200: ffmpeg could not decode parts of it';
    expect(indexStatus(index([decode, poor]))).toMatchObject({ indexId: 3, warnings: [decode, poor], exactFeaturesAdvised: true });
    expect(indexStatus(index([decode]))!.exactFeaturesAdvised).toBe(false);
    expect(indexStatus(index(null))).toMatchObject({ warnings: [], exactFeaturesAdvised: false });
    expect(indexStatus(undefined)).toBeNull();
  });

  it('says no storage when the index file cannot be read (missing here)', () => {
    expect(indexStatus(index([]))!.storage).toBeNull();
  });
});
