/**
 * The cache of decoded pca coefficients: reads through it equal decoding (across block and basis
 * boundaries, partial ranges), its byte budget holds, other indexes' blocks go least recently used
 * first, and a file rewritten at the same path is not served from the old entry.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { BLOCK_FRAMES, CoefficientCache, coefficientCache } from './coefficientCache';
import type { IndexHeader } from './format';
import { IndexFile } from './indexFile';
import { IndexFileWriter } from './indexWriter';

const root = mkdtempSync(join(tmpdir(), 'fastpr-coefcache-'));
const budget0 = coefficientCache.budgetBytes;
afterEach(() => { coefficientCache.budgetBytes = budget0; coefficientCache.clear(); });
afterAll(() => rmSync(root, { recursive: true, force: true }));

const S = 3, M = 16, CELLS = S * S;
const header = (): IndexHeader => ({
  dtype: 'pca', complete: false, everyFrame: false, grid: S, featureWidth: M, samplingFps: 5, frameWidth: 64, frameHeight: 48, inputSize: 32,
  frameCount: 0, transform: { scaleX: 0.5, scaleY: 0.5, offsetX: 0, offsetY: 4, inputWidth: 32, inputHeight: 32, flip: false },
  modelHash: 'm'.repeat(64), videoSha256: 'v'.repeat(64), thumbWidth: 16, thumbHeight: 12, inputScaling: 'ffmpeg',
  pca: { dims: 5, stepRel: 0.01, keyInterval: 9, fitFrames: 6 },
});

/** n frames; the scene (and so the pca basis, format 3 refit) changes at frame `change`. */
function writeIndex(name: string, n: number, seed: number, change = n): string {
  let s = seed;
  const rnd = () => { s = (s * 1103515245 + 12345) >>> 0; return (s >>> 8) / 2 ** 24 - 0.5; };
  const scenes = [0, 1].map(() => Array.from({ length: CELLS * M }, rnd));
  const path = join(root, name);
  const w = IndexFileWriter.create(path, header());
  for (let i = 0; i < n; i++) {
    const base = scenes[i < change ? 0 : 1]!;
    w.append(i * 200_000, Float32Array.from(base, (v) => v + 0.05 * rnd()), new Uint8Array([i & 255]));
  }
  w.finish();
  return path;
}

function read(index: IndexFile, start: number, count: number): number[] {
  return Array.from(index.coefficients(start, count, new Float32Array(count * index.coefficientsPerFrame)));
}

