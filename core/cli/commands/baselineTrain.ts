/** `fastpr baseline train`: train the two-stage baseline (person detector + attribute classifier) on a dataset. */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ATTRIBUTES } from '../../attributes/schema';
import { chooseAbsentThreshold, collectBestCosines } from '../../baseline/calibrate';
import { defaultBaselineConfig } from '../../baseline/config';
import { classifierMacs, detectorMacs } from '../../baseline/macs';
import { createBaseline, disposeBaseline, saveBaseline } from '../../baseline/modelDir';
import { exportBaselineOnnx } from '../../baseline/onnx';
import { BaselinePredictor } from '../../baseline/predictor';
import { trainBaseline } from '../../baseline/train';
import { framesOfSplit, readDataset } from '../../dataset/reader';
import { InputError } from '../../errors';
import { initBackend } from '../../tf/backend';
import type { CliCommand } from '../command';

function intOption(name: string, raw: unknown, fallback: number, min = 0): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new InputError(`--${name} must be an integer ≥ ${min}, got "${String(raw)}"`);
  return n;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);

export const baselineTrainCommand: CliCommand = {
  name: 'baseline train',
  summary: 'Train the two-stage baseline (416×416 person detector + 128×64 attribute classifier, Cos-Sim ranking)',
  usage:
    'fastpr baseline train --data DATASET_DIR --out MODEL_DIR [--detector-steps 2000] [--classifier-steps 2000]\n' +
    '                      [--batch 8] [--crop-batch 32] [--input-size 416] [--method cos-sim|cascade] [--seed 1] [--overwrite]',
  options: {
    data: { type: 'string' }, out: { type: 'string' }, 'detector-steps': { type: 'string' }, 'classifier-steps': { type: 'string' },
    batch: { type: 'string' }, 'crop-batch': { type: 'string' }, 'input-size': { type: 'string' }, method: { type: 'string' },
    seed: { type: 'string' }, overwrite: { type: 'boolean', default: false },
  },
  async run(ctx) {
    const dataDir = ctx.values.data as string | undefined;
    const out = ctx.values.out as string | undefined;
    if (!dataDir) throw new InputError('baseline train: --data DATASET_DIR is required');
    if (!out) throw new InputError('baseline train: --out MODEL_DIR is required');
    const finalDir = resolve(out);
    if (existsSync(finalDir) && ctx.values.overwrite !== true) throw new InputError(`${finalDir} already exists; pass --overwrite to replace it`);
    const method = (ctx.values.method as string | undefined) ?? 'cos-sim';
    if (method !== 'cos-sim' && method !== 'cascade') throw new InputError(`--method must be cos-sim or cascade, got "${method}"`);
    const inputSize = intOption('input-size', ctx.values['input-size'], 416, 32);
    if (inputSize % 16 !== 0) throw new InputError(`--input-size must be a multiple of 16 (the detector's stride), got ${inputSize}`);
    const base = defaultBaselineConfig({ seed: intOption('seed', ctx.values.seed, 1) });
    const config = { ...base, detector: { ...base.detector, inputSize }, ranking: { ...base.ranking, method: method as 'cos-sim' | 'cascade' } };
    const steps = {
      detectorSteps: intOption('detector-steps', ctx.values['detector-steps'], 2000),
      classifierSteps: intOption('classifier-steps', ctx.values['classifier-steps'], 2000),
    };
    const dataset = readDataset(dataDir);
    const backend = await initBackend({ purpose: 'train' });
    const model = createBaseline(config);
    const started = Date.now();
    try {
      const r = await trainBaseline(dataset, config, model.detector, model.classifier, {
        ...steps,
        detectorBatch: intOption('batch', ctx.values.batch, 8, 1),
        classifierBatch: intOption('crop-batch', ctx.values['crop-batch'], 32, 1),
        signal: ctx.signal, progress: ctx.progress,
      });
      // Cascade order: the slots the classifier gets right most often first.
      const slotOrder = r.slotAccuracy.map((a, s) => [s, a] as const).filter(([, a]) => !Number.isNaN(a)).sort((a, b) => b[1] - a[1]).map(([s]) => s);
      // "Absent" threshold on held-out frames (val; train when the dataset has no val split).
      const held = framesOfSplit(dataset, 'val').length ? framesOfSplit(dataset, 'val') : framesOfSplit(dataset, 'train');
      const cosines = await collectBestCosines(new BaselinePredictor(model), dataset.dir, held, 64, ctx.signal);
      const choice = chooseAbsentThreshold(cosines.present, cosines.absent);
      const absentThreshold = choice?.threshold ?? config.ranking.absentThreshold;
      const training = {
        dataset: { dir: resolve(dataDir), source: dataset.manifest.source, createdAt: dataset.manifest.createdAt, seed: dataset.manifest.seed },
        backend: backend.name, ...steps, seconds: (Date.now() - started) / 1000,
        trainFrames: r.trainFrames, trainPersons: r.trainPersons,
        detectorLoss: { first: mean(r.detectorLosses.slice(0, 20)), last: mean(r.detectorLosses.slice(-20)) },
        classifierLoss: { first: mean(r.classifierLosses.slice(0, 20)), last: mean(r.classifierLosses.slice(-20)) },
        slotAccuracy: Object.fromEntries(ATTRIBUTES.map((a, s) => [a.key, Number.isNaN(r.slotAccuracy[s]!) ? null : r.slotAccuracy[s]])),
        absentCalibration: choice ?? { note: 'no absent-target queries in the held-out frames; default threshold kept' },
        macs: { detector: detectorMacs(config.detector), classifierPerCrop: classifierMacs(config.classifier) },
      };
      // Written to a sibling temp folder, renamed into place: no half-written model under the final name.
      const temp = join(dirname(finalDir), `.${basename(finalDir)}.partial-${process.pid}`);
      rmSync(temp, { recursive: true, force: true });
      const trained = { ...model, config: { ...config, ranking: { ...config.ranking, slotOrder, absentThreshold }, training } };
      saveBaseline(temp, trained);
      // ONNX copies of both networks: evaluation and benchmarks run them on onnxruntime, like FastPR.
      exportBaselineOnnx(trained, temp);
      if (existsSync(finalDir)) rmSync(finalDir, { recursive: true, force: true });
      renameSync(temp, finalDir);
      if (ctx.json) ctx.print(JSON.stringify({ out: finalDir, training }));
      else {
        ctx.print(`Baseline saved to ${finalDir} (${training.seconds.toFixed(0)} s on ${backend.name}).`);
        ctx.print(`Detector loss ${training.detectorLoss.first.toFixed(3)} → ${training.detectorLoss.last.toFixed(3)}; classifier loss ${training.classifierLoss.first.toFixed(3)} → ${training.classifierLoss.last.toFixed(3)}.`);
        ctx.print(`MACs: detector ${(training.macs.detector / 1e6).toFixed(0)} M per frame + ${(training.macs.classifierPerCrop / 1e6).toFixed(1)} M per detected person.`);
      }
    } finally {
      disposeBaseline(model);
    }
  },
};
