/**
 * Decoding a case's indexes into the coefficient cache before the first search asks for them.
 * A search of an index the cache does not hold yet decodes its Rice codes on the way (~7.7k frames/s
 * against ~25k once cached, bench:video): ~2.5 s for an hour of footage, paid by the first search of
 * each index after the workstation starts. The Search screen asks for this when it opens, while the
 * investigator is still typing. One block (BLOCK_FRAMES frames, ~20 ms) at a time, yielding to the
 * event loop between blocks so requests and searches go on; it stops when the cache is full (the
 * budget is the same as a search's) or `signal` aborts.
 */
import { searchableIndex, type EvidenceRecord, type Store } from '../store/index';
import { BLOCK_FRAMES } from './coefficientCache';
import { IndexFile } from './indexFile';

export interface WarmResult {
  /** Complete pca indexes of the model in scope. */
  indexes: number;
  /** Their frames, and how many of them the cache now holds decoded. */
  frames: number;
  framesCached: number;
  /** True when the cache budget ran out before every frame was decoded. */
  budgetFull: boolean;
  seconds: number;
}

const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function warmIndexes(store: Store, scope: readonly EvidenceRecord[], modelHash: string, signal?: AbortSignal): Promise<WarmResult> {
  const files: IndexFile[] = [];
  for (const e of scope) {
    const idx = searchableIndex(store, e.id, modelHash);
    if (!idx) continue;
    try {
      const file = IndexFile.open(idx.filePath);
      if (file.header.modelHash === modelHash) files.push(file);
    } catch {
      // A missing or damaged index is the search's to report, with its name; warming skips it.
    }
  }
  return warmIndexFiles(files, signal);
}

/** The decoding itself, for open index files (pca ones; the others have no coefficients to cache). */
export async function warmIndexFiles(all: readonly IndexFile[], signal?: AbortSignal): Promise<WarmResult> {
  const t0 = performance.now();
  const files = all.filter((f) => f.header.dtype === 'pca');
  const result: WarmResult = { indexes: files.length, frames: files.reduce((n, f) => n + f.frameCount, 0), framesCached: 0, budgetFull: false, seconds: 0 };
  outer: for (const file of files) {
    for (let start = 0; start < file.frameCount; start += BLOCK_FRAMES) {
      if (signal?.aborted) break outer;
      const count = Math.min(BLOCK_FRAMES, file.frameCount - start);
      let view: Float32Array | null;
      try {
        // Decodes and caches the block unless it is cached already; null when the cache has no room.
        view = file.coefficientsView(start, count);
      } catch {
        break; // damaged codes: the search reports them; the rest of this file is not warmed
      }
      if (!view) { result.budgetFull = true; break outer; }
      result.framesCached += count;
      await nextTick();
    }
  }
  result.seconds = (performance.now() - t0) / 1000;
  return result;
}
