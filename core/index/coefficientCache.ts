/**
 * Decoded pca coefficients of indexes, kept in memory between searches. Coefficients do not depend
 * on the query, and decoding them (Rice codes from the last key frame, then codes × step) was about
 * 37 % of a prefiltered search's time (bench clip, 15-slot query, 1 Dec). Investigators search the
 * same case again and again with new descriptions, so later searches read the decoded blocks.
 *
 * Blocks of BLOCK_FRAMES consecutive frames, per index file (keyed by path, length and a fingerprint
 * of its header and tail, so a rebuilt or grown file is a different entry). A byte budget bounds the
 * whole cache: when it is full, blocks of the least recently used other index are dropped; blocks of
 * the index being read are never dropped to make room for its own later blocks (a scan longer than
 * the budget would otherwise evict everything it cached), those later blocks are just decoded again.
 * Budget: FASTPR_COEFFICIENT_CACHE_MB (0 turns the cache off), else an eighth of the machine's memory,
 * at most 2 GiB (≈ 3 hours of grid-14 footage sampled at 5 frames/s; 37.6 KB per frame).
 * Float32 coefficients, not the int16 codes: half the memory, but codes × step on every read made
 * the 2-attribute query 20–25 % slower (21,487 / 23,127 vs 28,633 / 30,230 indexed frames/s, 1 Dec).
 */
import { createHash } from 'node:crypto';
import { totalmem } from 'node:os';

/**
 * A search reads a cached block in place as one batch (search.ts), so the block is the batch: 256
 * frames (9.6 MB of grid-14 coefficients), the search's default batch. Against 64, side by side on a
 * 3,000-frame index (`/work/exp/s18/rq.mts`, 8 repetitions, 3 alternating runs, 2 Dec 2026): 15-slot
 * query median 15,083–16,343 → 17,864–20,152 indexed frames/s, 2-attribute 27,187–30,120 →
 * 33,333–34,793, same hits and sightings: a quarter of the onnxruntime calls and hand-offs.
 */
export const BLOCK_FRAMES = 256;

interface Entry { blocks: Map<number, Float32Array>; bytes: number; lastUse: number }

export class CoefficientCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  private clock = 0;

  constructor(public budgetBytes: number) {}

  get(key: string, block: number): Float32Array | undefined {
    const e = this.entries.get(key);
    const b = e?.blocks.get(block);
    if (b) e!.lastUse = ++this.clock;
    return b;
  }

  /** Whether put(key, ·, bytes) would keep a block of that size (dropping other indexes' blocks if needed). */
  canKeep(key: string, bytes: number): boolean {
    return (this.entries.get(key)?.bytes ?? 0) + bytes <= this.budgetBytes;
  }

  /** Keeps a decoded block if the budget allows (after dropping other indexes' blocks); false if not kept. */
  put(key: string, block: number, data: Float32Array): boolean {
    if (data.byteLength > this.budgetBytes) return false;
    let e = this.entries.get(key);
    if (e?.blocks.has(block)) return true;
    while (this.bytes + data.byteLength > this.budgetBytes) {
      let victim: string | undefined;
      let oldest = Infinity;
      for (const [k, v] of this.entries) if (k !== key && v.lastUse < oldest) { oldest = v.lastUse; victim = k; }
      if (victim === undefined) return false;
      this.bytes -= this.entries.get(victim)!.bytes;
      this.entries.delete(victim);
    }
    if (!e) this.entries.set(key, (e = { blocks: new Map(), bytes: 0, lastUse: 0 }));
    e.blocks.set(block, data);
    e.bytes += data.byteLength;
    e.lastUse = ++this.clock;
    this.bytes += data.byteLength;
    return true;
  }

  /** Drops every block of the index file at `path` (whatever its content): it was deleted or replaced. */
  forget(path: string): void {
    for (const [k, e] of this.entries) {
      if (!k.startsWith(`${path}|`)) continue;
      this.bytes -= e.bytes;
      this.entries.delete(k);
    }
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  get usedBytes(): number { return this.bytes; }
  get indexes(): number { return this.entries.size; }
}

function defaultBudgetBytes(): number {
  const env = process.env.FASTPR_COEFFICIENT_CACHE_MB;
  if (env !== undefined && env.trim() !== '' && Number.isFinite(Number(env)) && Number(env) >= 0) return Number(env) * 2 ** 20;
  return Math.min(2 ** 31, Math.floor(totalmem() / 8));
}

/** The process-wide cache that IndexFile.coefficients reads through. */
export const coefficientCache = new CoefficientCache(defaultBudgetBytes());

/** An index file's cache key: its path, length, and a hash of its first and last 4 KiB. */
export function cacheKeyOf(path: string, buf: Uint8Array): string {
  const h = createHash('sha256');
  h.update(buf.subarray(0, 4096));
  h.update(buf.subarray(Math.max(0, buf.length - 4096)));
  return `${path}|${buf.length}|${h.digest('hex').slice(0, 32)}`;
}
