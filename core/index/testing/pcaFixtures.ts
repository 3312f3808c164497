/** Shared set-up of the pca index specs (pcaIndex.spec.ts, indexFormat.spec.ts): a tiny grid, synthetic "static camera" frames, a header, thumbnails. */
import type { IndexHeader } from '../format';

export const S = 3;
export const CELLS = S * S;
export const M = 24;

/** Frames of a "static camera": fixed per-cell content of rank 4 plus a slowly moving cell, plus noise. */
export function frames(n: number, seed: number, noise = 0.001): Float32Array[] {
  let s = seed;
  const rnd = () => { s = (s * 1103515245 + 12345) >>> 0; return (s >>> 8) / 2 ** 24 - 0.5; };
  const dirs = Array.from({ length: 4 }, () => Float32Array.from({ length: M }, rnd));
  const base = Array.from({ length: CELLS }, () => Array.from({ length: 4 }, rnd));
  return Array.from({ length: n }, (_, t) => {
    const x = new Float32Array(CELLS * M);
    for (let c = 0; c < CELLS; c++) {
      const w = base[c]!.map((v, j) => v + (c === t % CELLS ? 0.8 * (j - 1.5) : 0));
      for (let m = 0; m < M; m++) x[c * M + m] = w.reduce((a, v, j) => a + v * dirs[j]![m]!, 0) + noise * rnd();
    }
    return x;
  });
}

export function header(dtype: IndexHeader['dtype'], extra: Partial<IndexHeader> = {}): IndexHeader {
  return {
    dtype, complete: false, everyFrame: false, grid: S, featureWidth: M, samplingFps: 5, frameWidth: 64, frameHeight: 48, inputSize: 32,
    frameCount: 0, transform: { scaleX: 0.5, scaleY: 0.5, offsetX: 0, offsetY: 4, inputWidth: 32, inputHeight: 32, flip: false },
    modelHash: 'm'.repeat(64), videoSha256: 'v'.repeat(64), thumbWidth: 16, thumbHeight: 12, inputScaling: 'ffmpeg',
    pca: { dims: 6, stepRel: 0.001, keyInterval: 7, fitFrames: 5 }, ...extra,
  };
}

export const thumb = (i: number) => Uint8Array.from({ length: 10 + (i % 3) }, (_, k) => (i * 7 + k) & 255);
