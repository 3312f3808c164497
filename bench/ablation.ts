/**
 * npm run bench:ablation -- --data DATASET_DIR [--config models/recipes/default.json] [--steps 300] [--batch N]
 *                           [--eval-split val|test|all] [--limit N] [--out .bench/ablation] [--variants a,b,...] [--tiny]
 *
 * The paper's Table 2 on our data: the full model, each self-supervised proxy switched off, every
 * proxy off, and the merged confidence+box head — each trained from the same recipe, seed, data and
 * step budget, exported to ONNX and scored with the paper's protocol on a held-out split, in one run.
 *
 * Every variant lives in OUT/<variant>/. A variant whose model is complete (trained to the budget,
 * same configs, same annotations) is reused; an unfinished one resumes from its checkpoint; so a
 * killed run resumes variant by variant. Evaluation always runs again (it depends on split and limit).
 * The recipe's dense attribute term (lossWeights.attr) is not one of the paper's proxies: it stays on
 * in every variant.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { ANNOTATIONS_FILE, splitNameSchema, type SplitName } from '../core/dataset/format';
import { readDataset } from '../core/dataset/reader';
import { InputError } from '../core/errors';
import { evaluateDataset } from '../core/eval/evaluateDataset';
import { openEvaluator } from '../core/eval/openEvaluator';
import { findCell } from '../core/eval/paper';
import { RECALL_IOUS, RECALL_NS, type EvalReport } from '../core/eval/types';
import { parseModelConfig, tinyConfig, type ModelConfig } from '../core/model/config';
import { exportModelDir } from '../core/onnx/export/exportModel';
import { ONNX_MANIFEST_FILE } from '../core/onnx/export/manifest';
import { initBackend } from '../core/tf/backend';
import { checkpointPath, readCheckpoint } from '../core/train/checkpoint';
import { parseTrainConfig, type TrainConfig } from '../core/train/config';
import { trainFromDataset } from '../core/train/run';
import { METRICS_FILE } from '../core/train/trainer';

/** Table 2's rows: what each variant changes in the recipe's model config. */
export const VARIANTS = {
  full: { label: 'Full model (all proxies, dual heads)', model: {} },
  'no-label': { label: 'w/o label proxy', model: { proxies: { label: false } } },
  'no-reconstruction': { label: 'w/o reconstruction proxy', model: { proxies: { reconstruction: false } } },
  'no-offset': { label: 'w/o offset proxy', model: { proxies: { offset: false } } },
  'no-proxy': { label: 'w/o any proxy', model: { proxies: { label: false, reconstruction: false, offset: false } } },
  merged: { label: 'Merged confidence+box head', model: { heads: 'merged' } },
} as const satisfies Record<string, { label: string; model: { proxies?: Partial<ModelConfig['proxies']>; heads?: ModelConfig['heads'] } }>;
export type VariantName = keyof typeof VARIANTS;
export const VARIANT_NAMES = Object.keys(VARIANTS) as VariantName[];

