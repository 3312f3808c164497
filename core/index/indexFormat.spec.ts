/**
 * Index files with 'pca' storage: byte-identical resume from a checkpoint with the coder state
 * recovered from the file (and the codec settings it was started with), one thumbnail per
 * interval, and version 1 files still read.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeHeader, type IndexHeader } from './format';
import { IndexFile } from './indexFile';
import { IndexFileWriter } from './indexWriter';
import { encodeFeatures, featureBytes } from './quantize';
import { CELLS, frames, header, M, thumb } from './testing/pcaFixtures';

const root = mkdtempSync(join(tmpdir(), 'fastpr-pca-format-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('index format 2', () => {
  const fs = frames(23, 9);
  const write = (path: string, h: IndexHeader, from: number, to: number, w = IndexFileWriter.create(path, h)) => {
    for (let i = from; i < to; i++) w.append(i * 200_000, fs[i]!, thumb(i));
    return w;
  };

  it.each([0, 1.5])('resumes a pca index (hold %s) from a checkpoint to the byte-identical file', (hold) => {
    const h = header('pca', { pca: { dims: 6, stepRel: 0.001, keyInterval: 7, fitFrames: 5, hold } });
    const whole = join(root, `whole-${hold}.fpi`);
    write(whole, h, 0, fs.length).finish();
    const part = join(root, `part-${hold}.fpi`);
    let w = write(part, h, 0, 3);
    const cp0 = w.checkpoint(); // before the basis would be fitted (fitFrames 5): flushes with 3 frames
    w.close();
    w = IndexFileWriter.resume(part, h, cp0);
    w = write(part, h, 3, 11, w);
    const cp = w.checkpoint();
    write(part, h, 11, 16, w).close(); // written after the checkpoint, then "killed"
    // the whole file must be rebuilt with the same early flush to be identical: checkpoints are part of the recipe
    const ref = join(root, `ref-${hold}.fpi`);
    const r = write(ref, h, 0, 3);
    r.checkpoint();
    write(ref, h, 3, fs.length, r).finish();
    w = IndexFileWriter.resume(part, h, cp);
    write(part, h, 11, fs.length, w).finish();
    expect(readFileSync(part).equals(readFileSync(ref))).toBe(true);
    // and without the early checkpoint the basis sees fitFrames frames: a different (valid) file
    expect(readFileSync(whole).equals(readFileSync(ref))).toBe(false);
    const idx = IndexFile.open(part);
    expect(idx.header.pca?.hold).toBe(hold);
    expect(idx.frameCount).toBe(fs.length);
    expect(idx.pcaBasis?.d).toBe(6);
    // random access (key frames every 7) equals sequential decoding
    const seq = Array.from({ length: fs.length }, (_, i) => idx.features(i, 1, new Float32Array(CELLS * M)).slice());
    const again = IndexFile.open(part);
    for (const i of [20, 3, 14, 0, 15]) expect(Array.from(again.features(i, 1, new Float32Array(CELLS * M)))).toEqual(Array.from(seq[i]!));
    const coef = again.coefficients(4, 2, new Float32Array(2 * CELLS * 6));
    expect(coef.length).toBe(2 * CELLS * 6);
  });

  it('keeps one thumbnail per interval; other frames show the last kept one', () => {
    const p = join(root, 'thumbs.fpi');
    write(p, header('float16', { thumbIntervalS: 1 }), 0, 12).finish();
    const idx = IndexFile.open(p);
    expect([0, 1, 4, 5, 6, 10, 11].map((i) => idx.hasOwnThumbnail(i))).toEqual([true, false, false, true, false, true, false]);
    expect(Array.from(idx.thumbnail(7))).toEqual(Array.from(thumb(5)));
    expect(idx.storage().thumbnails).toBe(3);
    const every = join(root, 'every.fpi');
    write(every, header('float16', { thumbIntervalS: 0 }), 0, 12).finish();
    expect(IndexFile.open(every).storage().thumbnails).toBe(12);
  });

  it('resumes a partial index with the codec settings it was started with, not the ones asked for now', () => {
    const started = header('pca', { pca: { dims: 6, stepRel: 0.001, keyInterval: 7, fitFrames: 5, hold: 1 }, thumbIntervalS: 0.4 });
    const now = header('pca', { pca: { dims: 4, stepRel: 0.004, keyInterval: 7, fitFrames: 5, hold: 2 }, thumbIntervalS: 1 });
    const ref = join(root, 'settings-ref.fpi');
    const r = write(ref, started, 0, 8);
    r.checkpoint();
    write(ref, started, 8, fs.length, r).finish();
    const part = join(root, 'settings-part.fpi');
    const w = write(part, started, 0, 8);
    const cp = w.checkpoint();
    w.close();
    write(part, now, 8, fs.length, IndexFileWriter.resume(part, now, cp)).finish();
    expect(readFileSync(part).equals(readFileSync(ref))).toBe(true);
    expect(IndexFile.open(part).header).toMatchObject({ pca: { dims: 6, hold: 1 }, thumbIntervalS: 0.4 });
    // Another storage is still refused.
    const w2 = write(join(root, 'settings-other.fpi'), started, 0, 8);
    const cp2 = w2.checkpoint();
    w2.close();
    expect(() => IndexFileWriter.resume(join(root, 'settings-other.fpi'), header('float16'), cp2)).toThrow(/does not match/);
  });

  it('still reads version 1 files and refuses to resume them', () => {
    const h = header('float16', { pca: undefined });
    const head = encodeHeader({ ...h, complete: true, frameCount: 2 });
    head.writeUInt16LE(1, 8);
    head.fill(0, 220, 512);
    const fl = featureBytes('float16', CELLS, M);
    const recs = [0, 1].map((i) => {
      const t = thumb(i);
      const len = (16 + fl + t.length + 3) & ~3;
      const r = Buffer.alloc(len);
      r.writeUInt32LE(len, 0);
      r.writeUInt32LE(t.length, 4);
      r.writeDoubleLE(i * 200_000, 8);
      encodeFeatures('float16', fs[i]!, CELLS, M, r, 16);
      r.set(t, 16 + fl);
      return r;
    });
    const p = join(root, 'v1.fpi');
    writeFileSync(p, Buffer.concat([head, ...recs]));
    const idx = IndexFile.open(p);
    expect(idx.header.formatVersion).toBe(1);
    expect(idx.frameCount).toBe(2);
    expect(Array.from(idx.timesS)).toEqual([0, 0.2]);
    expect(Array.from(idx.thumbnail(1))).toEqual(Array.from(thumb(1)));
    const x = idx.features(1, 1, new Float32Array(CELLS * M));
    for (let i = 0; i < x.length; i++) expect(Math.abs(x[i]! - fs[1]![i]!)).toBeLessThan(1e-3);
    expect(() => IndexFileWriter.resume(p, h, { bytes: 512 + recs[0]!.length, frames: 1, lastPtsUs: 0 })).toThrow(/ingest the video again/);
  });
});
