/** `fastpr synth`: generate a synthetic surveillance dataset (stills, or video clips with --video). */
import { InputError } from '../../errors';
import { NO_DEGRADE } from '../../synth/degrade';
import { defaultOptions, REPRODUCIBLE_VERSIONS, type GeneratorVersion, type SynthOptions } from '../../synth/options';
import { synthesize } from '../../synth/synthesize';
import type { CliCommand } from '../command';

function parseIntOption(name: string, raw: unknown, min: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new InputError(`--${name} must be an integer ≥ ${min}, got "${String(raw)}"`);
  return n;
}

function parsePair(name: string, raw: unknown, sep: RegExp): [number, number] | undefined {
  if (raw === undefined) return undefined;
  const m = String(raw).split(sep).map(Number);
  if (m.length !== 2 || !m.every((v) => Number.isInteger(v) && v > 0)) throw new InputError(`--${name} must look like ${name === 'size' ? '704x576' : '1-30'}, got "${String(raw)}"`);
  return [m[0]!, m[1]!];
}

export function optionsFromCli(values: Record<string, unknown>): SynthOptions {
  const seed = parseIntOption('seed', values.seed ?? '1', 0)!;
  const size = parsePair('size', values.size, /x/i) ?? [704, 576];
  if (size[0] < 32 || size[1] < 32 || size[0] > 4096 || size[1] > 4096) throw new InputError(`--size must be between 32x32 and 4096x4096, got ${size.join('x')}`);
  const crowd = parsePair('crowd', values.crowd, /-/) ?? [1, 30];
  if (crowd[0] > crowd[1] || crowd[1] > 60) throw new InputError(`--crowd MIN-MAX needs 1 ≤ MIN ≤ MAX ≤ 60, got ${crowd.join('-')}`);
  const format = (values.format as string | undefined) ?? 'jpeg';
  if (format !== 'jpeg' && format !== 'png') throw new InputError(`--format must be jpeg or png, got "${format}"`);
  const videoSeconds = values.video === undefined ? undefined : Number(values.video);
  if (videoSeconds !== undefined && !(videoSeconds > 0 && videoSeconds <= 600)) throw new InputError(`--video SECONDS must be in (0, 600], got "${String(values.video)}"`);
  const fps = parseIntOption('fps', values.fps, 1) ?? 25;
  const video = videoSeconds ? { seconds: videoSeconds, fps, imageEvery: parseIntOption('image-every', values['image-every'], 1) ?? 1 } : undefined;
  const frames = parseIntOption('frames', values.frames, 1) ?? (video ? Math.round(video.seconds * video.fps) : 100);
  const version = values['generator-version'] as string | undefined;
  if (version !== undefined && !(REPRODUCIBLE_VERSIONS as readonly string[]).includes(version)) {
    throw new InputError(`--generator-version must be one of ${REPRODUCIBLE_VERSIONS.join(', ')}, got "${version}"`);
  }
  return defaultOptions({
    seed, frames, width: size[0], height: size[1], crowd: { min: crowd[0], max: crowd[1] },
    framesPerScene: parseIntOption('frames-per-scene', values['frames-per-scene'], 1) ?? 10,
    imageFormat: format, video,
    ...(values.clean === true ? { degrade: NO_DEGRADE } : {}),
    ...(version ? { generatorVersion: version as GeneratorVersion } : {}),
  });
}

export const synthCommand: CliCommand = {
  name: 'synth',
  summary: 'Generate a synthetic, fully annotated surveillance dataset (deterministic per seed)',
  usage:
    'fastpr synth --out DIR --frames N --seed S [--size WxH] [--crowd MIN-MAX] [--frames-per-scene K] [--format jpeg|png]\n' +
    '             [--video SECONDS [--fps 25] [--image-every 1]] [--clean] [--overwrite] [--generator-version V]\n' +
    '  --clean: no camera degradations (blur, noise, low resolution, JPEG artefacts, colour cast).\n' +
    `  --generator-version: reproduce an older generator byte for byte (${REPRODUCIBLE_VERSIONS.join(', ')}; default the newest).\n` +
    '  Video mode: clips of SECONDS each until N frames in total (default one clip); ground truth for every frame.',
  options: {
    out: { type: 'string' }, frames: { type: 'string' }, seed: { type: 'string' }, size: { type: 'string' },
    crowd: { type: 'string' }, video: { type: 'string' }, fps: { type: 'string' }, 'image-every': { type: 'string' },
    'frames-per-scene': { type: 'string' }, format: { type: 'string' }, overwrite: { type: 'boolean', default: false },
    clean: { type: 'boolean', default: false }, 'generator-version': { type: 'string' },
  },
  async run(ctx) {
    const out = ctx.values.out as string | undefined;
    if (!out) throw new InputError('synth: --out DIR is required');
    const o = optionsFromCli(ctx.values);
    const started = Date.now();
    const manifest = await synthesize(out, o, {
      signal: ctx.signal, onProgress: ctx.progress, overwrite: ctx.values.overwrite === true,
    });
    const seconds = (Date.now() - started) / 1000;
    const summary = { out, frames: manifest.frameCount, splits: Object.fromEntries(Object.entries(manifest.splits).map(([k, v]) => [k, v.length])), seconds };
    if (ctx.json) ctx.print(JSON.stringify(summary));
    else ctx.print(`wrote ${manifest.frameCount} frames to ${out} in ${seconds.toFixed(1)} s (${(manifest.frameCount / seconds).toFixed(0)} frames/s); sequences train/val/test ${manifest.splits.train.length}/${manifest.splits.val.length}/${manifest.splits.test.length}`);
  },
};
