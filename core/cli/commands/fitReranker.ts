/** `fastpr fit-reranker MODEL_DIR --data DATASET`: the crop-colour re-ranker (core/rerank/), written to MODEL_DIR/reranker.json. */
import { InputError } from '../../errors';
import { ProgressMeter } from '../../jobs/progress';
import { ALPHA_GRID, CROP_WEIGHT_GRID, DEFAULT_POOL, DEFAULT_TRAIN_FRAMES, fitReranker } from '../../rerank/fitReranker';
import { CROP_NET_TRAIN_DEFAULTS } from '../../rerank/fitCropNet';
import { FIT_DEFAULTS } from '../../rerank/fit';
import { positiveIntFlag } from '../flags';
import type { CliCommand } from '../command';

export const fitRerankerCommand: CliCommand = {
  name: 'fit-reranker',
  summary: 'Fit the crop-colour re-ranker of an exported model (reranker.json) on a dataset: train split to fit, val split to choose α',
  usage: `fastpr fit-reranker MODEL_DIR --data DATASET_DIR [--frames ${DEFAULT_TRAIN_FRAMES}] [--val-frames N] [--steps ${FIT_DEFAULTS.steps}] [--hidden ${FIT_DEFAULTS.hidden}] [--pool ${DEFAULT_POOL}] [--seed 1] [--threads N]\n` +
    `       [--crop-net STEPS (e.g. ${CROP_NET_TRAIN_DEFAULTS.steps})] [--crop-net-frames N (default all)] [--json]\n` +
    '  Reads each labelled person\'s attributes from colour histograms and edge orientations of its box (ground-truth boxes, jittered) through\n' +
    '  --hidden ReLU units (0: linear), then ranks\n' +
    `  the model's top --pool cells by logit(confidence) + α·Σ log P(stated value | box), α from {${ALPHA_GRID.join(', ')}} by R@1 at IoU > 0.5\n` +
    '  on the val split. `fastpr eval` and `fastpr predict` use it when present (--rerank off for confidence order alone).\n' +
    '  --crop-net STEPS also trains a small CNN on the train split\'s person crops (reranker-crops.onnx) and adds its log P(stated value | crop)\n' +
    `  with a weight from {${CROP_WEIGHT_GRID.join(', ')}} chosen on the val split with α (weight 0: the network is not kept).`,
  options: { data: { type: 'string' }, frames: { type: 'string' }, 'val-frames': { type: 'string' }, steps: { type: 'string' }, hidden: { type: 'string' }, pool: { type: 'string' }, seed: { type: 'string' }, threads: { type: 'string' },
    'crop-net': { type: 'string' }, 'crop-net-frames': { type: 'string' } },
  async run(ctx) {
    const dir = ctx.positionals[0];
    if (!dir || ctx.positionals.length > 1) throw new InputError('fit-reranker: exactly one MODEL_DIR is required');
    const dataDir = ctx.values.data as string | undefined;
    if (!dataDir) throw new InputError('fit-reranker: --data DATASET_DIR is required (its train split fits the reader, its val split chooses α)');
    const int = (name: string) => positiveIntFlag(ctx.values[name], name);
    // 0 is allowed here: a linear reader.
    const hiddenFlag = (raw: unknown) => {
      if (raw === undefined) return undefined;
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 0 || n > 4096) throw new InputError(`--hidden must be a whole number from 0 to 4096, got "${String(raw)}"`);
      return n;
    };
    // One meter per phase: their units and rates differ (frames described, steps, frames validated).
    const meters = new Map<string, ProgressMeter>();
    const meterOf = (phase: string) => {
      let m = meters.get(phase);
      if (!m) { m = new ProgressMeter(`fit-reranker-${phase}`, 'fit-reranker', ctx.progress, phase === 'fit' || phase === 'train crop network' ? 'steps' : 'frames'); meters.set(phase, m); }
      return m;
    };
    const t0 = Date.now();
    const r = await fitReranker(dir, {
      dataDir, trainFrames: int('frames'), valFrames: int('val-frames'), steps: int('steps'), hidden: hiddenFlag(ctx.values.hidden), pool: int('pool'), seed: int('seed'), threads: int('threads'),
      ...(ctx.values['crop-net'] !== undefined ? { cropNet: { steps: int('crop-net'), trainFrames: int('crop-net-frames') } } : {}),
      signal: ctx.signal, onPhase: (phase, done, total) => {
        meterOf(phase).update(done, total, { phase });
        if (done === total) meterOf(phase).finish('done', done, total);
      },
    });
    const seconds = (Date.now() - t0) / 1000;
    if (ctx.json) {
      ctx.print(JSON.stringify({ modelDir: dir, file: r.file, seconds, alpha: r.reranker.alpha, cropWeight: r.reranker.cropNet?.weight ?? 0, pool: r.reranker.pool, samples: r.samples, sweep: r.sweep }));
      return;
    }
    const weight = r.reranker.cropNet?.weight ?? 0;
    ctx.print(`Wrote ${r.file} in ${seconds.toFixed(1)} s: ${r.samples} labelled boxes, α ${r.reranker.alpha}, pool ${r.reranker.pool}` +
      (r.reranker.cropNet ? `, crop network ${r.reranker.cropNet.file} × ${weight}` : ''));
    const withNet = r.sweep.some((p) => p.cropWeight > 0);
    ctx.print(`  ${withNet ? 'α × crop network weight' : 'α'} sweep on the val split (R@1 / R@5 at IoU > 0.5, any matching person):`);
    for (const p of r.sweep) {
      const chosen = p.alpha === r.reranker.alpha && p.cropWeight === weight ? '  ← chosen' : '';
      ctx.print(`    α ${String(p.alpha).padEnd(4)}${withNet ? ` weight ${String(p.cropWeight).padEnd(4)}` : ''}  ${p.r1.toFixed(2)} / ${p.r5.toFixed(2)}${chosen}`);
    }
  },
};
