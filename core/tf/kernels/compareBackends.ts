/**
 * Test/bench helper: run the same computation on the wasm and cpu backends from identical data and
 * report how far apart the results are. Both backends live in one process; tf.setBackend switches.
 */
import * as tf from '../tf';

/** Deterministic uniform(-0.5, 0.5) data (Park–Miller), so both backends see the same numbers. */
export function seededData(size: number, seed: number): Float32Array {
  let s = (seed % 2147483646) + 1;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    s = (s * 16807) % 2147483647;
    out[i] = s / 2147483647 - 0.5;
  }
  return out;
}

export interface Diff { maxAbs: number; maxRel: number; scale: number }

/**
 * maxAbs = max |a − b|; maxRel = maxAbs / max |b| (relative to the reference's scale, which is stable
 * for values near zero, unlike an element-wise ratio).
 */
export function diff(a: ArrayLike<number>, b: ArrayLike<number>): Diff {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let maxAbs = 0, scale = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= maxAbs)) maxAbs = d; // also catches NaN
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return { maxAbs, maxRel: maxAbs / (scale || 1), scale };
}

/** Runs fn on each backend (inside tidy) and returns its outputs' values. */
export async function onBackends(backends: string[], fn: () => tf.Tensor[]): Promise<Record<string, Float32Array[]>> {
  const out: Record<string, Float32Array[]> = {};
  const before = tf.getBackend();
  for (const b of backends) {
    await tf.setBackend(b);
    out[b] = tf.tidy(fn).map((t) => {
      const v = t.dataSync() as Float32Array;
      t.dispose();
      return Float32Array.from(v);
    });
  }
  await tf.setBackend(before);
  return out;
}

/** Max diff of each output of fn on wasm against cpu. */
export async function wasmVsCpu(fn: () => tf.Tensor[]): Promise<Diff[]> {
  const r = await onBackends(['wasm', 'cpu'], fn);
  return r.wasm!.map((w, i) => diff(w, r.cpu![i]!));
}

export function fmt(d: Diff): string {
  return `maxAbs ${d.maxAbs.toExponential(2)} maxRel ${d.maxRel.toExponential(2)}`;
}
