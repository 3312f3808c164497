/**
 * The trainer's side of the exchange: named gradient tensors ↔ the flat shared layout (every weight
 * of the model in its Map order, so the layout is the same on every replica whatever the phase
 * trains), StepLosses ↔ loss slots.
 */
import * as tf from '../../tf/tf';
import type { Weights } from '../../model/layers';
import { OPTIONAL_TERMS, type GradientReducer, type StepLosses } from '../step';
import type { ReplicaExchange } from './exchange';

/** StepLosses fields exchanged, in slot order (gradNorm is not: Adam computes it from the mean). */
export const LOSS_KEYS = ['total', 'objective', 'con', 'loc', ...OPTIONAL_TERMS] as const;

export interface WeightLayout {
  offsets: Map<string, number>;
  floats: number;
}

export function weightLayout(weights: Weights): WeightLayout {
  const offsets = new Map<string, number>();
  let floats = 0;
  for (const [name, w] of weights) {
    offsets.set(name, floats);
    floats += w.size;
  }
  return { offsets, floats };
}

/** A GradientReducer for step `stepOf()` through `exchange` (the trainer tells it the step). */
export function exchangeReducer(weights: Weights, exchange: ReplicaExchange, stepOf: () => number): GradientReducer {
  const layout = weightLayout(weights);
  if (layout.floats !== exchange.buffers.floats) {
    throw new Error(`gradient exchange holds ${exchange.buffers.floats} floats per replica, the model has ${layout.floats}`);
  }
  return (grads, losses) => {
    const step = stepOf();
    const slot = exchange.gradientSlot(step);
    for (const [name, g] of grads) slot.set(g.dataSync() as Float32Array, layout.offsets.get(name)!);
    const values = LOSS_KEYS.map((k) => losses[k] ?? Number.NaN);
    const mean = exchange.reduce(step, values);
    const out = new Map<string, tf.Tensor>();
    for (const [name, g] of grads) {
      const at = layout.offsets.get(name)!;
      out.set(name, tf.tensor(mean.gradients.subarray(at, at + g.size), g.shape, 'float32'));
    }
    const reduced: StepLosses = { total: 0, objective: 0, con: 0, loc: 0, gradNorm: 0 };
    LOSS_KEYS.forEach((k, i) => {
      const v = mean.losses[i]!;
      if (!Number.isNaN(v)) reduced[k] = v;
    });
    return { grads: out, losses: reduced };
  };
}
