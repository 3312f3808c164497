/** Perceptual dark→hot ramp (inferno-like) for heat maps, so low cells stay dark and the hit glows. */
const STOPS: Array<[number, [number, number, number]]> = [
  [0, [0, 0, 4]], [0.25, [87, 16, 110]], [0.5, [188, 55, 84]], [0.75, [249, 142, 9]], [1, [252, 255, 164]],
];

export function heatColour(v: number): string {
  const x = Math.max(0, Math.min(1, Number.isFinite(v) ? v : 0));
  for (let i = 1; i < STOPS.length; i++) {
    const [x1, c1] = STOPS[i]!;
    const [x0, c0] = STOPS[i - 1]!;
    if (x <= x1) {
      const t = (x - x0) / (x1 - x0);
      return `rgb(${c0.map((c, k) => Math.round(c + (c1[k]! - c) * t)).join(',')})`;
    }
  }
  return 'rgb(252,255,164)';
}

/** The map to show for a frame: the confidence map, or one slot's attention scaled to its own maximum. */
export function overlayValues(
  frame: { confidenceMap: number[][]; attention?: number[][][] } | undefined, overlay: 'none' | 'confidence' | 'attention', slot: number,
): number[] | undefined {
  if (!frame) return undefined;
  if (overlay === 'confidence') return frame.confidenceMap.flat();
  if (overlay === 'attention') {
    const a = frame.attention?.[slot]?.flat();
    if (!a) return undefined;
    // Attention weights are small and relative.
    const max = Math.max(...a, 1e-9);
    return a.map((v) => v / max);
  }
  return undefined;
}
