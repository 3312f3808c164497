/**
 * Adam (Kingma & Ba) with per-weight step counts and serialisable state. Written here rather than
 * tf.train.adam because the alternate schedule updates different weight subsets in turn: tfjs's
 * optimizer keys its moments by position in the gradient list and shares one step count, which
 * would mix moments between weights and mis-correct the bias of weights frozen for a phase.
 */
import * as tf from '../tf/tf';
import type { NamedArray } from '../model/weightsFile';
import type { Weights } from '../model/layers';

/**
 * Backends on which the update runs as a JS loop over plain arrays. Only the pure-JS cpu backend: on
 * wasm the tensor-op update (SIMD kernels on the heap, no copies out and back) costs 36–55 CPU-ms per
 * step for the compact model's 2.3 M weights against 120–190 ms for the host loop (measured 30 Nov
 * 2026; `bench:train --baseline REV` prints both, interleaved).
 */
const HOST_BACKENDS = new Set(['cpu']);

export interface AdamOptions {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** Global-norm clipping before the update; 0 = off. */
  clipNorm: number;
}

export class Adam {
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();
  private readonly t = new Map<string, number>();

  /** `mode` 'auto' picks the host loop on cpu and tensor ops elsewhere; 'ops' / 'host' force one (tests, benches). */
  constructor(private readonly weights: Weights, readonly options: AdamOptions, readonly mode: 'auto' | 'ops' | 'host' = 'auto') {}

  /** Applies one update to the weights named in `grads` (at `learningRate`, default the option's); returns the global gradient norm. */
  apply(grads: Map<string, tf.Tensor>, learningRate?: number): number {
    const lr = learningRate ?? this.options.learningRate;
    for (const name of grads.keys()) {
      const w = this.weights.get(name);
      if (!w) throw new Error(`Adam: no weight ${name}`);
      if (!this.m.has(name) || !this.v.has(name)) {
        this.m.set(name, tf.variable(tf.zerosLike(w), false));
        this.v.set(name, tf.variable(tf.zerosLike(w), false));
      }
    }
    // On the cpu backend the update runs as one loop per weight over plain arrays: a dozen JS
    // kernels per weight cost more than one loop there (same formula).
    const host = this.mode === 'auto' ? HOST_BACKENDS.has(tf.getBackend()) : this.mode === 'host';
    return host ? this.applyOnHost(grads, lr) : this.applyWithOps(grads, lr);
  }

  private stepOf(name: string): number {
    const t = (this.t.get(name) ?? 0) + 1;
    this.t.set(name, t);
    return t;
  }

  private applyWithOps(grads: Map<string, tf.Tensor>, lr: number): number {
    const { beta1: b1, beta2: b2, epsilon, clipNorm } = this.options;
    const norm = tf.tidy(() => {
      const sq = [...grads.values()].map((g) => tf.sum(tf.square(g)));
      return sq.length ? tf.sqrt(tf.addN(sq)).dataSync()[0]! : 0;
    });
    const scale = clipNorm > 0 && norm > clipNorm ? clipNorm / norm : 1;
    tf.tidy(() => {
      for (const [name, g0] of grads) {
        const w = this.weights.get(name)!;
        const g = scale === 1 ? g0 : tf.mul(g0, scale);
        const m = this.m.get(name)!;
        const v = this.v.get(name)!;
        const t = this.stepOf(name);
        m.assign(tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1)));
        v.assign(tf.add(tf.mul(v, b2), tf.mul(tf.square(g), 1 - b2)));
        const stepSize = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
        w.assign(tf.sub(w, tf.mul(tf.div(m, tf.add(tf.sqrt(v), epsilon * Math.sqrt(1 - b2 ** t))), stepSize)));
      }
    });
    return norm;
  }

  /** The same update as applyWithOps, element by element (float32 storage, as the ops). */
  private applyOnHost(grads: Map<string, tf.Tensor>, lr: number): number {
    const { beta1: b1, beta2: b2, epsilon, clipNorm } = this.options;
    const gs = new Map<string, Float32Array>();
    let sq = 0;
    for (const [name, g] of grads) {
      const a = g.dataSync() as Float32Array;
      gs.set(name, a);
      for (let i = 0; i < a.length; i++) sq += a[i]! * a[i]!;
    }
    const norm = Math.sqrt(sq);
    const scale = clipNorm > 0 && norm > clipNorm ? clipNorm / norm : 1;
    for (const [name, g] of gs) {
      const w = this.weights.get(name)!;
      const mVar = this.m.get(name)!;
      const vVar = this.v.get(name)!;
      const t = this.stepOf(name);
      // Copies: on the cpu backend dataSync returns the tensor's own storage.
      const wv = Float32Array.from(w.dataSync() as Float32Array);
      const m = Float32Array.from(mVar.dataSync() as Float32Array);
      const v = Float32Array.from(vVar.dataSync() as Float32Array);
      const stepSize = Math.fround((lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t));
      const eps = Math.fround(epsilon * Math.sqrt(1 - b2 ** t));
      const c1 = Math.fround(1 - b1), c2 = Math.fround(1 - b2), f1 = Math.fround(b1), f2 = Math.fround(b2);
      for (let i = 0; i < wv.length; i++) {
        const gi = scale === 1 ? g[i]! : Math.fround(g[i]! * scale);
        m[i] = Math.fround(m[i]! * f1) + Math.fround(gi * c1);
        v[i] = Math.fround(v[i]! * f2) + Math.fround(Math.fround(gi * gi) * c2);
        wv[i] = wv[i]! - Math.fround(Math.fround(m[i]! / Math.fround(Math.fround(Math.sqrt(v[i]!)) + eps)) * stepSize);
      }
      for (const [variable, data] of [[w, wv], [mVar, m], [vVar, v]] as const) {
        const next = tf.tensor(data, variable.shape, 'float32');
        variable.assign(next);
        next.dispose();
      }
    }
    return norm;
  }

  /** Moments as named arrays (`m/<weight>`, `v/<weight>`) and per-weight step counts. */
  state(): { arrays: NamedArray[]; steps: Record<string, number> } {
    const arrays: NamedArray[] = [];
    for (const [name, m] of this.m) {
      arrays.push({ name: `m/${name}`, shape: [...m.shape], data: m.dataSync() as Float32Array });
      arrays.push({ name: `v/${name}`, shape: [...m.shape], data: this.v.get(name)!.dataSync() as Float32Array });
    }
    return { arrays, steps: Object.fromEntries(this.t) };
  }

  restore(arrays: NamedArray[], steps: Record<string, number>): void {
    this.dispose();
    for (const a of arrays) {
      const slash = a.name.indexOf('/');
      const kind = a.name.slice(0, slash);
      const name = a.name.slice(slash + 1);
      const target = kind === 'm' ? this.m : kind === 'v' ? this.v : undefined;
      if (!target || !this.weights.has(name)) throw new Error(`Adam state: unexpected entry ${a.name}`);
      const init = tf.tensor(a.data, a.shape, 'float32');
      target.set(name, tf.variable(init, false));
      init.dispose();
    }
    for (const [name, t] of Object.entries(steps)) this.t.set(name, t);
  }

  dispose(): void {
    for (const x of [...this.m.values(), ...this.v.values()]) x.dispose();
    this.m.clear();
    this.v.clear();
    this.t.clear();
  }
}