export interface AblationOptions {
  dataDir: string;
  /** The recipe's parts: { model, training } (either optional). */
  recipe: { model?: Record<string, unknown>; training?: Record<string, unknown> };
  steps: number;
  batch?: number;
  split: SplitName | 'all';
  limit?: number;
  outDir: string;
  variants: VariantName[];
  tiny: boolean;
  /** TF.js backend name, recorded in model.json (initialise it before calling). */
  backend?: string;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

export interface VariantResult {
  variant: VariantName;
  label: string;
  dir: string;
  reused: boolean;
  trainSeconds: number | undefined;
  finalLoss: number | undefined;
  /** Mean con + loc over the last ≤10 steps: the localisation objective every variant shares. */
  localisationLoss: number | undefined;
  report: EvalReport;
}

/** The sizes of tinyConfig (smoke runs); the recipe's losses and switches are kept. */
function tinySizes(): Record<string, unknown> {
  const t = tinyConfig();
  return {
    backbone: 'compact', inputSize: t.inputSize, grid: t.grid, featureWidth: t.featureWidth, hiddenWidth: t.hiddenWidth,
    labelHiddenWidth: t.labelHiddenWidth, decoderWidth: t.decoderWidth, reconstructionSize: t.reconstructionSize, compact: t.compact,
  };
}

export function variantConfigs(o: Pick<AblationOptions, 'recipe' | 'steps' | 'batch' | 'tiny'>, v: VariantName): { model: ModelConfig; train: TrainConfig } {
  const base = { ...(o.recipe.model ?? {}), ...(o.tiny ? tinySizes() : {}) };
  const change = VARIANTS[v].model as { proxies?: Record<string, boolean>; heads?: string };
  const baseProxies = (base.proxies as Record<string, boolean> | undefined) ?? {};
  const model = parseModelConfig({
    ...base,
    ...(change.heads ? { heads: change.heads } : {}),
    ...(change.proxies ? { proxies: { ...baseProxies, ...change.proxies } } : {}),
  }, `variant ${v}`);
  const { epochs: _epochs, ...training } = o.recipe.training ?? {};
  const train = parseTrainConfig({
    ...training,
    steps: o.steps,
    ...(o.batch !== undefined ? { batchSize: o.batch } : o.tiny ? { batchSize: 4 } : {}),
  }, `variant ${v}`);
  return { model, train };
}

/** JSON with sorted keys, so configs read back from disk compare equal to freshly parsed ones. */
function canonical(x: unknown): string {
  return JSON.stringify(x, (_k, val: unknown) => (val && typeof val === 'object' && !Array.isArray(val)
    ? Object.fromEntries(Object.entries(val as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
    : val));
}

const readJson = (file: string): Record<string, unknown> => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;

/** 'complete': trained to the budget with these configs and data; 'resume': a matching checkpoint; 'new': empty folder. */
function variantState(dir: string, model: ModelConfig, train: TrainConfig, annotationsSha256: string): 'complete' | 'resume' | 'new' {
  const sameConfigs = (m: unknown, t: unknown) => canonical(m) === canonical(model) && canonical(t) === canonical(train);
  const mismatch = (what: string) => new InputError(
    `${dir}: ${what} was made with other settings or data than this run (steps, batch, recipe, --tiny or dataset); ` +
      'use another --out or delete that folder', { file: dir });
  if (existsSync(join(dir, 'model.json')) && existsSync(join(dir, 'config.json'))) {
    const info = readJson(join(dir, 'model.json'));
    const cfg = readJson(join(dir, 'config.json'));
    if (info.complete === true) {
      if (!sameConfigs(cfg.model, cfg.training) || info.annotationsSha256 !== annotationsSha256) throw mismatch('the trained model');
      return 'complete';
    }
  }
  if (existsSync(checkpointPath(dir))) {
    const meta = readCheckpoint(dir).state.meta as { modelConfig?: unknown; trainConfig?: unknown; annotationsSha256?: string };
    if (!sameConfigs(meta.modelConfig, meta.trainConfig) || meta.annotationsSha256 !== annotationsSha256) throw mismatch('the checkpoint');
    return 'resume';
  }
  return 'new';
}

/** Mean of con + loc over the last `n` logged steps. */
function localisationLoss(dir: string, n = 10): number | undefined {
  const file = join(dir, METRICS_FILE);
  if (!existsSync(file)) return undefined;
  const rows = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).slice(-n).map((l) => JSON.parse(l) as { con: number; loc: number });
  return rows.length ? rows.reduce((s, r) => s + r.con + r.loc, 0) / rows.length : undefined;
}

export async function runAblation(o: AblationOptions): Promise<VariantResult[]> {
  const log = o.log ?? (() => {});
  const dataset = readDataset(o.dataDir);
  const annotationsSha256 = createHash('sha256').update(readFileSync(join(o.dataDir, ANNOTATIONS_FILE))).digest('hex');
  const results: VariantResult[] = [];
  for (const v of o.variants) {
    const dir = join(o.outDir, v);
    mkdirSync(dir, { recursive: true });
    const { model, train } = variantConfigs(o, v);
    const state = variantState(dir, model, train, annotationsSha256);
    if (state !== 'complete') {
      log(`${v}: ${state === 'resume' ? 'resuming' : 'training'} ${train.steps} steps, batch ${train.batchSize}…`);
      const r = await trainFromDataset({ dataDir: o.dataDir, outDir: dir, model, train, resume: state === 'resume', ...(o.backend ? { backend: o.backend } : {}) });
      if (r.state !== 'done') throw new InputError(`${dir}: training stopped at step ${r.steps}`);
    } else log(`${v}: reusing the trained model in ${dir}`);
    const info = readJson(join(dir, 'model.json'));
    const onnxFile = join(dir, ONNX_MANIFEST_FILE);
    if (!existsSync(onnxFile) || readJson(onnxFile).modelHash !== info.modelHash) {
      log(`${v}: exporting to ONNX…`);
      await exportModelDir(dir, { skipParity: true });
    }
    log(`${v}: evaluating on split ${o.split}…`);
    const evaluator = await openEvaluator(dir);
    let report: EvalReport;
    try {
      report = await evaluateDataset(dataset, o.split, evaluator, { protocol: 'paper', ...(o.limit !== undefined ? { limit: o.limit } : {}) });
    } finally {
      await evaluator.dispose?.();
    }
    results.push({
      variant: v, label: VARIANTS[v].label, dir, reused: state === 'complete',
      trainSeconds: existsSync(checkpointPath(dir)) ? readCheckpoint(dir).state.elapsedSeconds : undefined,
      finalLoss: typeof info.finalLoss === 'number' ? info.finalLoss : undefined,
      localisationLoss: localisationLoss(dir),
      report,
    });
  }
  return results;
}

const fmt = (x: number | undefined, digits: number) => (x === undefined ? 'n/a' : x.toFixed(digits));

export function ablationTable(results: VariantResult[]): string {
  const cols = RECALL_NS.flatMap((n) => RECALL_IOUS.map((iou) => `R@${n} IoU>${iou}`));
  const lines = [
    `| Variant | ${cols.join(' | ')} | Train s | Final loss | con+loc (last 10) |`,
    `|---|${cols.map(() => '---:').join('|')}|---:|---:|---:|`,
  ];
  for (const r of results) {
    const recall = RECALL_NS.flatMap((n) => RECALL_IOUS.map((iou) => (100 * (findCell(r.report.paper!.anyMatch, n, iou)?.recall ?? NaN)).toFixed(2)));
    lines.push(`| ${r.label}${r.reused ? ' (reused)' : ''} | ${recall.join(' | ')} | ${fmt(r.trainSeconds, 0)} | ${fmt(r.finalLoss, 4)} | ${fmt(r.localisationLoss, 4)} |`);
  }
  return lines.join('\n');
}

async function cli(argv: string[]): Promise<void> {
  const opt = (name: string): string | undefined => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
  const int = (name: string): number | undefined => {
    const raw = opt(name);
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new InputError(`${name}: expected a positive integer, got "${raw}"`, { field: name });
    return n;
  };
  const dataDir = opt('--data');
  if (!dataDir) {
    console.error('bench:ablation needs a dataset, e.g.:\n' +
      '  node bin/fastpr.mjs synth --out .bench/ablation/data --frames 3000 --seed 101 --size 224x224\n' +
      '  npm run bench:ablation -- --data .bench/ablation/data --steps 300');
    process.exit(2);
  }
  const configFile = opt('--config') ?? 'models/recipes/default.json';
  if (!existsSync(configFile)) throw new InputError(`${configFile}: recipe not found`, { file: configFile });
  const recipe = readJson(configFile) as AblationOptions['recipe'];
  const split = splitNameSchema.exclude(['train']).or(z.literal('all')).safeParse(opt('--eval-split') ?? 'test');
  if (!split.success) throw new InputError(`--eval-split must be val, test or all, got "${opt('--eval-split')}"`, { field: 'eval-split' });
  const variants = (opt('--variants') ?? VARIANT_NAMES.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
  for (const v of variants) if (!(v in VARIANTS)) throw new InputError(`--variants: unknown "${v}" (known: ${VARIANT_NAMES.join(', ')})`, { field: 'variants' });
  const outDir = resolve(opt('--out') ?? '.bench/ablation');
  const o: AblationOptions = {
    dataDir: resolve(dataDir), recipe, steps: int('--steps') ?? 300, batch: int('--batch'), split: split.data, limit: int('--limit'),
    outDir, variants: variants as VariantName[], tiny: argv.includes('--tiny'), log: (l) => console.error(l),
  };
  const backend = await initBackend({ purpose: 'train' });
  o.backend = backend.name;
  const started = Date.now();
  const results = await runAblation(o);
  const batchSize = variantConfigs(o, o.variants[0] ?? 'full').train.batchSize;
  const r0 = results[0]?.report;
  const md = [
    `## Table 2 (ablation) on ${r0?.dataset.source ?? '?'} data (${dataDir}, split ${o.split}: ${r0?.paper?.queries ?? 0} present-target queries)`,
    '',
    ablationTable(results),
    '',
    `Budget: ${o.steps} steps × batch ${batchSize} per variant, same seed and data; recipe ${configFile}${o.tiny ? ' with tinyConfig sizes (--tiny)' : ''}; ` +
      `TF.js ${backend.name} for training, onnxruntime CPU for evaluation (paper protocol, any-match rule; recall in %). ` +
      'Final loss is the last step\'s total (its terms differ per variant); con+loc is the shared localisation objective. ' +
      'Train s is the training wall time (from the checkpoint, resumes included).',
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load average ${loadavg().map((x) => x.toFixed(1)).join(' / ')} (shared; indicative). ` +
      `Run took ${((Date.now() - started) / 1000).toFixed(0)} s.`,
    `Command: \`${process.env.npm_lifecycle_event === 'bench:ablation' ? 'npm run bench:ablation --' : 'npx tsx bench/ablation.ts'} ${argv.join(' ')}\``,
  ].join('\n');
  console.log(md);
  writeFileSync(join(outDir, 'table2.md'), md + '\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  cli(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof InputError ? `bench:ablation: ${err.message}` : err);
    process.exit(1);
  });
}
