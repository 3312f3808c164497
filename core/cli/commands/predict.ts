/** `fastpr predict --model MODEL_DIR IMAGE... --query "..."`: semantic person retrieval on image files with onnxruntime. */
import { basename } from 'node:path';
import { InputError } from '../../errors';
import { parseTta } from '../../infer/flipTta';
import { loadImageFrames } from '../../infer/frames';
import { OnnxRetriever } from '../../infer/onnxRetriever';
import type { FramePrediction, Hit } from '../../infer/decodeFrames';
import { parseQuery, slotReport } from '../../query/index';
import { encoderFlag, rerankFlag } from '../flags';
import { readReranker } from '../../rerank/file';
import { BoxReader } from '../../rerank/boxReader';
import { rerankCandidates } from '../../rerank/rerank';
import type { CliCommand } from '../command';

function num(name: string, raw: unknown, check: (n: number) => boolean, what: string): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!check(n)) throw new InputError(`--${name} must be ${what}, got "${String(raw)}"`);
  return n;
}

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const hitJson = (h: Hit) => ({ cell: h.cell, row: h.row, col: h.col, confidence: round(h.confidence, 4), box: h.box.map((v) => round(v)) });

export const predictCommand: CliCommand = {
  name: 'predict',
  summary: 'Find the person matching a description in images (ONNX model; boxes in image pixels)',
  usage:
    'fastpr predict --model MODEL_DIR IMAGE... --query "woman in a red top, blue jeans" [--json]\n' +
    '               [--threshold 0.6] [--top-k 5] [--threads N] [--batch 8] [--attention] [--tta none|flip] [--encoder float|int8] [--rerank on|off]\n' +
    '  Where the model has a reranker.json (`fastpr fit-reranker`), the top cells are re-ranked by the colours their boxes\n' +
    '  show (core/rerank); --rerank off ranks by confidence alone. "absent" is decided by the best confidence either way.\n' +
    '  --tta flip: each image and its mirror image, outputs averaged per cell (twice the inference).',
  options: {
    model: { type: 'string' }, query: { type: 'string' }, threshold: { type: 'string' }, 'top-k': { type: 'string' },
    threads: { type: 'string' }, batch: { type: 'string' }, attention: { type: 'boolean', default: false }, tta: { type: 'string' }, encoder: { type: 'string' }, rerank: { type: 'string' },
  },
  async run(ctx) {
    const modelDir = ctx.values.model as string | undefined;
    const text = ctx.values.query as string | undefined;
    if (!modelDir) throw new InputError('predict: --model MODEL_DIR is required');
    if (text === undefined) throw new InputError('predict: --query "..." is required');
    if (ctx.positionals.length === 0) throw new InputError('predict: give at least one IMAGE file');
    const threshold = num('threshold', ctx.values.threshold, (n) => n >= 0 && n <= 1, 'between 0 and 1');
    const k = num('top-k', ctx.values['top-k'], (n) => Number.isInteger(n) && n >= 1, 'a positive integer') ?? 5;
    const threads = num('threads', ctx.values.threads, (n) => Number.isInteger(n) && n >= 1, 'a positive integer');
    const batchSize = num('batch', ctx.values.batch, (n) => Number.isInteger(n) && n >= 1, 'a positive integer');
    const tta = parseTta(ctx.values.tta);

    const rerank = rerankFlag(ctx.values.rerank);
    const query = parseQuery(text);
    const reranker = rerank === false ? undefined : readReranker(modelDir);
    const frames = await loadImageFrames(ctx.positionals);
    const retriever = await OnnxRetriever.open(modelDir, { threads, batchSize, encoder: encoderFlag(ctx.values.encoder) });
    let preds: FramePrediction[];
    const t0 = performance.now();
    try {
      preds = await retriever.predict(frames, query.codes, { threshold, topK: reranker ? Math.max(k, reranker.pool) : k, attention: ctx.values.attention === true, signal: ctx.signal, tta });
    } finally {
      await retriever.dispose();
    }
    // The ranking: the most confident cells, re-ranked by what their boxes show where the model has a re-ranker.
    const reader = reranker ? await BoxReader.open(reranker, threads) : undefined;
    let ranked: (typeof preds)[number]['topK'][];
    try {
      ranked = await Promise.all(preds.map(async (p, i) => (reranker && reader ? await rerankCandidates(p.topK, frames[i]!, query.codes, reranker, reader) : p.topK).slice(0, k)));
    } finally {
      await reader?.dispose();
    }
    const ms = performance.now() - t0;
    const usedThreshold = threshold ?? retriever.manifest.threshold;
    if (ctx.json) {
      ctx.print(JSON.stringify({
        model: modelDir,
        modelHash: retriever.manifest.modelHash,
        reranker: reranker ? { sha256: reranker.sha256, alpha: reranker.alpha, pool: reranker.pool } : null,
        provider: retriever.provider,
        threshold: usedThreshold,
        tta,
        query: { input: query.input, text: query.text, codes: query.codes, slots: slotReport(query.codes), ignored: query.ignored.map((t) => ({ text: t.text, reason: t.reason })) },
        results: preds.map((p, i) => ({
          image: ctx.positionals[i],
          width: frames[i]!.width,
          height: frames[i]!.height,
          present: p.present,
          best: hitJson(p.best),
          topK: ranked[i]!.map((h) => ({ ...hitJson(h), ...('matchLogLikelihood' in h ? { matchLogLikelihood: round(h.matchLogLikelihood as number, 3) } : {}) })),
          above: p.above.map(hitJson),
          confidenceMap: p.confidenceMap.map((r) => r.map((v) => round(v, 4))),
          ...(p.attention ? { attention: p.attention } : {}),
        })),
        milliseconds: round(ms),
      }));
      return;
    }
    ctx.print(`Query: ${query.text || '(no attribute)'}${query.ignored.length ? `  (ignored: ${query.ignored.map((t) => t.text).join(', ')})` : ''}`);
    preds.forEach((p, i) => {
      const top = ranked[i]![0] ?? p.best;
      const b = top.box.map((v) => Math.round(v)).join(', ');
      ctx.print(`${basename(ctx.positionals[i]!)}: ${p.present ? 'found' : 'absent'} — top match box [${b}] (cell ${top.row},${top.col}), confidence ${top.confidence.toFixed(3)}` +
        (reranker ? ` (re-ranked by colour; best confidence ${p.best.confidence.toFixed(3)})` : ''));
    });
    ctx.print(`${frames.length} image(s) in ${ms.toFixed(0)} ms on onnxruntime ${retriever.provider}; threshold ${usedThreshold}` +
      (reranker ? `; re-ranker ${reranker.sha256.slice(0, 12)}… (α ${reranker.alpha}, top ${reranker.pool}).` : '.'));
  },
};
