import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../errors';
import { hashFile } from './hashFile';

describe('hashFile', () => {
  it('streams a generated multi-chunk file and matches a one-shot digest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fastpr-hash-'));
    try {
      const data = randomBytes(3 * 65536 + 123);
      const file = join(dir, 'video with spaces é.mp4');
      writeFileSync(file, data);
      const progress: number[] = [];
      const h = await hashFile(file, { chunkBytes: 65536, onProgress: (d) => progress.push(d) });
      expect(h.sha256).toBe(createHash('sha256').update(data).digest('hex'));
      expect(h.sizeBytes).toBe(data.length);
      expect(progress.length).toBe(4);
      const empty = join(dir, 'empty.mp4');
      writeFileSync(empty, '');
      expect((await hashFile(empty)).sha256).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
      await expect(hashFile(join(dir, 'missing.mp4'))).rejects.toThrow(InputError);
      await expect(hashFile(dir)).rejects.toThrow(/not a regular file/);
      const ac = new AbortController();
      ac.abort();
      await expect(hashFile(file, { signal: ac.signal })).rejects.toThrow(/cancelled/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
