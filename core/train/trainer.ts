/**
 * The FastPR trainer: deterministic batches, the alternate (or joint) schedule, Adam, checkpoints,
 * progress events, metrics log, cancel and exact resume.
 *
 * Determinism: epoch e's order is a permutation drawn from (seed, e); sample j of that order is
 * augmented from (seed, e, j); step s's offset swaps from (seed, s). So the state to save is
 * just (weights, Adam moments and step counts, step). A resumed run computes bit-identical batches
 * and, on a deterministic backend, the same losses as an uninterrupted one.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, ModelError } from '../errors';
import { ProgressMeter, type ProgressListener } from '../jobs/progress';
import type { ModelConfig } from '../model/config';
import { createModel, type FastprModel } from '../model/fastpr';
import { writeFileAtomic } from '../model/atomicFile';
import { PIXEL_SKIP_KERNEL, recutPixelSkipKernel } from '../model/pixelSkipRecut';
import { Rng } from '../model/rng';
import { assignArrays, weightsToArrays, type NamedArray } from '../model/weightsFile';
import { Adam } from './adam';
import { assembleBatch, batchTensors, disposeBatch, prepareSample, type AssembleOptions, type BatchTensors } from './batch';
import { readCheckpoint, writeCheckpoint, type TrainingState } from './checkpoint';
import { learningRateAt, phaseOf, type Phase, type TrainConfig } from './config';
import type { FrameSource } from './frameSource';
import type { TrainSample } from './samples';
import { OPTIONAL_TERMS, trainStep, type GradientReducer, type StepLosses } from './step';
import type { ReplicaExchange } from './parallel/exchange';
import { exchangeReducer } from './parallel/reducer';

export const METRICS_FILE = 'metrics.jsonl';

export interface TrainerOptions {
  modelConfig: ModelConfig;
  trainConfig: TrainConfig;
  samples: TrainSample[];
  source: FrameSource;
  /** Folder for checkpoints and metrics.jsonl; none = in memory only (tests). */
  outDir?: string;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
  jobId?: string;
  /** Off for evaluation-like runs; on by default. */
  augment?: boolean;
  /** Weights to start from (e.g. imported ImageNet backbone), by name; others keep their init. */
  initialWeights?: NamedArray[];
  /** Stored in checkpoints and given back on resume (data hashes, backend…). */
  meta?: Record<string, unknown>;
  /**
   * Data-parallel replica (core/train/parallel): this trainer computes samples index, index + count,
   * … of each batch and averages gradients and losses with the other replicas through `exchange`.
   * Only replica 0 writes checkpoints and metrics; every replica stops at the step the exchange
   * decides (the coordinator's cancel), not on `signal`.
   */
  shard?: { index: number; count: number; exchange: ReplicaExchange };
}

export interface StepRecord extends StepLosses {
  step: number;
  epoch: number;
  phase: Phase;
  /** Whole step including data loading. */
  imagesPerSecond: number;
  /** Forward + backward + update only. */
  computeImagesPerSecond: number;
  time: string;
}

export interface TrainResult {
  state: 'done' | 'cancelled';
  steps: number;
  last?: StepRecord;
}

const SALT_ORDER = 0x0e0c;
const SALT_AUGMENT = 0x0a06;
const SALT_SWAP = 0x05ab;
const SALT_QUERIES = 0x0e71;

export class Trainer {
  readonly model: FastprModel;
  readonly adam: Adam;
  readonly batchSize: number;
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
  step = 0;
  /** With initial weights: the weights that did not come from them (no same-named, same-shaped array). */
  freshWeights: string[] = [];
  /** Initial weights carried over in another shape that computes the same (pixelSkipRecut.ts). */
  recutWeights: string[] = [];
  private elapsedBefore = 0;
  private orderEpoch = -1;
  private order: number[] = [];
  private readonly anyProxy: boolean;
  private readonly reducer?: GradientReducer;
  /** False on replicas other than 0: they train but write nothing. */
  private readonly writes: boolean;

