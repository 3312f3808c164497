/**
 * Adam (Kingma & Ba) with per-weight step counts and serialisable state. Written here rather than
 * tf.train.adam because the alternate schedule updates different weight subsets in turn: tfjs's
 * optimizer keys its moments by position in the gradient list and shares one step count, which
 * would mix moments between weights and mis-correct the bias of weights frozen for a phase.
 */
import * as tf from '../tf/tf';
import type { NamedArray } from '../model/weightsFile';
import type { Weights } from '../model/layers';

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

  constructor(private readonly weights: Weights, readonly options: AdamOptions) {}

  /** Applies one update to the weights named in `grads` (at `learningRate`, default the option's); returns the global gradient norm. */
  apply(grads: Map<string, tf.Tensor>, learningRate?: number): number {
    const lr = learningRate ?? this.options.learningRate;
    const { beta1: b1, beta2: b2, epsilon, clipNorm } = this.options;
    const norm = tf.tidy(() => {
      const sq = [...grads.values()].map((g) => tf.sum(tf.square(g)));
      return sq.length ? tf.sqrt(tf.addN(sq)).dataSync()[0]! : 0;
    });
    const scale = clipNorm > 0 && norm > clipNorm ? clipNorm / norm : 1;
    tf.tidy(() => {
      for (const [name, g0] of grads) {
        const w = this.weights.get(name);
        if (!w) throw new Error(`Adam: no weight ${name}`);
        const g = scale === 1 ? g0 : tf.mul(g0, scale);
        let m = this.m.get(name);
        let v = this.v.get(name);
        if (!m || !v) {
          m = tf.variable(tf.zerosLike(w), false);
          v = tf.variable(tf.zerosLike(w), false);
          this.m.set(name, m);
          this.v.set(name, v);
        }
        const t = (this.t.get(name) ?? 0) + 1;
        this.t.set(name, t);
        m.assign(tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1)));
        v.assign(tf.add(tf.mul(v, b2), tf.mul(tf.square(g), 1 - b2)));
        const stepSize = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
        w.assign(tf.sub(w, tf.mul(tf.div(m, tf.add(tf.sqrt(v), epsilon * Math.sqrt(1 - b2 ** t))), stepSize)));
      }
    });
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
