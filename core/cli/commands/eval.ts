/** `fastpr eval`: score a FastPR model or a two-stage baseline on a dataset split (paper and AVSS protocols). */
import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { readDataset } from '../../dataset/reader';
import { splitNameSchema } from '../../dataset/format';
import { InputError } from '../../errors';
import { evaluateDataset } from '../../eval/evaluateDataset';
import { formatEvalMarkdown } from '../../eval/markdown';
import { openEvaluator } from '../../eval/openEvaluator';
import { parseTta } from '../../infer/flipTta';
import { initBackend } from '../../tf/backend';
import { encoderFlag, positiveIntFlag, rerankFlag, thresholdFlag } from '../flags';
import type { CliCommand } from '../command';

const positiveInt = (name: string, raw: unknown) => positiveIntFlag(raw, name);

export const evalCommand: CliCommand = {
  name: 'eval',
  summary: 'Evaluate a model (FastPR or two-stage baseline) on a dataset split: R@1/R@5 at IoU>0.4/0.5/0.6, AVSS IoU',
  usage:
    'fastpr eval --model MODEL_DIR --data DATASET_DIR [--split test|val|train|all] [--protocol paper|avss|all] [--json]\n' +
    '            [--threshold T] [--method cos-sim|cascade] [--runtime onnx|tfjs] [--threads N] [--limit N] [--batch 8] [--save REPORT.json] [--tta none|flip] [--encoder float|int8] [--rerank on|off]\n' +
    '  --rerank off (FastPR): rank by confidence alone even where the model has a reranker.json (`fastpr fit-reranker`).\n' +
    '  --tta flip (FastPR): each image and its mirror image, outputs averaged per cell (twice the inference).\n' +
    '  --encoder int8 (FastPR): the int8 copy of the encoder (`fastpr quantize-encoder`) instead of encoder.onnx.\n' +
    '  FastPR directories need their ONNX export (onnx.json); baseline directories (baseline.json) run on\n' +
    '  onnxruntime when exported (default), or TF.js with --runtime tfjs.',
  options: {
    model: { type: 'string' }, data: { type: 'string' }, split: { type: 'string' }, protocol: { type: 'string' },
    threshold: { type: 'string' }, method: { type: 'string' }, runtime: { type: 'string' }, threads: { type: 'string' }, limit: { type: 'string' }, batch: { type: 'string' }, save: { type: 'string' },
    tta: { type: 'string' }, encoder: { type: 'string' }, rerank: { type: 'string' },
  },
  async run(ctx) {
    const modelDir = ctx.values.model as string | undefined;
    const dataDir = ctx.values.data as string | undefined;
    if (!modelDir) throw new InputError('eval: --model MODEL_DIR is required');
    if (!dataDir) throw new InputError('eval: --data DATASET_DIR is required');
    const split = splitNameSchema.or(z.literal('all')).safeParse(ctx.values.split ?? 'test');
    if (!split.success) throw new InputError(`--split must be train, val, test or all, got "${String(ctx.values.split)}"`);
    const protocol = (ctx.values.protocol as string | undefined) ?? 'all';
    if (protocol !== 'paper' && protocol !== 'avss' && protocol !== 'all') throw new InputError(`--protocol must be paper, avss or all, got "${protocol}"`);
    const method = ctx.values.method as string | undefined;
    if (method !== undefined && method !== 'cos-sim' && method !== 'cascade') throw new InputError(`--method must be cos-sim or cascade, got "${method}"`);

    const runtime = ctx.values.runtime as string | undefined;
    if (runtime !== undefined && runtime !== 'onnx' && runtime !== 'tfjs') throw new InputError(`--runtime must be onnx or tfjs, got "${runtime}"`);
    const threads = positiveInt('threads', ctx.values.threads);

    const threshold = thresholdFlag(ctx.values.threshold, 'threshold');
    const tta = parseTta(ctx.values.tta);
    const encoder = encoderFlag(ctx.values.encoder);
    const rerank = rerankFlag(ctx.values.rerank);
    const dataset = readDataset(dataDir);
    const backend = await initBackend({ purpose: 'infer' });
    const evaluator = await openEvaluator(modelDir, {
      ...(method ? { method } : {}), ...(threshold !== undefined ? { threshold } : {}), ...(runtime ? { runtime } : {}), ...(threads ? { threads } : {}),
      ...(tta !== 'none' ? { tta } : {}), ...(encoder ? { encoder } : {}), ...(rerank === false ? { rerank } : {}),
    });
    try {
      const report = await evaluateDataset(dataset, split.data, evaluator, {
        protocol, limit: positiveInt('limit', ctx.values.limit), batchSize: positiveInt('batch', ctx.values.batch),
        signal: ctx.signal, progress: ctx.progress,
      });
      const save = ctx.values.save as string | undefined;
      if (save) writeFileSync(save, JSON.stringify(report, null, 2) + '\n');
      if (ctx.json) ctx.print(JSON.stringify({ ...report, backend: backend.name }));
      else ctx.print(formatEvalMarkdown(report) + `\nTF.js backend: ${backend.name}.`);
    } finally {
      await evaluator.dispose?.();
    }
  },
};
