import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listEvidence } from '../store/index';
import { coefficientCache } from './coefficientCache';
import { IndexFile } from './indexFile';
import { ingestVideo } from './ingest';
import { FRAMES, ingestFixture } from './testing/ingestFixture';
import { warmIndexes } from './warmIndexes';

const fx = ingestFixture('fastpr-warm-');
const budget0 = coefficientCache.budgetBytes;
beforeAll(() => fx.setUp(), 120_000);
afterAll(() => fx.cleanUp());
afterEach(() => { coefficientCache.budgetBytes = budget0; coefficientCache.clear(); });

describe('warmIndexes', () => {
  it('decodes a case\'s indexes into the coefficient cache; a search then reads them decoded; a small budget stops it', async () => {
    const { store, caseId } = fx.newStore('warm');
    try {
      const r = await ingestVideo(store, caseId, fx.video, fx.model);
      const modelHash = r.index.modelHash;
      const scope = listEvidence(store, caseId);
      const file = IndexFile.open(r.index.filePath);
      coefficientCache.clear();
      expect(coefficientCache.get(file.cacheKey, 0)).toBeUndefined();
      const warm = await warmIndexes(store, scope, modelHash);
      expect(warm).toMatchObject({ indexes: 1, frames: FRAMES, framesCached: FRAMES, budgetFull: false });
      // The cached block holds what decoding the codes gives.
      const cached = coefficientCache.get(file.cacheKey, 0)!;
      const fresh = new Float32Array(FRAMES * file.coefficientsPerFrame);
      coefficientCache.clear();
      coefficientCache.budgetBytes = 0; // decoded again, without the cache
      expect(file.coefficients(0, FRAMES, fresh)).toEqual(cached.subarray(0, FRAMES * file.coefficientsPerFrame));
      // Another model's indexes are not this warm-up's; an aborted one stops before decoding.
      coefficientCache.budgetBytes = budget0;
      coefficientCache.clear();
      expect(await warmIndexes(store, scope, 'f'.repeat(64))).toMatchObject({ indexes: 0, framesCached: 0 });
      const abort = new AbortController();
      abort.abort();
      expect(await warmIndexes(store, scope, modelHash, abort.signal)).toMatchObject({ indexes: 1, framesCached: 0 });
      // A budget smaller than one block: nothing kept, and it says so.
      coefficientCache.budgetBytes = 1024;
      expect(await warmIndexes(store, scope, modelHash)).toMatchObject({ framesCached: 0, budgetFull: true });
    } finally {
      store.close();
    }
  }, 60_000);
});
