import { describe, expect, it } from 'vitest';
import { HeadCache } from './headCache';

class Head {
  disposed = false;
  constructor(readonly name: string) {}
  async dispose(): Promise<void> { this.disposed = true; }
}

describe('HeadCache (per-query heads, least recently used out)', () => {
  it('keeps at most `limit` heads, evicting the least recently used, and disposes them when no use is open', async () => {
    const cache = new HeadCache<Head>(2);
    const made: Head[] = [];
    const make = (name: string) => async () => { const h = new Head(name); made.push(h); return h; };
    const a = await cache.get('a', make('a'));
    const b = await cache.get('b', make('b'));
    expect(await cache.get('a', make('a again'))).toBe(a); // a hit: a is now the most recent
    const c = await cache.get('c', make('c')); // evicts b, the least recently used
    await new Promise((r) => setTimeout(r, 0)); // its disposal runs in the background
    expect(made.map((h) => h.name)).toEqual(['a', 'b', 'c']);
    expect(cache.size).toBe(2);
    expect(b!.disposed).toBe(true);
    expect([a!.disposed, c!.disposed]).toEqual([false, false]);
    // b is made anew when asked again
    expect(await cache.get('b', make('b2'))).not.toBe(b);
    await cache.clear();
    expect(made.every((h) => h.disposed)).toBe(true);
    expect(cache.size).toBe(0);
  });

  it('an evicted head still in use by an open search is disposed only when every use has ended', async () => {
    const cache = new HeadCache<Head>(1);
    cache.begin(); // search 1
    const a = (await cache.get('a', async () => new Head('a')))!;
    cache.begin(); // search 2, concurrent
    const b = (await cache.get('b', async () => new Head('b')))!; // evicts a while search 1 may still run it
    expect(a.disposed).toBe(false);
    expect(cache.pendingDisposal).toBe(1);
    await cache.end(); // search 2 ends; search 1 still open
    expect(a.disposed).toBe(false);
    await cache.end(); // search 1 ends
    expect(a.disposed).toBe(true);
    expect(b.disposed).toBe(false);
    expect(cache.pendingDisposal).toBe(0);
  });

  it('a head that could not be made (null, or a failure) is cached as such and evicted without error', async () => {
    const cache = new HeadCache<Head>(1);
    expect(await cache.get('none', async () => null)).toBeNull();
    await expect(cache.get('bad', async () => { throw new Error('onnxruntime refused'); })).rejects.toThrow('onnxruntime refused');
    expect(cache.size).toBe(0); // the failure is not kept (nor is 'none', evicted by it)
    expect((await cache.get('bad', async () => new Head('bad, second try')))!.name).toBe('bad, second try');
    await cache.get('ok', async () => new Head('ok'));
    await cache.clear();
    expect(() => new HeadCache<Head>(0)).toThrow(/at least 1/);
  });

  it('a head whose dispose throws does not stop the others being disposed, nor fail the search that ended', async () => {
    const cache = new HeadCache<Head>(1);
    const broken = new Head('broken');
    broken.dispose = async () => { throw new Error('session already released'); };
    cache.begin();
    await cache.get('broken', async () => broken);
    await cache.get('next', async () => new Head('next')); // evicts broken
    await expect(cache.end()).resolves.toBeUndefined();
    const last = (await cache.get('last', async () => new Head('last')))!; // evicts next, disposed in the background
    await new Promise((r) => setTimeout(r, 0));
    await cache.clear();
    expect(last.disposed).toBe(true);
  });
});
