/** The loss-curve image: every loss term per step on a log scale, smoothed, with a legend. */
import { createSurface, encodeCanvas } from '../image/canvas';

export interface CurvePoint {
  step: number;
  [term: string]: number | string | undefined;
}

const SERIES: Array<{ key: string; label: string; colour: string }> = [
  { key: 'total', label: 'total (eq. 6)', colour: '#111111' },
  { key: 'con', label: 'L_con', colour: '#d62728' },
  { key: 'loc', label: 'L_loc', colour: '#1f77b4' },
  { key: 'cla', label: 'L_cla', colour: '#2ca02c' },
  { key: 'attr', label: 'L_attr', colour: '#17becf' },
  { key: 'roi', label: 'L_roi', colour: '#bcbd22' },
  { key: 'rec', label: 'L_rec', colour: '#9467bd' },
  { key: 'off', label: 'L_off', colour: '#ff7f0e' },
  { key: 'rank', label: 'L_rank', colour: '#8c564b' },
];

/** Exponential moving average, so a noisy per-batch curve stays readable. */
function smooth(values: number[], alpha: number): number[] {
  let s: number | undefined;
  return values.map((v) => (s = s === undefined ? v : alpha * v + (1 - alpha) * s));
}

export function drawLossCurve(points: CurvePoint[], width = 900, height = 500): Buffer {
  const { canvas, ctx } = createSurface(width, height);
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  const left = 60;
  const right = width - 160;
  const top = 20;
  const bottom = height - 40;
  const series = SERIES.map((s) => ({
    ...s,
    pts: points.filter((p) => typeof p[s.key] === 'number' && (p[s.key] as number) > 0).map((p) => ({ x: p.step, y: Math.log10(p[s.key] as number) })),
  })).filter((s) => s.pts.length > 0);
  const xs = points.map((p) => p.step);
  const ys = series.flatMap((s) => s.pts.map((p) => p.y));
  const x0 = Math.min(...xs, 0);
  const x1 = Math.max(...xs, 1);
  const y0 = Math.floor(Math.min(...ys, 0));
  const y1 = Math.ceil(Math.max(...ys, 1));
  const X = (x: number) => left + ((x - x0) / Math.max(1e-9, x1 - x0)) * (right - left);
  const Y = (y: number) => bottom - ((y - y0) / Math.max(1e-9, y1 - y0)) * (bottom - top);
  ctx.strokeStyle = '#cccccc';
  ctx.fillStyle = '#333333';
  ctx.font = '12px DejaVu Sans, sans-serif';
  ctx.lineWidth = 1;
  for (let e = y0; e <= y1; e++) {
    ctx.beginPath();
    ctx.moveTo(left, Y(e));
    ctx.lineTo(right, Y(e));
    ctx.stroke();
    ctx.fillText(`1e${e}`, 8, Y(e) + 4);
  }
  ctx.fillText(`step ${x0}`, left, height - 14);
  ctx.fillText(`${x1}`, right - 30, height - 14);
  ctx.lineWidth = 2;
  series.forEach((s, i) => {
    const ys2 = smooth(s.pts.map((p) => p.y), 0.1);
    ctx.strokeStyle = s.colour;
    ctx.beginPath();
    s.pts.forEach((p, j) => (j === 0 ? ctx.moveTo(X(p.x), Y(ys2[j]!)) : ctx.lineTo(X(p.x), Y(ys2[j]!))));
    ctx.stroke();
    ctx.fillStyle = s.colour;
    ctx.fillRect(right + 15, top + 10 + i * 20, 14, 3);
    ctx.fillStyle = '#333333';
    ctx.fillText(s.label, right + 35, top + 15 + i * 20);
  });
  return encodeCanvas(canvas, 'png');
}