describe('coefficient cache', () => {
  const path = writeIndex('a.fpi', 2 * BLOCK_FRAMES + 17, 3, 90);

  it('reads the same coefficients as decoding, across blocks and bases, and keeps the blocks it read', () => {
    coefficientCache.budgetBytes = 0;
    const plain = IndexFile.open(path);
    expect(plain.segments.length).toBe(2); // the scene change refitted the basis
    const ranges: Array<[number, number]> = [[0, plain.frameCount], [60, 10], [BLOCK_FRAMES - 1, 2], [88, 5], [plain.frameCount - 3, 3], [5, 1]];
    const expected = ranges.map(([a, n]) => read(plain, a, n));
    expect(coefficientCache.usedBytes).toBe(0);
    coefficientCache.budgetBytes = 64 * 2 ** 20;
    const cached = IndexFile.open(path);
    ranges.forEach(([a, n], i) => expect(read(cached, a, n)).toEqual(expected[i]));
    expect(coefficientCache.usedBytes).toBe(cached.frameCount * cached.coefficientsPerFrame * 4);
    // A second file object for the same file reads the cached blocks (same values).
    ranges.forEach(([a, n], i) => expect(read(IndexFile.open(path), a, n)).toEqual(expected[i]));
  });

  it('gives views into cached blocks (the same values, no copy) only for ranges inside one block it can hold', () => {
    coefficientCache.budgetBytes = 0;
    const plain = IndexFile.open(path);
    expect(plain.coefficientsView(0, 4)).toBeNull(); // no room in the cache: the caller copies instead
    coefficientCache.budgetBytes = 64 * 2 ** 20;
    const index = IndexFile.open(path);
    for (const [a, n] of [[0, BLOCK_FRAMES], [60, 4], [BLOCK_FRAMES, 10], [88, 5], [2 * BLOCK_FRAMES, 17]] as Array<[number, number]>) {
      const view = index.coefficientsView(a, n)!;
      expect(Array.from(view)).toEqual(read(plain, a, n));
      expect(view.buffer).toBe(index.coefficientsView(a, n)!.buffer); // the cached block itself, not a copy
    }
    expect(index.coefficientsView(BLOCK_FRAMES - 1, 2)).toBeNull(); // crosses a block boundary
    expect(index.coefficientsView(index.frameCount - 1, 2)).toBeNull(); // past the end
    expect(index.coefficientsView(3, 0)).toBeNull();
  });

  it('stays within its budget: an index larger than it keeps only what fits and reads the rest by decoding', () => {
    coefficientCache.budgetBytes = 0;
    const plain = read(IndexFile.open(path), 0, 2 * BLOCK_FRAMES + 17);
    const blockBytes = BLOCK_FRAMES * CELLS * 5 * 4;
    coefficientCache.budgetBytes = blockBytes + 100;
    const index = IndexFile.open(path);
    expect(read(index, 0, index.frameCount)).toEqual(plain);
    expect(read(index, 0, index.frameCount)).toEqual(plain);
    expect(coefficientCache.usedBytes).toBe(blockBytes);
  });

  it('drops the least recently used other index when full', () => {
    const cache = new CoefficientCache(3 * 1000);
    const block = () => new Float32Array(250); // 1,000 bytes
    expect(cache.put('a', 0, block())).toBe(true);
    expect(cache.put('b', 0, block())).toBe(true);
    expect(cache.put('c', 0, block())).toBe(true);
    expect(cache.get('a', 0)).toBeDefined(); // a is now more recent than b
    expect(cache.put('d', 0, block())).toBe(true);
    expect(cache.get('b', 0)).toBeUndefined();
    expect(cache.get('a', 0)).toBeDefined();
    expect(cache.indexes).toBe(3);
    // Its own blocks are never dropped for its own later ones.
    expect(cache.canKeep('d', 3000)).toBe(false);
    expect(cache.put('d', 1, block())).toBe(true); // drops another index (c, the oldest)
    expect(cache.get('c', 0)).toBeUndefined();
    expect(cache.usedBytes).toBe(3000);
    expect(cache.put('x', 0, new Float32Array(1000))).toBe(false); // larger than the budget
    cache.put('/v/a.fpi|10|aa', 0, new Float32Array(10));
    cache.put('/v/a.fpi|12|bb', 0, new Float32Array(10));
    cache.put('/v/a.fpi.rebuilt|10|aa', 0, new Float32Array(10));
    const before = cache.usedBytes;
    cache.forget('/v/a.fpi');
    expect(cache.usedBytes).toBe(before - 80);
    expect(cache.get('/v/a.fpi.rebuilt|10|aa', 0)).toBeDefined();
  });

  it('does not serve a file rewritten at the same path from the old entry', () => {
    coefficientCache.budgetBytes = 64 * 2 ** 20;
    const p = writeIndex('b.fpi', 40, 5);
    const before = read(IndexFile.open(p), 0, 40);
    writeIndex('b.fpi', 50, 6);
    const fresh = IndexFile.open(p);
    coefficientCache.budgetBytes = 0;
    const expected = read(IndexFile.open(p), 0, 50);
    coefficientCache.budgetBytes = 64 * 2 ** 20;
    expect(read(fresh, 0, 50)).toEqual(expected);
    expect(read(fresh, 0, 40)).not.toEqual(before);
  });
});
