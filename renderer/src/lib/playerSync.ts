/**
 * Which indexed frame belongs to a video time. The index samples the video (e.g. at 5 fps), so a
 * played frame shows the box and maps of the nearest indexed sample, but only within half a sample
 * interval of it: past that (a gap in sampling, or outside the sighting's frames) nothing is drawn.
 */

/** The sampling interval: the median step between indexed frame times (0.2 s when it cannot be told). */
export function sampleIntervalS(times: readonly number[]): number {
  const steps: number[] = [];
  for (let i = 1; i < times.length; i++) {
    const d = times[i]! - times[i - 1]!;
    if (d > 1e-6) steps.push(d);
  }
  if (steps.length === 0) return 0.2;
  steps.sort((a, b) => a - b);
  return steps[Math.floor(steps.length / 2)]!;
}

/** Index of the indexed frame nearest to `t` (times ascending), or -1 when none is within intervalS / 2. */
export function nearestFrameIndex(times: readonly number[], t: number, intervalS: number): number {
  if (times.length === 0 || !Number.isFinite(t)) return -1;
  let lo = 0;
  let hi = times.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  let best = lo;
  if (lo > 0 && Math.abs(times[lo - 1]! - t) <= Math.abs(times[lo]! - t)) best = lo - 1;
  // A little slack: a decoded frame's time and the index's time can differ by rounding.
  return Math.abs(times[best]! - t) <= intervalS / 2 + 1e-3 ? best : -1;
}

/**
 * The indexed frame one step from time `t`: the first strictly after it (dir 1) or the last strictly
 * before it (dir -1); -1 at either end.
 */
export function stepFrameIndex(times: readonly number[], t: number, dir: 1 | -1): number {
  const eps = 1e-3 * 2;
  if (dir > 0) return times.findIndex((x) => x > t + eps);
  for (let i = times.length - 1; i >= 0; i--) if (times[i]! < t - eps) return i;
  return -1;
}
