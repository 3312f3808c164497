/** Evaluation job: core/eval on a model + dataset split → an EvalTable (the job's result). */
import type { EvalRow, EvalTable } from '../../api/types/jobs';
import { readDataset } from '../../dataset/reader';
import { evaluateDataset } from '../../eval/evaluateDataset';
import { formatEvalMarkdown } from '../../eval/markdown';
import { openEvaluator } from '../../eval/openEvaluator';
import type { EvalReport } from '../../eval/types';
import { initBackend } from '../../tf/backend';
import { ensureRecipeDataset, type RecipeName } from '../recipes';
import type { Task } from './types';

export interface EvaluateParams {
  modelId: string;
  modelDir: string;
  dataset: { kind: 'dir'; path: string } | { kind: 'synthetic'; recipe: RecipeName; seed: number };
  split: 'train' | 'val' | 'test';
  limit?: number;
}

export function evalRows(r: EvalReport): EvalRow[] {
  const rows: EvalRow[] = [];
  for (const c of r.paper?.anyMatch ?? []) rows.push({ metric: `R@${c.n} IoU>${c.iou}`, value: 100 * c.recall, unit: '%' });
  if (r.avss) {
    rows.push({ metric: 'AVSS mean IoU', value: r.avss.meanIoU, unit: 'IoU' });
    rows.push({ metric: 'AVSS share IoU≥0.4', value: 100 * r.avss.shareIoU04, unit: '%' });
  }
  if (r.msPerFrame !== undefined) rows.push({ metric: 'time per frame', value: r.msPerFrame, unit: 'ms' });
  return rows;
}

export const evaluateTask: Task = async ({ dataDir, job, signal, progress }) => {
  const p = job.params as unknown as EvaluateParams;
  const dir = p.dataset.kind === 'dir' ? p.dataset.path
    : await ensureRecipeDataset(dataDir, p.dataset.recipe, p.dataset.seed, signal, (e) => progress({ ...e, phase: 'generating data' }));
  const dataset = readDataset(dir);
  await initBackend({ purpose: 'infer' });
  const evaluator = await openEvaluator(p.modelDir);
  try {
    const report = await evaluateDataset(dataset, p.split, evaluator, { protocol: 'all', limit: p.limit, signal, progress });
    const table: EvalTable = {
      modelId: p.modelId, dataset: dir, split: p.split, queries: report.counts.queries, rows: evalRows(report), markdown: formatEvalMarkdown(report),
    };
    return table;
  } finally {
    await evaluator.dispose?.();
  }
};
