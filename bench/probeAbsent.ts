/**
 * Diagnostic: does the model's best confidence in a frame say whether the described person is there?
 * Every query of a split goes through the product's evaluator (encoder.onnx + head.onnx, threshold 0),
 * and the best cell's confidence is compared between present-target and absent-target queries:
 *   - by number of stated attributes K, the median best confidence of each kind;
 *   - the area under the ROC curve (the chance that a present target's frame outscores an
 *     absent-target frame; 0.5 = no signal) over partial queries (K ≤ 6, as the absent ones are),
 *     and over present queries whose best cell also boxes the target (IoU > 0.5).
 * A threshold, global or per K, can only separate what these numbers say is separable.
 *   npm run probe:absent -- MODEL_DIR DATASET_DIR [SPLIT=val]
 */
import { join } from 'node:path';
import type { FrameAnnotation } from '../core/dataset/format';
import { framesOfSplit, readDataset } from '../core/dataset/reader';
import { FastprOnnxEvaluator } from '../core/eval/fastprOnnx';
import { iou, type Box } from '../core/model/boxes';

const [modelDir, dataDir, split = 'val'] = process.argv.slice(2);
if (!modelDir || !dataDir) {
  console.error('usage: npm run probe:absent -- MODEL_DIR DATASET_DIR [SPLIT=val|test|train|all]');
  process.exit(2);
}
const ds = readDataset(dataDir);
const frames = (split === 'all' ? ds.frames : framesOfSplit(ds, split as 'val')).filter((f) => f.queries.length > 0);
const evaluator = await FastprOnnxEvaluator.open(modelDir, { threshold: 0, topK: 1 });
interface Row { stated: number; present: boolean; best: number; found: boolean }
const rows: Row[] = [];
try {
  for (let i = 0; i < frames.length; i += 64) {
    const batch: FrameAnnotation[] = frames.slice(i, i + 64);
    const byId = new Map(batch.map((f) => [f.id, f]));
    const queries = batch.flatMap((f) => f.queries.map((q, queryIndex) => ({ frameId: f.id, queryIndex, attributes: q.attributes })));
    const predictions = await evaluator.predict(batch.map((f) => ({ id: f.id, imagePath: join(ds.dir, f.image), width: f.width, height: f.height })), queries);
    for (const p of predictions) {
      const f = byId.get(p.frameId)!;
      const q = f.queries[p.queryIndex]!;
      const target = q.target ? f.persons.find((x) => x.id === q.target) : undefined;
      const top = p.candidates[0];
      rows.push({
        stated: Object.values(q.attributes).filter((v) => typeof v === 'number' && v >= 0).length,
        present: q.target !== undefined && q.target !== null, best: top?.score ?? 0,
        found: !!(target && top && iou(top.box as Box, target.box as Box) > 0.5),
      });
    }
  }
} finally {
  await evaluator.dispose();
}

const median = (a: number[]) => { if (!a.length) return NaN; const s = [...a].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2; };
/** P(present score > absent score), ties half: the area under the ROC curve. */
function auc(present: number[], absent: number[]): number {
  if (!present.length || !absent.length) return NaN;
  const sorted = [...absent].sort((a, b) => a - b);
  let wins = 0;
  for (const p of present) {
    let lo = 0, hi = sorted.length; // count absent < p and absent == p by binary search
    while (lo < hi) { const m = (lo + hi) >> 1; if (sorted[m]! < p) lo = m + 1; else hi = m; }
    let eq = lo;
    while (eq < sorted.length && sorted[eq] === p) eq++;
    wins += lo + (eq - lo) / 2;
  }
  return wins / (present.length * absent.length);
}
const fmt = (x: number) => (Number.isNaN(x) ? '—' : x.toFixed(3));
const absent = rows.filter((r) => !r.present).map((r) => r.best);
const partial = rows.filter((r) => r.present && r.stated <= 6);
const lines = [
  `## Best confidence, present vs absent target: ${modelDir} on ${dataDir} (${split}, ${frames.length} frames, ${rows.length} queries)`,
  '',
  '| stated attributes | present queries | median best confidence | absent queries | median best confidence |',
  '|---:|---:|---:|---:|---:|',
  ...[...new Set(rows.map((r) => r.stated))].sort((a, b) => a - b).map((k) => {
    const p = rows.filter((r) => r.stated === k && r.present).map((r) => r.best);
    const a = rows.filter((r) => r.stated === k && !r.present).map((r) => r.best);
    return `| ${k} | ${p.length} | ${fmt(median(p))} | ${a.length} | ${fmt(median(a))} |`;
  }),
  '',
  `AUC present (2–6 attributes, ${partial.length}) vs absent (${absent.length}): **${fmt(auc(partial.map((r) => r.best), absent))}**; ` +
    `present and boxed (IoU > 0.5, ${partial.filter((r) => r.found).length}) vs absent: ${fmt(auc(partial.filter((r) => r.found).map((r) => r.best), absent))} (0.5 = no signal).`,
];
console.log(lines.join('\n'));
