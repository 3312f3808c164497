/**
 * How well an index's pca basis (pcaCodec.ts) fits the frames written with it. A frame counts as
 * poorly fitted when the share of its feature energy the basis leaves out is more than
 * POOR_FIT_RATIO times the fit frames' share (PcaBasis.fitResidual): a scene that changed (lighting,
 * a camera move) is then stored, and searched, less exactly. Since format 3 the writer refits the
 * basis on such a frame (indexFile.ts), so what is counted here is what stays poorly fitted.
 */
import { formatSeconds } from '../text/timecode';
import type { ProjectionFit } from './pcaCodec';

export const POOR_FIT_RATIO = 3;

export interface BasisFit { checked: number; poorFrames: number; firstPoorS: number | null; worstRatio: number }

/** The counts as a checkpoint keeps them, so a resumed ingest goes on counting (IndexCheckpoint.basisFit). */
export interface BasisFitState { checked: number; poorFrames: number; firstPoorUs: number | null; worstRatio: number }

/** Counts a writer's poorly fitted frames. */
export class BasisFitMonitor {
  private checked = 0;
  private poorFrames = 0;
  private firstPoorUs: number | null = null;
  private worstRatio = 0;

  /** `from`: counts of the frames before a resume. */
  constructor(from?: BasisFitState) {
    if (from) ({ checked: this.checked, poorFrames: this.poorFrames, firstPoorUs: this.firstPoorUs, worstRatio: this.worstRatio } = from);
  }

  state(): BasisFitState {
    return { checked: this.checked, poorFrames: this.poorFrames, firstPoorUs: this.firstPoorUs, worstRatio: this.worstRatio };
  }

  /** A checkpoint's counts, or undefined when they are not four plain numbers (an older checkpoint). */
  static parseState(v: unknown): BasisFitState | undefined {
    const o = v as Partial<BasisFitState> | null;
    const num = (x: unknown) => typeof x === 'number' && Number.isFinite(x) && x >= 0;
    if (!o || !num(o.checked) || !num(o.poorFrames) || !num(o.worstRatio) || !(o.firstPoorUs === null || num(o.firstPoorUs))) return undefined;
    return { checked: o.checked!, poorFrames: o.poorFrames!, firstPoorUs: o.firstPoorUs!, worstRatio: o.worstRatio! };
  }

  /** Counts one written frame; `fitResidual` is that of the basis it was written with (NaN: not checked). */
  note(ptsUs: number, fit: ProjectionFit, fitResidual: number): void {
    const ratio = fitRatio(fit, fitResidual);
    if (Number.isNaN(ratio)) return;
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
 * A frame's out-of-basis share over the basis' own (NaN when it cannot be checked: a basis stored
 * without fitResidual, or a frame with no energy).
 */
export function fitRatio(fit: ProjectionFit, fitResidual: number): number {
  if (!(fitResidual > 0) || !(fit.energy > 0)) return NaN;
  return fit.residual / fit.energy / fitResidual;
}

/**
 * The ingest warning for a video whose later scenes the basis fits poorly: from 1 % of the checked
 * frames (at least 3), so single odd frames (a flash, a passing bus) do not raise it.
 */
export function poorFitWarning(videoPath: string, fit: BasisFit): string | undefined {
  if (fit.poorFrames < Math.max(3, 0.01 * fit.checked)) return undefined;
  const at = fit.firstPoorS === null ? '' : ` (the first at ${formatSeconds(fit.firstPoorS)})`;
  return `${videoPath}: ${fit.poorFrames} of ${fit.checked} sampled frames${at} ${POOR_FIT_PHRASE} `
    + `(up to ${fit.worstRatio.toFixed(1)}× the out-of-basis share of the frames it was fitted on): the scene changed after the start, `
    + 'and those frames are stored and searched less exactly — index it again with exact features ("Index again with exact features" '
    + 'on the evidence row, or fastpr ingest VIDEO --case NAME --dtype float16)';
}

/** The words every poor-fit warning carries (stored warnings are text; the view recognises them by these). */
const POOR_FIT_PHRASE = "fit the index's compression basis poorly";

export function isPoorFitWarning(warning: string): boolean {
  return warning.includes(POOR_FIT_PHRASE);
}