  private constructor(private readonly o: TrainerOptions) {
    if (o.samples.length === 0) throw new InputError('no training samples (no labelled frame with a non-empty query)');
    const tc = o.trainConfig;
    this.model = createModel(o.modelConfig, tc.seed);
    this.writes = !o.shard || o.shard.index === 0;
    if (o.initialWeights) {
      // Weights of the same name and shape carry over; the rest (new proxy heads, or the offset
      // proxy's S-dependent layer after a grid change) keep their fresh initialisation.
      const ours = this.model.weights;
      // A pixel skip asked at a finer block is re-cut from the trained one (same function), not restarted.
      const initial = o.initialWeights.map((a) => {
        const want = ours.get(a.name)?.shape;
        if (a.name !== PIXEL_SKIP_KERNEL || !want || want.join('×') === a.shape.join('×')) return a;
        const recut = recutPixelSkipKernel(a, want);
        if (recut) this.recutWeights.push(`${a.name} [${a.shape.join('×')}] → [${want.join('×')}]`);
        return recut ?? a;
      });
      const known = initial.filter((a) => ours.get(a.name)?.shape.join('×') === a.shape.join('×'));
      const loaded = new Set(known.map((a) => a.name));
      const partial = new Map([...ours].filter(([n]) => loaded.has(n)));
      assignArrays(partial, known, 'initial weights');
      this.freshWeights = [...ours.keys()].filter((n) => !loaded.has(n));
    }
    this.adam = new Adam(this.model.weights, {
      learningRate: tc.learningRate, beta1: tc.beta1, beta2: tc.beta2, epsilon: tc.epsilon, clipNorm: tc.clipNorm,
    });
    this.batchSize = Math.min(tc.batchSize, o.samples.length);
    if (o.shard) {
      if (this.batchSize % o.shard.count !== 0) {
        throw new InputError(`batch size ${this.batchSize} does not split evenly into ${o.shard.count} replicas; use a batch size divisible by ${o.shard.count}`, { field: 'batchSize' });
      }
      this.reducer = exchangeReducer(this.model.weights, o.shard.exchange, () => this.step);
    }
    this.stepsPerEpoch = Math.max(1, Math.floor(o.samples.length / this.batchSize));
    this.totalSteps = tc.steps ?? tc.epochs * this.stepsPerEpoch;
    const p = o.modelConfig.proxies;
    this.anyProxy = p.label || p.reconstruction || p.offset;
  }

  static create(o: TrainerOptions): Trainer {
    return new Trainer(o);
  }

  /** Continues from `outDir`'s checkpoint: weights, Adam state and position restored exactly. */
  static resume(o: TrainerOptions): Trainer {
    if (!o.outDir) throw new InputError('resume needs an output folder');
    const ck = readCheckpoint(o.outDir);
    const t = new Trainer(o);
    const s = ck.state;
    if (s.sampleCount !== o.samples.length || s.seed !== o.trainConfig.seed || s.stepsPerEpoch !== t.stepsPerEpoch) {
      throw new ModelError(
        `${join(o.outDir, 'checkpoint')}: checkpoint was made with ${s.sampleCount} samples, seed ${s.seed}, ${s.stepsPerEpoch} steps/epoch; ` +
          `now ${o.samples.length} samples, seed ${o.trainConfig.seed}, ${t.stepsPerEpoch} steps/epoch — use the same data and config`,
      );
    }
    assignArrays(t.model.weights, ck.weights, 'checkpoint weights');
    t.adam.restore(ck.adam, s.adamSteps);
    t.step = s.step;
    t.elapsedBefore = s.elapsedSeconds;
    t.trimMetrics();
    return t;
  }

  get epoch(): number {
    return Math.floor(this.step / this.stepsPerEpoch);
  }

  phaseAt(step: number): Phase {
    return phaseOf(step, this.stepsPerEpoch, this.o.trainConfig, this.anyProxy);
  }

  private orderFor(epoch: number): number[] {
    if (epoch !== this.orderEpoch) {
      this.order = Rng.derive(this.o.trainConfig.seed, SALT_ORDER, epoch).permutation(this.o.samples.length);
      this.orderEpoch = epoch;
    }
    return this.order;
  }

  /**
   * Per-step batch options; the extra queries' draws depend on (seed, step) only — and on the
   * shard, for a replica's part of the batch — so a resumed run repeats them.
   */
  private assembleOptions(step: number, shard?: { index: number; count: number }): AssembleOptions {
    const tc = this.o.trainConfig;
    return {
      boxTargets: tc.boxTargets,
      queriesPerImage: tc.queriesPerImage,
      ...(tc.queriesPerImage > 1 ? { queryRng: shard ? Rng.derive(tc.seed, SALT_QUERIES, step, shard.index) : Rng.derive(tc.seed, SALT_QUERIES, step) } : {}),
    };
  }

  /**
   * The batch of step `step`, or one shard of it: samples j ≡ shard.index (mod shard.count) of the
   * step's batch. A sample is augmented from its position in the epoch whatever the shard; the
   * offset proxy's swaps and the extra queries are drawn per shard (they pair samples within it).
   */
  async batchFor(step: number, shard?: { index: number; count: number }): Promise<BatchTensors> {
    const tc = this.o.trainConfig;
    const epoch = Math.floor(step / this.stepsPerEpoch);
    const pos = step % this.stepsPerEpoch;
    const order = this.orderFor(epoch);
    const parts = [];
    for (let j = shard?.index ?? 0; j < this.batchSize; j += shard?.count ?? 1) {
      const k = pos * this.batchSize + j;
      const sample = this.o.samples[order[k]!]!;
      const frame = await this.o.source.load(sample.frame);
      const rng = this.o.augment === false ? undefined : Rng.derive(tc.seed, SALT_AUGMENT, epoch, k);
      parts.push(prepareSample(sample, frame, this.o.modelConfig, tc, rng));
    }
    const swapRng = shard ? Rng.derive(tc.seed, SALT_SWAP, step, shard.index) : Rng.derive(tc.seed, SALT_SWAP, step);
    return batchTensors(assembleBatch(parts, this.o.modelConfig, swapRng, this.assembleOptions(step, shard)), this.o.modelConfig);
  }

