/** `fastpr ingest VIDEO... --case NAME [--fps 5] [--model DIR]`: decode, encode and index videos of a case (resumable). */
import { InputError } from '../../errors';
import { DEFAULT_DTYPE, ingestVideo, type IngestResult } from '../../index/ingest';
import { resolveModelDir } from '../../index/modelDirDefault';
import type { FeatureDtype } from '../../index/quantize';
import { getCaseByName } from '../../store/cases';
import { readIndexHeader } from '../../index/format';
import { encoderFlag, positiveIntFlag } from '../flags';
import { withStore } from '../../store/store';
import type { CliCommand } from '../command';

function parseFps(raw: unknown): number | 'all' {
  if (raw === undefined) return 5;
  if (raw === 'all') return 'all';
  const n = Number(raw);
  if (!(n > 0 && n <= 120)) throw new InputError(`--fps must be a number of frames per second in (0, 120] or "all", got "${String(raw)}"`);
  return n;
}

/**
 * What an index's header records of how it was made: the encoder (float and '' for indexes from
 * before it was recorded) and whether non-reference frames were left undecoded.
 */
function madeWith(indexFile: string): { encoder: { precision: 'float' | 'int8'; sha256: string }; referenceFramesOnly: boolean } {
  const h = readIndexHeader(indexFile);
  return { encoder: { precision: h?.encoderPrecision ?? 'float', sha256: h?.encoderSha256 ?? '' }, referenceFramesOnly: h?.referenceFramesOnly ?? false };
}

export const ingestCommand: CliCommand = {
  name: 'ingest',
  summary: 'Index videos of a case for search (decode → encoder once; resumable after a kill or Ctrl-C)',
  usage: `fastpr ingest VIDEO... --case NAME [--fps 5|all] [--model DIR] [--dtype pca|float16|int8|float32 (default ${DEFAULT_DTYPE}; given, it rebuilds an index stored otherwise)] [--threads N] [--batch 8] [--encoder auto|float|int8] [--decode auto|all] [--json]\n` +
    '  --encoder: auto (default) runs the model\'s int8 encoder when it has one (`fastpr quantize-encoder`), float its encoder.onnx.\n' +
    '  --decode: auto (default) leaves frames no other frame refers to undecoded when sampling at most one frame in four (each 1/fps bin\'s first decoded frame is kept); all decodes every frame and keeps each bin\'s first.',
  options: { case: { type: 'string' }, fps: { type: 'string' }, model: { type: 'string' }, dtype: { type: 'string' }, threads: { type: 'string' }, batch: { type: 'string' }, encoder: { type: 'string' }, decode: { type: 'string' } },
  async run(ctx) {
    const caseName = ctx.values.case as string | undefined;
    if (!caseName) throw new InputError('ingest: --case NAME is required');
    if (ctx.positionals.length === 0) throw new InputError('ingest: give at least one VIDEO file');
    const fps = parseFps(ctx.values.fps);
    // Only an explicit --dtype rebuilds an index stored otherwise (ingestVideo); without it, an existing index is kept.
    const dtype = ctx.values.dtype as string | undefined;
    if (dtype !== undefined && !['pca', 'int8', 'float16', 'float32'].includes(dtype)) throw new InputError(`--dtype must be pca, int8, float16 or float32, got "${dtype}"`);
    const int = (name: string) => positiveIntFlag(ctx.values[name], name);
    const encoder = encoderFlag(ctx.values.encoder);
    const decode = ctx.values.decode as string | undefined;
    if (decode !== undefined && decode !== 'auto' && decode !== 'all') throw new InputError(`--decode must be auto or all, got "${decode}"`);
    const modelDir = resolveModelDir(ctx.values.model as string | undefined);
    const results: IngestResult[] = [];
    await withStore(ctx.dataDir, async (store) => {
      const c = getCaseByName(store, caseName);
      for (const video of ctx.positionals) {
        const r = await ingestVideo(store, c.id, video, modelDir, {
          fps, dtype: dtype as FeatureDtype | undefined, threads: int('threads'), batchSize: int('batch'), encoder, signal: ctx.signal, onProgress: ctx.progress,
          skipNonReference: decode === 'all' ? false : undefined,
        });
        results.push(r);
        if (!ctx.json) {
          const b = r.build;
          const speed = b ? ` in ${b.seconds.total.toFixed(1)} s (${(r.info.durationS / b.seconds.total).toFixed(1)}× real time)` : '';
          const enc = madeWith(r.index.filePath).encoder.precision === 'int8' ? ', int8 encoder' : '';
          ctx.print(`${video}: evidence #${r.evidence.id}, index #${r.index.id} ${r.outcome} — ${r.index.frames} frames${speed}${enc}`);
          for (const w of r.warnings) ctx.print(`  warning: ${w}`);
        }
      }
    });
    if (ctx.json) {
      ctx.print(JSON.stringify(results.map((r) => ({
        video: r.evidence.videoPath, evidenceId: r.evidence.id, sha256: r.evidence.sha256, indexId: r.index.id, indexFile: r.index.filePath,
        outcome: r.outcome, frames: r.index.frames, modelHash: r.index.modelHash, samplingFps: r.index.samplingFps,
        durationS: r.info.durationS, seconds: r.build?.seconds ?? null, warnings: r.warnings,
        ...madeWith(r.index.filePath),
      }))));
    }
  },
};
