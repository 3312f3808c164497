/**
 * SHA-256 of a file, streamed in chunks (videos are gigabytes; never read whole into memory).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { CancelledError, InputError } from '../errors';

export interface FileHash { sha256: string; sizeBytes: number }

export async function hashFile(
  file: string,
  options: { signal?: AbortSignal; onProgress?: (bytesDone: number, bytesTotal: number) => void; chunkBytes?: number } = {},
): Promise<FileHash> {
  let total: number;
  try {
    const s = await stat(file);
    if (!s.isFile()) throw new InputError(`${file} is not a regular file`, { file });
    total = s.size;
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { file });
  }
  const hash = createHash('sha256');
  let done = 0;
  const stream = createReadStream(file, { highWaterMark: options.chunkBytes ?? 1 << 20 });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (options.signal?.aborted) throw new CancelledError(`hashing ${file} cancelled`);
      hash.update(chunk);
      done += chunk.length;
      options.onProgress?.(done, total);
    }
  } catch (err) {
    stream.destroy();
    if (err instanceof CancelledError) throw err;
    throw new InputError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { file });
  }
  return { sha256: hash.digest('hex'), sizeBytes: done };
}
