/**
 * `fastpr train --data DIR --out MODEL_DIR [--config FILE] [--backbone compact|resnet50] [--resume]
 *  [--steps N] [--epochs N] [--batch N] [--replicas N|auto] [--imagenet FILE] [--backend NAME]`
 *
 * --config is a JSON file { "model": {…ModelConfig}, "training": {…TrainConfig} } (either part
 * optional); the flags override it. Ctrl-C stops at a step boundary with a checkpoint; --resume
 * continues exactly.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError } from '../../errors';
import { parseModelConfig } from '../../model/config';
import { countMacs } from '../../model/macs';
import { initBackend } from '../../tf/backend';
import { parseTrainConfig } from '../../train/config';
import { readCheckpointState } from '../../train/checkpoint';
import { trainFromDataset } from '../../train/run';
import { parseReplicasFlag } from '../../train/parallel/replicaCount';
import type { CliCommand } from '../command';

function intFlag(v: unknown, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InputError(`--${name}: expected a positive integer, got "${String(v)}"`, { field: name });
  return n;
}

function readConfigFile(file: string): { model?: unknown; training?: unknown } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new InputError(`${file}: config file not found`, { file });
  }
  try {
    return JSON.parse(text) as { model?: unknown; training?: unknown };
  } catch (e) {
    throw new InputError(`${file}: not valid JSON (${(e as Error).message})`, { file });
  }
}

/** Model settings that only training uses: a fine-tuning run may change them (weights of new proxy heads start at their init). */
const TRAINING_ONLY_MODEL_KEYS = new Set(['lossWeights', 'proxies', 'personAttributes', 'confidenceObjective', 'boxSizeLoss', 'labelHiddenWidth', 'reconstructionSize', 'decoderWidth']);

/**
 * The compact settings a fine-tune may not change: everything but the stages' strides (and so the
 * grid) and the pixel skip (zero-initialised: adding it leaves the starting model's function as is).
 */
const fixedCompactSettings = (compact: unknown) => {
  const { pixelSkip: _pixelSkip, ...c } = (compact ?? {}) as { stages?: Array<Record<string, unknown>>; pixelSkip?: unknown };
  return JSON.stringify({ ...c, stages: c.stages?.map(({ stride: _stride, ...rest }) => rest) });
};

/**
 * Architecture keys a fine-tune may change because every existing weight keeps its shape: the grid,
 * the compact stages' strides (making a stage stride 1 doubles S) and the pixel skip (a new
 * zero-initialised conv, or a finer block: the trained kernel is re-cut to compute the same,
 * core/model/pixelSkipRecut.ts). Weights whose shape depends on S (the offset proxy's dense layer) and new
 * ones start afresh; the trainer names them.
 */
function gridChangeAllowed(key: string, value: unknown, started: Record<string, unknown>): boolean {
  if (key === 'grid') return true;
  return key === 'compact' && fixedCompactSettings(value) === fixedCompactSettings(started.compact);
}

