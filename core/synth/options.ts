/** Generator options, their defaults and the generator's identity (recorded in the manifest). */
import { DEFAULT_DEGRADE, type DegradeOptions } from './degrade';
import type { CrowdRange } from './layout';
import { DEFAULT_QUERY_OPTIONS, type QueryOptions } from './queries';

export const GENERATOR_NAME = 'fastpr-synth';
/**
 * Bump when any change alters the output for a given seed.
 * 1.1.0: garment patterns filled from a repeating tile, background specks one fill per shade
 * (faster; pictures differ from 1.0.0 only in sub-pixel detail; annotations are unchanged).
 * 1.2.0: frames of up to RASTER_MAX_PIXELS draw people, luggage, scene objects and shadows with a
 * JS anti-aliased scanline rasteriser (raster.ts) instead of canvas paths, patterns evaluated
 * analytically (faster; pictures differ from 1.1.0 in anti-aliasing and pattern edges); larger
 * frames are drawn exactly as 1.1.0 (there the canvas is faster). Annotations are unchanged.
 * 1.3.0: absent-target queries are complete (every attribute stated) as often as target queries
 * (`queries.completeShare`); before, they always stated 2–6 attributes while 40 % of target queries
 * stated all, so "a complete query" alone told present from absent. Images and target queries are
 * 1.2.0's byte for byte (the choice draws from a forked random stream); only absent queries differ.
 */
export const GENERATOR_VERSION = '1.3.0';
/** Older versions this code still reproduces byte for byte (SynthOptions.generatorVersion). */
export const REPRODUCIBLE_VERSIONS = ['1.0.0', '1.1.0', '1.2.0', GENERATOR_VERSION] as const;
export type GeneratorVersion = (typeof REPRODUCIBLE_VERSIONS)[number];

export interface VideoOptions {
  /** Clip length, seconds. */
  seconds: number;
  fps: number;
  /** Write a still image for every Nth frame (ground truth is written for every frame). */
  imageEvery: number;
}

export interface SynthOptions {
  seed: number;
  /** Still mode: number of frames. Video mode: total video frames over all clips. */
  frames: number;
  width: number;
  height: number;
  crowd: CrowdRange;
  /** Still mode: frames per scene (sequence; one camera and background). */
  framesPerScene: number;
  imageFormat: 'jpeg' | 'png';
  degrade: DegradeOptions;
  queries: QueryOptions;
  video?: VideoOptions;
  /** Reproduce an older generator version (default: GENERATOR_VERSION). Not a manifest parameter. */
  generatorVersion?: GeneratorVersion;
}

/** The generator version `o` produces. */
export function generatorVersion(o: SynthOptions): GeneratorVersion {
  return o.generatorVersion ?? GENERATOR_VERSION;
}

/**
 * How a version draws a frame: 1.0.0 canvas paths with clipped patterns, 1.1.0 canvas paths with
 * pattern tiles, 1.2.0 the JS rasteriser (raster.ts) up to RASTER_MAX_PIXELS, else as 1.1.0.
 */
export type DrawStyle = '1.0' | '1.1' | 'raster';

/**
 * Largest frame (pixels) generator 1.2.0 draws with the JS rasteriser. Its cost grows with the drawn
 * area, the canvas's mostly with the number of shapes: measured CPU time per frame, 1.2.0 raster vs
 * canvas, 224×224 1.5× faster, 352×288 1.36×, 448×448 1.10×, 704×576 0.89× (slower).
 */
export const RASTER_MAX_PIXELS = 256 * 1024;

export function drawStyle(o: SynthOptions): DrawStyle {
  const v = generatorVersion(o);
  if (v === '1.0.0') return '1.0';
  return v === '1.1.0' || o.width * o.height > RASTER_MAX_PIXELS ? '1.1' : 'raster';
}

/** Whether `o`'s absent-target queries are sometimes complete (1.3.0 on). */
export function completeAbsentQueries(o: SynthOptions): boolean {
  return !['1.0.0', '1.1.0', '1.2.0'].includes(generatorVersion(o));
}

/** Whether `o` asks for generator 1.0.0's drawing. */
export function isLegacyV1(o: SynthOptions): boolean {
  return generatorVersion(o) === '1.0.0';
}

export function defaultOptions(partial: Partial<SynthOptions> & { seed: number }): SynthOptions {
  return {
    frames: 100,
    width: 704,
    height: 576,
    crowd: { min: 1, max: 30 },
    framesPerScene: 10,
    imageFormat: 'jpeg',
    degrade: DEFAULT_DEGRADE,
    queries: DEFAULT_QUERY_OPTIONS,
    ...partial,
  };
}

export function sequenceId(seed: number, index: number): string {
  return `syn${seed}-${String(index).padStart(4, '0')}`;
}

/** Deterministic creation time derived from the seed, so same seed → byte-identical manifest. */
export function syntheticCreatedAt(seed: number): string {
  return new Date(Date.UTC(2020, 0, 1) + (Math.abs(seed) % 315_360_000) * 1000).toISOString();
}

/** Minimum box height of a query target: 6% of the frame height, at least 10 px. */
export function minTargetPixels(o: SynthOptions): number {
  return Math.max(10, Math.round(o.height * 0.06));
}
