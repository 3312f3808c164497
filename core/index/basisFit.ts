/**
 * How well an index's pca basis (fitted on the first frames, pcaCodec.ts) fits the frames written
 * after it. A frame counts as poorly fitted when the share of its feature energy the basis leaves
 * out is more than POOR_FIT_RATIO times the fit frames' share (PcaBasis.fitResidual): a scene that
 * changed after the start (lighting, a camera move) is then stored, and searched, less exactly.
 */
import { formatSeconds } from '../reports/describe';
import type { ProjectionFit } from './pcaCodec';

export const POOR_FIT_RATIO = 3;

export interface BasisFit { checked: number; poorFrames: number; firstPoorS: number | null; worstRatio: number }

/** Counts one writer's poorly fitted frames. */
export class BasisFitMonitor {
  private checked = 0;
  private poorFrames = 0;
  private firstPoorUs: number | null = null;
  private worstRatio = 0;

  /** `fitResidual` of the basis (NaN for bases stored without it: nothing is checked). */
  constructor(private readonly fitResidual: number) {}

  note(ptsUs: number, fit: ProjectionFit): void {
    if (!(this.fitResidual > 0) || !(fit.energy > 0)) return;
    const ratio = fit.residual / fit.energy / this.fitResidual;
    this.checked++;
    if (ratio <= POOR_FIT_RATIO) return;
    this.poorFrames++;
    this.firstPoorUs ??= ptsUs;
    this.worstRatio = Math.max(this.worstRatio, ratio);
  }

  result(): BasisFit {
    return { checked: this.checked, poorFrames: this.poorFrames, firstPoorS: this.firstPoorUs === null ? null : this.firstPoorUs / 1e6, worstRatio: this.worstRatio };
  }
}

/**
 * The ingest warning for a video whose later scenes the basis fits poorly: from 1 % of the checked
 * frames (at least 3), so single odd frames (a flash, a passing bus) do not raise it.
 */
export function poorFitWarning(videoPath: string, fit: BasisFit): string | undefined {
  if (fit.poorFrames < Math.max(3, 0.01 * fit.checked)) return undefined;
  const at = fit.firstPoorS === null ? '' : ` (the first at ${formatSeconds(fit.firstPoorS)})`;
  return `${videoPath}: ${fit.poorFrames} of ${fit.checked} sampled frames${at} fit the index's compression basis poorly `
    + `(up to ${fit.worstRatio.toFixed(1)}× the out-of-basis share of the frames it was fitted on): the scene changed after the start, `
    + 'and those frames are stored and searched less exactly — ingest again with --dtype float16 to keep exact features';
}