export const trainCommand: CliCommand = {
  name: 'train',
  summary: 'Train a FastPR model on a dataset folder (resumable; Ctrl-C checkpoints)',
  usage:
    'fastpr train --data DIR --out MODEL_DIR [--config FILE] [--backbone compact|resnet50] [--resume] ' +
    '[--steps N] [--epochs N] [--batch N] [--replicas N|auto] [--init MODEL_DIR] [--imagenet FILE] [--backend NAME] [--allow-cpu]\n' +
    '  --replicas N|auto: data-parallel training on N cores (worker threads, each 1/N of every batch; wasm backend);\n' +
    '    auto = as many as the cores and the batch size allow. A resumed run keeps its checkpoint\'s count.\n' +
    '  --init MODEL_DIR: fine-tune — start from that trained model\'s weights and architecture (e.g. models/default on\n' +
    '    imported SoftBioSearch data); --config then supplies only the training settings.',
  options: {
    data: { type: 'string' },
    out: { type: 'string' },
    config: { type: 'string' },
    backbone: { type: 'string' },
    resume: { type: 'boolean', default: false },
    steps: { type: 'string' },
    epochs: { type: 'string' },
    batch: { type: 'string' },
    replicas: { type: 'string' },
    imagenet: { type: 'string' },
    init: { type: 'string' },
    backend: { type: 'string' },
    'allow-cpu': { type: 'boolean', default: false },
  },
  async run(ctx) {
    const v = ctx.values;
    if (typeof v.data !== 'string') throw new InputError('--data DIR is required (a dataset folder)', { field: 'data' });
    if (typeof v.out !== 'string') throw new InputError('--out MODEL_DIR is required', { field: 'out' });
    const outDir = resolve(v.out);
    let modelInput: Record<string, unknown> = {};
    let trainInput: Record<string, unknown> = {};
    if (v.resume === true) {
      // The checkpoint holds the configs the run started with; flags may only extend its length.
      const meta = readCheckpointState(outDir).meta as { modelConfig?: Record<string, unknown>; trainConfig?: Record<string, unknown> };
      modelInput = meta.modelConfig ?? {};
      trainInput = meta.trainConfig ?? {};
    } else if (typeof v.config === 'string') {
      const file = readConfigFile(resolve(v.config));
      modelInput = (file.model as Record<string, unknown>) ?? {};
      trainInput = (file.training as Record<string, unknown>) ?? {};
    }
    const initFrom = typeof v.init === 'string' && v.resume !== true ? resolve(v.init) : undefined;
    if (initFrom) {
      // The architecture is the starting model's; its training settings apply unless --config gives others.
      const started = readConfigFile(join(initFrom, 'config.json'));
      if (!existsSync(join(initFrom, 'weights.bin'))) throw new InputError(`${initFrom}: no weights.bin to fine-tune from (a trained model directory is needed)`, { file: initFrom });
      const startedModel = (started.model as Record<string, unknown>) ?? {};
      // --config may change what only training uses (losses, proxies); not the inference architecture.
      for (const [key, value] of Object.entries(modelInput)) {
        if (TRAINING_ONLY_MODEL_KEYS.has(key) || JSON.stringify(value) === JSON.stringify(startedModel[key])) continue;
        if (gridChangeAllowed(key, value, startedModel)) continue;
        throw new InputError(
          `${resolve(String(v.config))}: model.${key} differs from the starting model's (${join(initFrom, 'config.json')}); with --init the architecture is the starting model's — only ${[...TRAINING_ONLY_MODEL_KEYS].join(', ')}, the grid and the compact stages' strides may change`,
          { file: resolve(String(v.config)), field: `model.${key}` },
        );
      }
      modelInput = { ...startedModel, ...modelInput };
      if (typeof v.config !== 'string') trainInput = (started.training as Record<string, unknown>) ?? {};
    }
    if (typeof v.backbone === 'string' && v.resume !== true && !initFrom) {
      if (v.backbone !== 'compact' && v.backbone !== 'resnet50') throw new InputError(`--backbone: expected compact or resnet50, got "${v.backbone}"`, { field: 'backbone' });
      modelInput = { ...modelInput, backbone: v.backbone };
    }
    const steps = intFlag(v.steps, 'steps');
    const epochs = intFlag(v.epochs, 'epochs');
    const batch = intFlag(v.batch, 'batch');
    if (steps !== undefined) trainInput = { ...trainInput, steps };
    if (epochs !== undefined) {
      const { steps: _drop, ...rest } = trainInput;
      trainInput = { ...rest, epochs, ...(steps !== undefined ? { steps } : {}) };
    }
    if (batch !== undefined && v.resume !== true) trainInput = { ...trainInput, batchSize: batch };
    const model = parseModelConfig(modelInput, typeof v.config === 'string' ? v.config : 'model config');
    const train = parseTrainConfig(trainInput, typeof v.config === 'string' ? v.config : 'training config');

    const backend = await initBackend({
      prefer: typeof v.backend === 'string' ? v.backend : undefined,
      purpose: 'train',
      allowCpuTraining: v['allow-cpu'] === true,
    });
    // Unset on --resume: trainFromDataset keeps the checkpoint's count, so the run continues exactly.
    const replicas = parseReplicasFlag(v.replicas);
    const macs = countMacs(model);
    if (!ctx.json) {
      ctx.print(`backend: ${backend.name} — ${backend.reason}`);
      ctx.print(`model: ${model.backbone} backbone, input ${model.inputSize}, S=${model.grid}, M=${model.featureWidth}; ` +
        `${(macs.inference / 1e9).toFixed(3)} GMAC/image inference (backbone ${(macs.backbone / 1e9).toFixed(3)})`);
    }
    const result = await trainFromDataset({
      dataDir: resolve(v.data),
      outDir,
      model,
      train,
      resume: v.resume === true,
      imagenetWeights: typeof v.imagenet === 'string' ? resolve(v.imagenet) : undefined,
      initFrom,
      backend: backend.name,
      replicas,
      onProgress: ctx.progress,
      signal: ctx.signal,
    });
    const summary = {
      state: result.state,
      steps: result.steps,
      samples: result.samples,
      outDir,
      modelHash: result.info?.modelHash,
      finalLoss: result.last?.total,
      imagesPerSecond: result.last?.imagesPerSecond,
      backend: backend.name,
      replicas: result.replicas,
    };
    if (ctx.json) ctx.print(JSON.stringify(summary));
    else {
      ctx.print(`${result.state === 'done' ? 'trained' : 'cancelled'} after ${result.steps} steps on ${result.samples} samples` +
        `${result.replicas > 1 ? ` (${result.replicas} data-parallel replicas)` : ''}; ` +
        `last total loss ${result.last?.total.toFixed(4) ?? 'n/a'}; model ${outDir} (${result.info?.modelHash?.slice(0, 12) ?? ''}…)`);
      if (result.state === 'cancelled') ctx.print(`resume with: fastpr train --data ${v.data} --out ${v.out} --resume`);
    }
    return result.state === 'cancelled' ? 130 : 0;
  },
};