  /** Runs step `this.step` and advances. */
  async runStep(): Promise<StepRecord> {
    const tc = this.o.trainConfig;
    const s = this.step;
    const epoch = Math.floor(s / this.stepsPerEpoch);
    const t0 = performance.now();
    const tensors = await this.batchFor(s, this.o.shard);
    const phase = this.phaseAt(s);
    const t1 = performance.now();
    let losses: StepLosses;
    try {
      losses = trainStep(this.model, tensors, phase, this.adam, learningRateAt(s, this.totalSteps, tc), this.reducer);
    } finally {
      disposeBatch(tensors);
    }
    const t2 = performance.now();
    this.step = s + 1;
    return {
      step: s,
      epoch,
      phase,
      ...losses,
      // The whole batch's images (all replicas' shards: they step together).
      imagesPerSecond: (1000 * this.batchSize) / (t2 - t0),
      computeImagesPerSecond: (1000 * this.batchSize) / (t2 - t1),
      time: new Date().toISOString(),
    };
  }

  /** Loss terms of a batch without updating (for tests and evaluation of the objective). */
  async evaluateStep(step: number): Promise<StepLosses> {
    const saved = this.step;
    const tensors = await this.batchFor(step);
    try {
      return trainStep(this.model, tensors, this.phaseAt(step));
    } finally {
      disposeBatch(tensors);
      this.step = saved;
    }
  }

  checkpoint(elapsedSeconds: number): void {
    if (!this.o.outDir || !this.writes) return;
    const adam = this.adam.state();
    const state: TrainingState = {
      step: this.step,
      totalSteps: this.totalSteps,
      stepsPerEpoch: this.stepsPerEpoch,
      adamSteps: adam.steps,
      seed: this.o.trainConfig.seed,
      sampleCount: this.o.samples.length,
      elapsedSeconds,
      meta: { modelConfig: this.o.modelConfig, trainConfig: this.o.trainConfig, ...this.o.meta },
    };
    writeCheckpoint(this.o.outDir, state, weightsToArrays(this.model.weights), adam.arrays);
  }

  /** After a resume, drop metric lines of steps the checkpoint does not include (they will be redone). */
  private trimMetrics(): void {
    if (!this.o.outDir || !this.writes) return;
    const file = join(this.o.outDir, METRICS_FILE);
    if (!existsSync(file)) return;
    const keep = readFileSync(file, 'utf8').split('\n').filter((l) => {
      if (!l.trim()) return false;
      try {
        return (JSON.parse(l) as { step: number }).step < this.step;
      } catch {
        return false;
      }
    });
    writeFileAtomic(file, keep.map((l) => l + '\n').join(''));
  }

  /** Trains until totalSteps or cancel; checkpoints every N steps, at each epoch end, at the end. */
  async run(): Promise<TrainResult> {
    const { outDir, signal, trainConfig: tc } = this.o;
    if (outDir && this.writes) mkdirSync(outDir, { recursive: true });
    const meter = new ProgressMeter(this.o.jobId ?? `train-${Date.now()}`, 'train', this.o.onProgress ?? (() => {}), 'steps', this.step);
    const started = performance.now();
    const elapsed = () => this.elapsedBefore + (performance.now() - started) / 1000;
    let last: StepRecord | undefined;
    // Replicas stop together, at the step the exchange decided; a lone trainer on its signal.
    const stopNow = () => (this.o.shard ? this.o.shard.exchange.stopDecided() : Boolean(signal?.aborted));
    while (this.step < this.totalSteps) {
      if (stopNow()) {
        this.checkpoint(elapsed());
        meter.finish('cancelled', this.step, this.totalSteps, `cancelled at step ${this.step}; resume with --resume`);
        return { state: 'cancelled', steps: this.step, last };
      }
      last = await this.runStep();
      if (!Number.isFinite(last.total)) {
        this.checkpoint(elapsed());
        throw new ModelError(`training diverged at step ${last.step} (loss ${last.total}); lower the learning rate or enable clipNorm`);
      }
      if (outDir && this.writes) appendFileSync(join(outDir, METRICS_FILE), JSON.stringify(last) + '\n');
      const endOfEpoch = this.step % this.stepsPerEpoch === 0;
      if (this.step % tc.checkpointEvery === 0 || endOfEpoch || this.step === this.totalSteps) this.checkpoint(elapsed());
      const metrics: Record<string, number> = {
        total: last.total, epoch: last.epoch + 1, con: last.con, loc: last.loc,
        imagesPerSecond: last.imagesPerSecond, computeImagesPerSecond: last.computeImagesPerSecond,
      };
      for (const k of OPTIONAL_TERMS) if (last[k] !== undefined) metrics[k] = last[k]!;
      // The phase label also says when the step runs on several cores (CLI progress line, Training screen).
      meter.update(this.step, this.totalSteps, { phase: this.o.shard ? `${last.phase} on ${this.o.shard.count} cores` : last.phase, metrics });
    }
    meter.finish('done', this.step, this.totalSteps);
    return { state: 'done', steps: this.step, last };
  }

  dispose(): void {
    this.adam.dispose();
    for (const w of this.model.weights.values()) w.dispose();
  }
}

