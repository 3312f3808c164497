/**
 * Writes a file so that its final name only ever holds complete content: write a sibling temp
 * file, fsync it, rename over the final name, fsync the folder. A kill at any point leaves either
 * the old file or the new one, plus at worst a stray temp file, never a half-written report.
 *
 * `beforeRename` runs once the content is durable but before it appears under its final name;
 * the report export records the file's SHA-256 in the audit log there, so any file found under
 * its final name has a committed audit entry.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from '../errors';

export interface WrittenFile { path: string; sha256: string; sizeBytes: number }

export function writeFileAtomic(path: string, data: Uint8Array | string, options: { beforeRename?: (file: WrittenFile) => void } = {}): WrittenFile {
  const finalPath = resolve(path);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const dir = dirname(finalPath);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new InputError(`cannot create folder ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { file: dir });
  }
  const written: WrittenFile = { path: finalPath, sha256: createHash('sha256').update(bytes).digest('hex'), sizeBytes: bytes.length };
  const temp = join(dir, `.${basename(finalPath)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'wx');
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
  } catch (err) {
    if (fd !== undefined) try { closeSync(fd); } catch { /* already failing */ }
    rmSync(temp, { force: true });
    throw new InputError(`cannot write ${finalPath}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { file: finalPath });
  }
  try {
    options.beforeRename?.(written);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
  try {
    renameSync(temp, finalPath);
  } catch (err) {
    rmSync(temp, { force: true });
    throw new InputError(`cannot write ${finalPath}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { file: finalPath });
  }
  try {
    // The rename itself must reach the disk too.
    const dfd = openSync(dir, 'r');
    try { fsyncSync(dfd); } finally { closeSync(dfd); }
  } catch { /* some platforms (Windows) cannot fsync a directory */ }
  return written;
}
