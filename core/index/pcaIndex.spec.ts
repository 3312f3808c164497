/**
 * Index format 2/3 with 'pca' storage: the codec's exact parts (codes round-trip, reconstruction
 * error bounded by the step) and the basis refitted at a scene change (version 3). Resume, thumbnails
 * and version 1 files: indexFormat.spec.ts.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { recordBytes } from './format';
import { isPoorFitWarning, poorFitWarning, POOR_FIT_RATIO } from './basisFit';
import { IndexFile } from './indexFile';
import { IndexFileWriter } from './indexWriter';
import { decodeBasis, encodeBasis, fitBasis, packCodes, projectCodes, reconstruct, unpackCodes } from './pcaCodec';
import { CELLS, frames, header, M, thumb } from './testing/pcaFixtures';

const root = mkdtempSync(join(tmpdir(), 'fastpr-pca-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('pca codec', () => {
  it('packs code differences losslessly (escapes included) and reconstructs within the step', () => {
    const codes = Int16Array.from([0, 5, -5, 127, -127, 128, -128, 3000, -32767, 32767]);
    const prev = Int16Array.from([0, 4, -9, 0, 0, 0, 0, -3000, 32767, -32767]);
    for (const p of [null, prev]) {
      const out = new Int16Array(codes.length);
      unpackCodes(packCodes(codes, p), p, out);
      expect(Array.from(out)).toEqual(Array.from(codes));
    }
    // one large difference among zeros takes the escape; static groups cost 4 bits; damage is refused
    const sparse = new Int16Array(96);
    sparse[40] = 30000;
    const packed = packCodes(sparse, null, 48);
    const back = new Int16Array(96);
    unpackCodes(packed, null, back, 48);
    expect(Array.from(back)).toEqual(Array.from(sparse));
    expect(packCodes(new Int16Array(96), null, 48).length).toBe(1);
    expect(() => unpackCodes(packed.subarray(0, packed.length - 2), null, back, 48)).toThrow(/truncated|damaged/);
    const fs = frames(12, 3);
    const all = new Float32Array(fs.length * CELLS * M);
    fs.forEach((f, i) => all.set(f, i * CELLS * M));
    const b = fitBasis(all, fs.length * CELLS, M, 6, 0.001);
    for (const f of fs) {
      const c = projectCodes(b, f, CELLS, new Int16Array(CELLS * 6));
      const r = new Float32Array(CELLS * M);
      reconstruct(b, c, CELLS, r, 0);
      let err = 0;
      let scale = 0;
      for (let i = 0; i < r.length; i++) { err = Math.max(err, Math.abs(r[i]! - f[i]!)); scale = Math.max(scale, Math.abs(f[i]!)); }
      // rank-4 content + tiny noise: the residual is the noise plus half a step per component
      expect(err).toBeLessThan(0.01 + 3 * b.step);
      expect(err).toBeLessThan(0.05 * scale);
    }
  });

  it('hold: cells that stay within `hold` steps keep their codes; the error stays bounded and does not drift', () => {
    const fs = frames(40, 5, 0.02); // noise of about a step: plain rounding flickers
    const all = new Float32Array(8 * CELLS * M);
    fs.slice(0, 8).forEach((f, i) => all.set(f, i * CELLS * M));
    const b = fitBasis(all, 8 * CELLS, M, 6, 0.05);
    const d = b.d;
    // the codes' own coordinates: coefficient / step for every cell and component
    const rawOf = (f: Float32Array) => {
      const r = new Float64Array(CELLS * d);
      for (let c = 0; c < CELLS; c++) for (let j = 0; j < d; j++) {
        let s = 0;
        for (let m = 0; m < M; m++) s += (f[c * M + m]! - b.mean[m]!) * b.basis[j * M + m]!;
        r[c * d + j] = s / b.step;
      }
      return r;
    };
    let held = 0;
    let bytesHold = 0;
    let bytesPlain = 0;
    let prev: Int16Array | null = null;
    let prevPlain: Int16Array | null = null;
    for (const f of fs) {
      const codes: Int16Array = projectCodes(b, f, CELLS, new Int16Array(CELLS * d), prev, 1);
      const plain: Int16Array = projectCodes(b, f, CELLS, new Int16Array(CELLS * d));
      const raw = rawOf(f);
      for (let c = 0; c < CELLS; c++) {
        const same = prev !== null && Array.from({ length: d }, (_, j) => codes[c * d + j] === prev![c * d + j]).every(Boolean);
        let worst = 0;
        for (let j = 0; j < d; j++) worst = Math.max(worst, Math.abs(raw[c * d + j]! - codes[c * d + j]!));
        if (same && prev !== null && Array.from({ length: d }, (_, j) => Math.abs(raw[c * d + j]! - prev![c * d + j]!) <= 1).every(Boolean)) {
          held++;
          expect(worst).toBeLessThanOrEqual(1 + 1e-9);
        } else {
          // replenished: exactly the plain rounding
          for (let j = 0; j < d; j++) expect(codes[c * d + j]).toBe(plain[c * d + j]);
          expect(worst).toBeLessThanOrEqual(0.5 + 1e-9);
        }
      }
      bytesHold += packCodes(codes, prev, d).length;
      bytesPlain += packCodes(plain, prevPlain, d).length;
      prev = codes;
      prevPlain = plain;
    }
    // the static cells of this "camera" are held most of the time, and that is what the bytes show
    expect(held).toBeGreaterThan(0.5 * (fs.length - 1) * CELLS);
    expect(bytesHold).toBeLessThan(bytesPlain);
    // hold 0 is the plain rounding
    expect(Array.from(projectCodes(b, fs[3]!, CELLS, new Int16Array(CELLS * d), prev, 0))).toEqual(Array.from(projectCodes(b, fs[3]!, CELLS, new Int16Array(CELLS * d))));
  });
});

describe('basis fit (fitResidual, projectCodes fit, IndexFileWriter.basisFit)', () => {
  const fitOn = (fs: Float32Array[]) => {
    const all = new Float32Array(fs.length * CELLS * M);
    fs.forEach((f, i) => all.set(f, i * CELLS * M));
    return fitBasis(all, fs.length * CELLS, M, 6, 0.001);
  };

  it('measures the out-of-basis energy exactly as the reconstruction error, and the fit share from the eigenvalues', () => {
    const fs = frames(12, 3, 0.05);
    const b = fitOn(fs);
    expect(b.fitResidual).toBeGreaterThan(0);
    expect(b.fitResidual).toBeLessThan(0.05); // rank-4 content in 6 components: only noise is left out
    let energy = 0, residual = 0;
    for (const f of fs) {
      const fit = { energy: 0, residual: 0 };
      projectCodes(b, f, CELLS, new Int16Array(CELLS * 6), null, 0, fit);
      // The same quantity from the unquantised projection, computed directly.
      let e = 0, r = 0;
      for (let c = 0; c < CELLS; c++) {
        const x = Array.from({ length: M }, (_, m) => f[c * M + m]! - b.mean[m]!);
        const coef = Array.from({ length: 6 }, (_, j) => x.reduce((a, v, m) => a + v * b.basis[j * M + m]!, 0));
        for (let m = 0; m < M; m++) { const back = coef.reduce((a, v, j) => a + v * b.basis[j * M + m]!, 0); r += (x[m]! - back) ** 2; e += x[m]! ** 2; }
      }
      expect(fit.energy).toBeCloseTo(e, 6);
      expect(fit.residual).toBeCloseTo(r, 4);
      energy += fit.energy;
      residual += fit.residual;
    }
    // Over the fit frames themselves the share is the eigenvalue share.
    expect(residual / energy).toBeCloseTo(b.fitResidual, 2);
  });

  it('stores fitResidual with the basis and still reads a basis block without it', () => {
    const path = join(root, 'fit-roundtrip.fpi');
    const w = IndexFileWriter.create(path, header('pca'));
    frames(8, 4, 0.05).forEach((f, i) => w.append(i * 200_000, f, thumb(i)));
    w.finish();
    const b = IndexFile.open(path).pcaBasis!;
    expect(b.fitResidual).toBeGreaterThan(0);
    const block = encodeBasis(b);
    expect(decodeBasis(block)!.fitResidual).toBe(b.fitResidual);
    const old = decodeBasis(block.subarray(0, block.length - 4))!;
    expect(Number.isNaN(old.fitResidual)).toBe(true);
    expect(Array.from(old.basis)).toEqual(Array.from(b.basis));
  });

  const sameScene = frames(40, 5, 0.05);
  const otherScene = frames(20, 77, 0.05); // other directions: a different scene

  it('without refitting (as before format 3): counts the frames of a changed scene as poorly fitted, from the first of them, and warns; the same scene does not', () => {
    const noRefit = { refitBasis: false };
    const path = join(root, 'fit-change.fpi');
    const w = IndexFileWriter.create(path, header('pca'), noRefit);
    sameScene.forEach((f, i) => w.append(i * 200_000, f, thumb(i)));
    expect(w.basisFit()).toMatchObject({ checked: 40, poorFrames: 0, firstPoorS: null });
    otherScene.forEach((f, i) => w.append((40 + i) * 200_000, f, thumb(i)));
    const fit = w.basisFit();
    w.finish();
    expect(fit).toMatchObject({ checked: 60, poorFrames: 20, firstPoorS: 8 });
    expect(fit.worstRatio).toBeGreaterThan(POOR_FIT_RATIO);
    const warning = poorFitWarning('/v/cam 1.mp4', fit)!;
    expect(warning).toMatch(/^\/v\/cam 1\.mp4: 20 of 60 sampled frames \(the first at 00:00:08\.000\) fit the index's compression basis poorly .*"Index again with exact features".*--dtype float16\)$/);
    // The evidence view recognises it (and only it) to offer that button (core/api/views.spec.ts).
    expect(isPoorFitWarning(warning)).toBe(true);
    expect(isPoorFitWarning('/v/cam 1.mp4: damaged video data from 00:00:01.800 to about 00:00:03.200: ffmpeg could not decode parts of it')).toBe(false);
    // Killed after the scene change began and resumed from a checkpoint: the counts go on, the same as uninterrupted.
    const part = join(root, 'fit-change-resumed.fpi');
    let r = IndexFileWriter.create(part, header('pca'), noRefit);
    sameScene.forEach((f, i) => r.append(i * 200_000, f, thumb(i)));
    otherScene.slice(0, 8).forEach((f, i) => r.append((40 + i) * 200_000, f, thumb(i)));
    const cp = r.checkpoint();
    expect(cp.basisFit).toMatchObject({ checked: 48, poorFrames: 8, firstPoorUs: 8_000_000 });
    r.close();
    r = IndexFileWriter.resume(part, header('pca'), JSON.parse(JSON.stringify(cp)), noRefit);
    otherScene.slice(8).forEach((f, i) => r.append((48 + i) * 200_000, f, thumb(i)));
    expect(r.basisFit()).toEqual(fit);
    r.finish();
    // A checkpoint from before the counts were kept resumes with this run's counts only.
    const { basisFit: _, ...older } = cp;
    r = IndexFileWriter.resume(part, header('pca'), older, noRefit);
    expect(r.basisFit()).toMatchObject({ checked: 0, poorFrames: 0 });
    r.close();
    // A couple of odd frames in an hour do not raise it.
    expect(poorFitWarning('v.mp4', { checked: 18000, poorFrames: 100, firstPoorS: 5, worstRatio: 4 })).toBeUndefined();
    expect(poorFitWarning('v.mp4', { checked: 100, poorFrames: 2, firstPoorS: 5, worstRatio: 4 })).toBeUndefined();
    // One basis: the file stays version 2.
    expect(IndexFile.open(path).header.formatVersion).toBe(2);
    expect(IndexFile.open(path).segments).toHaveLength(1);
  });

  /** Largest |stored − original| over the frames [from, to) of an index written from `source`. */
  const maxError = (idx: IndexFile, source: Float32Array[], from: number, to: number) => {
    let worst = 0;
    for (let i = from; i < to; i++) {
      const x = idx.features(i, 1, new Float32Array(CELLS * M));
      for (let k = 0; k < x.length; k++) worst = Math.max(worst, Math.abs(x[k]! - source[i]![k]!));
    }
    return worst;
  };

  it('refits the basis at a scene change: a second basis from the first poorly fitted frame, those frames stored as exactly as the first scene, version 3', () => {
    const all = [...sameScene, ...otherScene];
    const path = join(root, 'refit.fpi');
    const w = IndexFileWriter.create(path, header('pca'));
    all.forEach((f, i) => w.append(i * 200_000, f, thumb(i)));
    const fit = w.basisFit();
    w.finish();
    expect(fit).toMatchObject({ checked: 60, poorFrames: 0, firstPoorS: null });
    expect(poorFitWarning('/v/cam 1.mp4', fit)).toBeUndefined();
    const idx = IndexFile.open(path);
    expect(idx.header.formatVersion).toBe(3);
    expect(idx.segments.map((g) => [g.start, g.end])).toEqual([[0, 40], [40, 60]]);
    expect(idx.segments[0]!.key).not.toBe(idx.segments[1]!.key);
    expect(idx.basisOf(39)).toBe(idx.pcaBasis);
    expect(idx.basisOf(40)).toBe(idx.segments[1]!.basis);
    expect(idx.storage().basisBytes).toBe(idx.segments.reduce((n, g) => n + recordBytes(encodeBasis(g.basis!).length, 0), 0));
    // The new scene is stored about as exactly as the first; without the refit it is not.
    const first = maxError(idx, all, 0, 40);
    const second = maxError(idx, all, 40, 60);
    const old = join(root, 'refit-off.fpi');
    const o = IndexFileWriter.create(old, header('pca'), { refitBasis: false });
    all.forEach((f, i) => o.append(i * 200_000, f, thumb(i)));
    o.finish();
    const without = maxError(IndexFile.open(old), all, 40, 60);
    expect(second).toBeLessThan(3 * first);
    expect(without).toBeGreaterThan(10 * second);
    // Random access across the boundary equals sequential decoding (frame 40 is a key frame).
    const again = IndexFile.open(path);
    for (const i of [45, 39, 40, 0, 59]) {
      expect(Array.from(again.features(i, 1, new Float32Array(CELLS * M)))).toEqual(Array.from(idx.features(i, 1, new Float32Array(CELLS * M))));
    }
    // Coefficients are on each frame's own basis: codes × that basis' step.
    const c = again.coefficients(40, 1, new Float32Array(CELLS * 6));
    expect(c[0]).toBeCloseTo(again.codes(40)[0]! * idx.segments[1]!.basis!.step, 6);
  });

  it.each([
    ['before the change', 36], ['at the change, while frames are held for the refit', 43], ['after the refit', 52],
  ])('a refitted index resumed from a checkpoint %s is byte-identical to one written straight with the same checkpoints', (_, at) => {
    const all = [...sameScene, ...otherScene];
    const straight = join(root, `refit-straight-${at}.fpi`);
    const s = IndexFileWriter.create(straight, header('pca'));
    all.forEach((f, i) => { s.append(i * 200_000, f, thumb(i)); if (i + 1 === at) s.checkpoint(); });
    s.finish();
    const part = join(root, `refit-part-${at}.fpi`);
    let w = IndexFileWriter.create(part, header('pca'));
    all.slice(0, at).forEach((f, i) => w.append(i * 200_000, f, thumb(i)));
    const cp = JSON.parse(JSON.stringify(w.checkpoint()));
    all.slice(at, at + 5).forEach((f, i) => w.append((at + i) * 200_000, f, thumb(at + i))); // then killed
    w.close();
    w = IndexFileWriter.resume(part, header('pca'), cp);
    all.slice(at).forEach((f, i) => w.append((at + i) * 200_000, f, thumb(at + i)));
    const fit = w.basisFit();
    w.finish();
    expect(readFileSync(part).equals(readFileSync(straight))).toBe(true);
    const idx = IndexFile.open(part);
    expect(idx.segments.length).toBeGreaterThanOrEqual(2);
    expect(fit.checked).toBe(60);
    expect(idx.header.formatVersion).toBe(3);
  });

  it('reads a refit only in version 3: the same records under a version-2 header end at the second basis', () => {
    const path = join(root, 'refit-v2.fpi');
    const w = IndexFileWriter.create(path, header('pca'));
    [...sameScene, ...otherScene].forEach((f, i) => w.append(i * 200_000, f, thumb(i)));
    w.finish();
    const buf = readFileSync(path);
    buf.writeUInt16LE(2, 8);
    writeFileSync(path, buf);
    expect(() => IndexFile.open(path)).toThrow(/index is damaged \(header says 60 frames, found 40 whole records\)/);
  });
});
