import { describe, expect, it } from 'vitest';
import { symmetricEigen } from './symmetricEigen';

/** A deterministic pseudo-random symmetric matrix (xorshift). */
function randomSymmetric(n: number, seed: number): Float64Array {
  let s = seed >>> 0 || 1;
  const next = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 2 ** 32 - 0.5; };
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) a[i * n + j] = a[j * n + i] = next();
  return a;
}

/** Max |A v − λ v| over all pairs, and max |VᵀV − I|. */
function errors(a: Float64Array, n: number, values: Float64Array, vectors: Float64Array): { residual: number; orthogonality: number } {
  let residual = 0, orthogonality = 0;
  for (let j = 0; j < n; j++) {
    for (let r = 0; r < n; r++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += a[r * n + k]! * vectors[k * n + j]!;
      residual = Math.max(residual, Math.abs(s - values[j]! * vectors[r * n + j]!));
    }
    for (let i = 0; i <= j; i++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += vectors[k * n + i]! * vectors[k * n + j]!;
      orthogonality = Math.max(orthogonality, Math.abs(s - (i === j ? 1 : 0)));
    }
  }
  return { residual, orthogonality };
}

describe('symmetricEigen (Householder + implicit QL)', () => {
  it.each([1, 2, 3, 17, 64])('decomposes a random %i×%i symmetric matrix: A·v = λ·v, orthonormal vectors, ascending values', (n) => {
    const a = randomSymmetric(n, 1000 + n);
    const { values, vectors } = symmetricEigen(a, n);
    const { residual, orthogonality } = errors(a, n, values, vectors);
    expect(residual).toBeLessThan(1e-12 * n);
    expect(orthogonality).toBeLessThan(1e-12 * n);
    for (let i = 1; i < n; i++) expect(values[i]!).toBeGreaterThanOrEqual(values[i - 1]!);
    // The trace is the sum of the eigenvalues.
    let trace = 0, sum = 0;
    for (let i = 0; i < n; i++) { trace += a[i * n + i]!; sum += values[i]!; }
    expect(Math.abs(trace - sum)).toBeLessThan(1e-12 * n);
  });

  it('finds the known eigenpairs of a 2×2 matrix and of a diagonal one', () => {
    const two = symmetricEigen(Float64Array.from([2, 1, 1, 2]), 2);
    expect(Array.from(two.values)).toEqual([expect.closeTo(1, 14), expect.closeTo(3, 14)]);
    // Eigenvector of 3 is (1, 1)/√2 up to sign.
    expect(Math.abs(two.vectors[0 * 2 + 1]!)).toBeCloseTo(Math.SQRT1_2, 14);
    expect(two.vectors[0 * 2 + 1]! * two.vectors[1 * 2 + 1]!).toBeGreaterThan(0);
    const diag = symmetricEigen(Float64Array.from([5, 0, 0, 0, -1, 0, 0, 0, 2]), 3);
    expect(Array.from(diag.values)).toEqual([-1, 2, 5]);
  });

  it('handles repeated eigenvalues, a rank-1 covariance and the zero matrix', () => {
    const n = 40;
    const u = Float64Array.from({ length: n }, (_, i) => Math.sin(i + 1));
    const rank1 = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) rank1[i * n + j] = u[i]! * u[j]!;
    const r = symmetricEigen(rank1, n);
    const e = errors(rank1, n, r.values, r.vectors);
    expect(e.residual).toBeLessThan(1e-12);
    expect(e.orthogonality).toBeLessThan(1e-12);
    let norm2 = 0;
    for (const v of u) norm2 += v * v;
    expect(r.values[n - 1]!).toBeCloseTo(norm2, 12);
    expect(Math.abs(r.values[n - 2]!)).toBeLessThan(1e-12);
    const zero = symmetricEigen(new Float64Array(n * n), n);
    expect(zero.values.every((v) => v === 0)).toBe(true);
    expect(errors(new Float64Array(n * n), n, zero.values, zero.vectors).orthogonality).toBeLessThan(1e-15);
  });

  it('is deterministic', () => {
    const a = randomSymmetric(33, 7);
    const x = symmetricEigen(a, 33), y = symmetricEigen(a, 33);
    expect(Buffer.from(x.vectors.buffer).equals(Buffer.from(y.vectors.buffer))).toBe(true);
  });
});
