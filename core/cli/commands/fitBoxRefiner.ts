/** `fastpr fit-box-refiner MODEL_DIR --data DATASET`: the re-ranker's box refiner (core/rerank/boxRefiner.ts), added to MODEL_DIR/reranker.json. */
import { InputError } from '../../errors';
import { ProgressMeter } from '../../jobs/progress';
import { BOX_REFINER_TRAIN_DEFAULTS } from '../../rerank/fitBoxRefiner';
import { DEFAULT_REFINER_VAL_FRAMES, fitBoxRefiner } from '../../rerank/fitBoxRefinerJob';
import { positiveIntFlag } from '../flags';
import type { CliCommand } from '../command';

export const fitBoxRefinerCommand: CliCommand = {
  name: 'fit-box-refiner',
  summary: 'Train the re-ranker\'s box refiner (reranker-boxes.onnx) on a dataset\'s train split; kept when it raises R@1 at IoU > 0.5 on the val split',
  usage: `fastpr fit-box-refiner MODEL_DIR --data DATASET_DIR [--steps ${BOX_REFINER_TRAIN_DEFAULTS.steps}] [--frames N (default all)] [--jitters 2] [--val-frames ${DEFAULT_REFINER_VAL_FRAMES}] [--seed ${BOX_REFINER_TRAIN_DEFAULTS.seed}] [--threads N] [--json]\n` +
    '  Trains a small CNN that reads a candidate box with context around it and moves it onto its person, on --jitters boxes drawn\n' +
    '  around each labelled person of the train split. The re-ranker then reads refined boxes: on the val split it is scored as it\n' +
    '  was and with 1 and 2 refinement passes, α (and the crop network\'s weight) chosen again for each; reranker.json (needs\n' +
    '  `fastpr fit-reranker` first) names the refiner with the best passes, α and weight only when R@1 at IoU > 0.5 rises.',
  options: { data: { type: 'string' }, steps: { type: 'string' }, frames: { type: 'string' }, jitters: { type: 'string' }, 'val-frames': { type: 'string' }, seed: { type: 'string' }, threads: { type: 'string' } },
  async run(ctx) {
    const dir = ctx.positionals[0];
    if (!dir || ctx.positionals.length > 1) throw new InputError('fit-box-refiner: exactly one MODEL_DIR is required');
    const dataDir = ctx.values.data as string | undefined;
    if (!dataDir) throw new InputError('fit-box-refiner: --data DATASET_DIR is required (its train split trains the refiner, its val split decides whether it is kept)');
    const int = (name: string) => positiveIntFlag(ctx.values[name], name);
    const meters = new Map<string, ProgressMeter>();
    const meterOf = (phase: string) => {
      let m = meters.get(phase);
      if (!m) { m = new ProgressMeter(`fit-box-refiner-${phase}`, 'fit-box-refiner', ctx.progress, phase === 'crops' ? 'frames' : phase === 'validate' ? 'passes' : 'steps'); meters.set(phase, m); }
      return m;
    };
    const t0 = Date.now();
    const r = await fitBoxRefiner(dir, {
      dataDir, steps: int('steps'), trainFrames: int('frames'), jitters: int('jitters'), valFrames: int('val-frames'), seed: int('seed'), threads: int('threads'),
      signal: ctx.signal, onPhase: (phase, done, total) => {
        meterOf(phase).update(done, total, { phase });
        if (done === total) meterOf(phase).finish('done', done, total);
      },
    });
    const seconds = (Date.now() - t0) / 1000;
    if (ctx.json) {
      ctx.print(JSON.stringify({ modelDir: dir, file: r.file, seconds, kept: r.kept, samples: r.samples, without: r.without, byPasses: r.byPasses, best: r.best }));
      return;
    }
    const row = (p: typeof r.without) => `α ${p.alpha}${p.cropWeight ? `, crop network × ${p.cropWeight}` : ''}: R@1 ${p.r1.toFixed(2)} / R@5 ${p.r5.toFixed(2)} at IoU > 0.5`;
    ctx.print(`${r.kept ? 'Added the box refiner to' : 'Kept without the new box refiner:'} ${r.file} (${seconds.toFixed(1)} s, ${r.samples} training regions)`);
    ctx.print(`  val, as it was:  ${row(r.without)}`);
    for (const p of r.byPasses) ctx.print(`  val, ${p.passes} pass${p.passes > 1 ? 'es' : '  '}:   ${row(p)}${r.kept && p.passes === r.best.passes ? '  ← kept' : ''}`);
  },
};
