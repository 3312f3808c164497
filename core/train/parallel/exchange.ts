/**
 * Shared memory through which data-parallel training replicas (worker threads) average their
 * gradients and losses once per step, and agree on when to stop. No TF.js here: plain typed arrays,
 * Atomics for the barrier.
 *
 * Each replica writes its shard's gradient (a flat float32 vector over every weight, fixed layout)
 * and its losses into its own slot, waits until all have, then computes the mean of the slots in
 * replica order — the same float operations on every replica, so every replica gets the same bits
 * and applies the same Adam update: the replicas' weights stay identical without ever being sent.
 * The slots are double-buffered by step parity: a replica that races ahead to step s+1 writes the
 * other half, and cannot reach step s+2 (which reuses this half) before every replica has passed
 * step s+1's barrier, i.e. finished reading step s.
 */

const ARRIVED = 0;
const GENERATION = 1;
/** Set by the coordinator (cancel); copied into STOP by whichever replica releases a barrier. */
const STOP_REQUEST = 2;
/** The stop decision every replica reads after a barrier: the same value for all of them. */
const STOP = 3;
/** Set when a replica failed or died: waiting replicas give up instead of waiting for ever. */
const FAILED = 4;
const CONTROL_INTS = 8;

/** How long a replica waits at a barrier between checks of FAILED (ms). */
const WAIT_SLICE_MS = 200;

export interface ExchangeBuffers {
  replicas: number;
  /** Gradient floats per replica (every weight of the model, in the layout's order). */
  floats: number;
  /** Loss values per replica. */
  lossSlots: number;
  control: SharedArrayBuffer;
  gradients: SharedArrayBuffer;
  losses: SharedArrayBuffer;
}

export function createExchangeBuffers(replicas: number, floats: number, lossSlots: number): ExchangeBuffers {
  if (!Number.isInteger(replicas) || replicas < 2) throw new RangeError(`an exchange needs at least 2 replicas, got ${replicas}`);
  return {
    replicas,
    floats,
    lossSlots,
    control: new SharedArrayBuffer(CONTROL_INTS * 4),
    gradients: new SharedArrayBuffer(2 * replicas * floats * 4),
    losses: new SharedArrayBuffer(2 * replicas * lossSlots * 8),
  };
}

/** Coordinator side: ask the replicas to stop; they all stop after the same step. */
export function requestStop(b: ExchangeBuffers): void {
  Atomics.store(new Int32Array(b.control), STOP_REQUEST, 1);
}

/** Coordinator side: a replica failed; wake everyone waiting at a barrier so they throw. */
export function markFailed(b: ExchangeBuffers): void {
  const control = new Int32Array(b.control);
  Atomics.store(control, FAILED, 1);
  Atomics.add(control, GENERATION, 1);
  Atomics.notify(control, GENERATION);
}

/** Another replica failed while this one waited; the run is over. */
export class ReplicaAbandoned extends Error {
  override name = 'ReplicaAbandoned';
}

export class ReplicaExchange {
  private readonly control: Int32Array;
  private readonly gradients: Float32Array;
  private readonly losses: Float64Array;
  private readonly meanGradients: Float32Array;
  private readonly meanLosses: Float64Array;

  constructor(readonly buffers: ExchangeBuffers, readonly replica: number) {
    if (!Number.isInteger(replica) || replica < 0 || replica >= buffers.replicas) throw new RangeError(`replica ${replica} of ${buffers.replicas}`);
    this.control = new Int32Array(buffers.control);
    this.gradients = new Float32Array(buffers.gradients);
    this.losses = new Float64Array(buffers.losses);
    this.meanGradients = new Float32Array(buffers.floats);
    this.meanLosses = new Float64Array(buffers.lossSlots);
  }

  /** This replica's gradient slot for `step` (write the shard's gradient here, then call `reduce`). */
  gradientSlot(step: number): Float32Array {
    const { floats, replicas } = this.buffers;
    return this.gradients.subarray(((step & 1) * replicas + this.replica) * floats, ((step & 1) * replicas + this.replica + 1) * floats);
  }

  /**
   * After the gradient slot of `step` is written: publishes `losses`, waits for every replica and
   * returns the means (buffers owned by this object, valid until the next call). Throws
   * ReplicaAbandoned when another replica failed.
   */
  reduce(step: number, losses: ArrayLike<number>): { gradients: Float32Array; losses: Float64Array } {
    const { floats, replicas, lossSlots } = this.buffers;
    const half = step & 1;
    const lossBase = (half * replicas + this.replica) * lossSlots;
    for (let i = 0; i < lossSlots; i++) this.losses[lossBase + i] = losses[i] ?? Number.NaN;
    this.barrier();
    // Fixed order, float64 sums, one rounding: identical on every replica.
    const g = this.gradients;
    const mean = this.meanGradients;
    const base = half * replicas * floats;
    const scale = 1 / replicas;
    for (let i = 0; i < floats; i++) {
      let sum = g[base + i]!;
      for (let r = 1; r < replicas; r++) sum += g[base + r * floats + i]!;
      mean[i] = sum * scale;
    }
    for (let i = 0; i < lossSlots; i++) {
      let sum = 0;
      for (let r = 0; r < replicas; r++) sum += this.losses[(half * replicas + r) * lossSlots + i]!;
      this.meanLosses[i] = sum * scale;
    }
    return { gradients: mean, losses: this.meanLosses };
  }

  /** The stop decision made at the last barrier (the same on every replica). */
  stopDecided(): boolean {
    return Atomics.load(this.control, STOP) === 1;
  }

  private barrier(): void {
    const c = this.control;
    if (Atomics.load(c, FAILED)) throw new ReplicaAbandoned('another training replica failed');
    const generation = Atomics.load(c, GENERATION);
    if (Atomics.add(c, ARRIVED, 1) === this.buffers.replicas - 1) {
      // Last to arrive: reset, publish the stop decision, release the others.
      Atomics.store(c, ARRIVED, 0);
      Atomics.store(c, STOP, Atomics.load(c, STOP_REQUEST));
      Atomics.add(c, GENERATION, 1);
      Atomics.notify(c, GENERATION);
      return;
    }
    while (Atomics.load(c, GENERATION) === generation) Atomics.wait(c, GENERATION, generation, WAIT_SLICE_MS);
    if (Atomics.load(c, FAILED)) throw new ReplicaAbandoned('another training replica failed');
  }
}
