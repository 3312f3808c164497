/**
 * Draws the player's overlay on a canvas laid exactly over the video: the heat map (S×S cells,
 * the paper's Fig. 8) and the track's box with its confidence. Called from the video's frame
 * callback, so it must be cheap: no allocation beyond the cell colours.
 */
import { heatColour } from './heatRamp';

export interface OverlayPicture {
  /** [left, top, right, bottom] in frame pixels; null draws no box. */
  box: readonly [number, number, number, number] | null;
  frameWidth: number;
  frameHeight: number;
  /** Row-major S×S values in [0, 1]; undefined draws no heat map. */
  values?: readonly number[];
  grid: number;
  label?: string;
  /** CSS colour of the box and its label. */
  colour: string;
}

/** Matches the canvas's backing store to its shown size (device pixels); true when it changed. */
export function fitCanvas(canvas: HTMLCanvasElement): boolean {
  const ratio = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(canvas.clientWidth * ratio));
  const h = Math.max(1, Math.round(canvas.clientHeight * ratio));
  if (canvas.width === w && canvas.height === h) return false;
  canvas.width = w;
  canvas.height = h;
  return true;
}

export function paintOverlay(canvas: HTMLCanvasElement, picture: OverlayPicture | null): void {
  const g = canvas.getContext('2d');
  if (!g) return;
  const { width: W, height: H } = canvas;
  g.clearRect(0, 0, W, H);
  if (!picture) return;
  const { values, grid } = picture;
  if (values && grid > 0) {
    g.globalAlpha = 0.5;
    const cw = W / grid;
    const ch = H / grid;
    for (let r = 0; r < grid; r++) {
      for (let c = 0; c < grid; c++) {
        g.fillStyle = heatColour(values[r * grid + c] ?? 0);
        g.fillRect(Math.floor(c * cw), Math.floor(r * ch), Math.ceil(cw), Math.ceil(ch));
      }
    }
    g.globalAlpha = 1;
  }
  if (picture.box) {
    const ratio = window.devicePixelRatio || 1;
    const sx = W / picture.frameWidth;
    const sy = H / picture.frameHeight;
    const [l, t, r, b] = picture.box;
    const x = Math.max(0, l * sx);
    const y = Math.max(0, t * sy);
    const w = Math.min(W, r * sx) - x;
    const h = Math.min(H, b * sy) - y;
    g.lineWidth = 3 * ratio;
    g.strokeStyle = 'rgba(0,0,0,0.6)';
    g.strokeRect(x, y, w, h);
    g.lineWidth = 2 * ratio;
    g.strokeStyle = picture.colour;
    g.strokeRect(x, y, w, h);
    if (picture.label) {
      g.font = `600 ${Math.round(10.5 * ratio)}px ui-monospace, monospace`;
      const tw = g.measureText(picture.label).width + 8 * ratio;
      const th = 16 * ratio;
      const ly = y - th >= 0 ? y - th : y;
      g.fillStyle = picture.colour;
      g.fillRect(x - ratio, ly, tw, th);
      g.fillStyle = '#06121f';
      g.textBaseline = 'middle';
      g.fillText(picture.label, x + 3 * ratio, ly + th / 2);
    }
  }
}
