/** `fastpr quantize-encoder MODEL_DIR --data DATASET`: an int8 copy of the encoder for faster ingest (core/onnx/quantize/). */
import { InputError } from '../../errors';
import { ProgressMeter } from '../../jobs/progress';
import { DEFAULT_CALIBRATION_IMAGES, quantizeEncoderDir } from '../../onnx/quantize/quantizeEncoder';
import { positiveIntFlag } from '../flags';
import type { CliCommand } from '../command';

export const quantizeEncoderCommand: CliCommand = {
  name: 'quantize-encoder',
  summary: 'Make an int8 copy of a model\'s ONNX encoder (encoder.int8.onnx), calibrated on a dataset\'s train split',
  usage: `fastpr quantize-encoder MODEL_DIR --data DATASET_DIR [--images ${DEFAULT_CALIBRATION_IMAGES}] [--float-convs NAME,NAME] [--threads N] [--json]\n` +
    '  Weights int8 per output channel, activations uint8 with ranges from the calibration images; the first and last\n' +
    '  convs stay float unless --float-convs names others. Check it with `fastpr eval --encoder int8` before relying on it;\n' +
    '  `fastpr ingest` uses it when the model lists one (--encoder float to opt out).',
  options: { data: { type: 'string' }, images: { type: 'string' }, 'float-convs': { type: 'string' }, threads: { type: 'string' } },
  async run(ctx) {
    const dir = ctx.positionals[0];
    if (!dir || ctx.positionals.length > 1) throw new InputError('quantize-encoder: exactly one MODEL_DIR is required');
    const dataDir = ctx.values.data as string | undefined;
    if (!dataDir) throw new InputError('quantize-encoder: --data DATASET_DIR is required (its train split calibrates the activation ranges)');
    const int = (name: string) => positiveIntFlag(ctx.values[name], name);
    const floatConvs = typeof ctx.values['float-convs'] === 'string' ? (ctx.values['float-convs'] as string).split(',').map((s) => s.trim()).filter(Boolean) : undefined;
    const meter = new ProgressMeter('quantize-encoder', 'quantize', ctx.progress, 'images');
    const t0 = Date.now();
    const m = await quantizeEncoderDir(dir, {
      dataDir, images: int('images'), floatConvs, threads: int('threads'), signal: ctx.signal,
      onProgress: (done, total) => meter.update(done, total),
    });
    const q = m.encoderInt8!;
    meter.finish('done', q.calibration.images, q.calibration.images);
    if (ctx.json) {
      ctx.print(JSON.stringify({ modelDir: dir, seconds: (Date.now() - t0) / 1000, encoderInt8: q }));
      return;
    }
    ctx.print(`Wrote ${q.file} in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${(q.bytes / 1e6).toFixed(2)} MB (float encoder ${(m.encoder.bytes / 1e6).toFixed(2)} MB), ` +
      `${q.calibration.images} calibration images, convs kept float: ${q.floatConvs.join(', ') || 'none'}`);
    ctx.print(`  features against the float encoder on those images: relative RMS error ${(100 * q.featureRelRmsError).toFixed(2)} %`);
    ctx.print(`  sha256 ${q.sha256}`);
  },
};
