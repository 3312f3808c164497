/**
 * The per-query heads a retriever keeps (folded heads, prefilters: onnxruntime sessions built for
 * one query and one pca basis), least recently used first out. Without a bound a long-running
 * workstation kept every query's sessions for every video it searched — measured ~13 MB each even
 * without a memory arena (~95 MB with one) — until the process ran out of memory. An evicted head
 * may still be running in a search that fetched it earlier, so it is disposed only once no use of
 * the cache is open (`begin`/`end` around each search).
 */
export interface Disposable { dispose(): Promise<void> }

export class HeadCache<T extends Disposable> {
  private readonly entries = new Map<string, Promise<T | null>>();
  private readonly evicted: Array<Promise<T | null>> = [];
  private users = 0;

  constructor(readonly limit: number) {
    if (!(limit >= 1)) throw new Error(`head cache limit must be at least 1 (got ${limit})`);
  }

  get size(): number { return this.entries.size; }

  /** Evicted heads not yet disposed (a use was open when they left). */
  get pendingDisposal(): number { return this.evicted.length; }

  /** The cached head for `key` (made by `make` on a miss), now the most recently used. */
  get(key: string, make: () => Promise<T | null>): Promise<T | null> {
    let p = this.entries.get(key);
    if (p) {
      this.entries.delete(key);
      this.entries.set(key, p);
      return p;
    }
    const made = make();
    // A failure reaches the caller that awaits it and is not kept: the next ask tries again.
    made.catch(() => { if (this.entries.get(key) === made) this.entries.delete(key); });
    this.entries.set(key, made);
    p = made;
    while (this.entries.size > this.limit) {
      const oldest = this.entries.keys().next().value as string;
      this.evicted.push(this.entries.get(oldest)!);
      this.entries.delete(oldest);
    }
    if (this.users === 0) void this.flush();
    return p;
  }

  /** A search starts using heads from the cache. */
  begin(): void { this.users++; }

  /** That search ended: with no use open, evicted heads are disposed. */
  async end(): Promise<void> {
    if (this.users > 0) this.users--;
    if (this.users === 0) await this.flush();
  }

  /** Disposes the evicted heads. Never throws: a head that fails to dispose must not stop the others, nor fail the search that ended. */
  private async flush(): Promise<void> {
    await disposeAll(this.evicted.splice(0));
  }

  /** Disposes every head (the retriever is closing). */
  async clear(): Promise<void> {
    const list = [...this.entries.values(), ...this.evicted.splice(0)];
    this.entries.clear();
    await disposeAll(list);
  }
}

async function disposeAll<T extends Disposable>(list: Array<Promise<T | null>>): Promise<void> {
  for (const p of list) {
    try {
      await (await p.catch(() => null))?.dispose();
    } catch { /* already unusable: nothing more to free */ }
  }
}
