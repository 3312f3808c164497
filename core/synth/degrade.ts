/**
 * Camera degradations the paper names: low resolution (render small, upscale), blur, sensor noise,
 * JPEG compression artefacts, colour casts and lighting changes. Each has a probability and a
 * strength; colour changes stay mild so named colours keep their hue.
 */
import { createSurface, type Canvas, type Context2D } from '../image/canvas';
import { Rng } from './rng';

export interface DegradeOptions {
  lowResProb: number; lowResMin: number;
  blurProb: number; blurMax: number;
  noiseProb: number; noiseMax: number;
  jpegProb: number; jpegMin: number;
  /** Scales the colour-cast and light variation (0 = none, 1 = default). */
  castStrength: number;
}

export const DEFAULT_DEGRADE: DegradeOptions = {
  lowResProb: 0.3, lowResMin: 0.35,
  blurProb: 0.45, blurMax: 1.4,
  noiseProb: 0.7, noiseMax: 0.2,
  jpegProb: 0.35, jpegMin: 30,
  castStrength: 1,
};

export const NO_DEGRADE: DegradeOptions = {
  lowResProb: 0, lowResMin: 1, blurProb: 0, blurMax: 0, noiseProb: 0, noiseMax: 0, jpegProb: 0, jpegMin: 90, castStrength: 0,
};

export interface FrameDegrade {
  renderScale: number;
  blur: number;
  noise: number;
  noiseOffset: [number, number];
  jpegQuality: number;
  /** Per-channel multipliers (≤ 1). */
  tint: [number, number, number];
  vignette: number;
}

export function sampleDegrade(rng: Rng, o: DegradeOptions, sceneGain: number, sceneCast: [number, number, number]): FrameDegrade {
  const k = o.castStrength;
  const gain = 1 - k * (1 - Math.min(1, sceneGain * rng.uniform(0.94, 1.04)));
  const raw = sceneCast.map((c) => 1 + k * (c - 1) + k * rng.uniform(-0.02, 0.02)) as [number, number, number];
  const top = Math.max(...raw);
  return {
    renderScale: rng.chance(o.lowResProb) ? rng.uniform(o.lowResMin, 0.75) : 1,
    blur: rng.chance(o.blurProb) ? rng.uniform(0.4, o.blurMax) : 0,
    noise: rng.chance(o.noiseProb) ? rng.uniform(0.04, o.noiseMax) : 0,
    noiseOffset: [rng.int(0, 255), rng.int(0, 255)],
    jpegQuality: rng.chance(o.jpegProb) ? rng.int(o.jpegMin, 65) : 90,
    tint: raw.map((c) => (c / top) * gain) as [number, number, number],
    vignette: k > 0 && rng.chance(0.6) ? rng.uniform(0.05, 0.25) * k : 0,
  };
}

let noiseTile: Canvas | undefined;
const noisePatterns = new WeakMap<Context2D, CanvasPattern>();
/** A fixed grey-noise tile (same for every run), overlaid at a random offset. */
function getNoiseTile(): Canvas {
  if (noiseTile) return noiseTile;
  const { canvas, ctx } = createSurface(256, 256);
  const id = ctx.getImageData(0, 0, 256, 256);
  const rng = new Rng(0x5eed);
  for (let i = 0; i < id.data.length; i += 4) {
    const g = rng.normal(128, 42);
    id.data[i] = g + rng.normal(0, 12);
    id.data[i + 1] = g + rng.normal(0, 12);
    id.data[i + 2] = g + rng.normal(0, 12);
    id.data[i + 3] = 255;
  }
  ctx.putImageData(id, 0, 0);
  return (noiseTile = canvas);
}

const scratch = new Map<string, { canvas: Canvas; ctx: Context2D }>();
export function surface(tag: string, w: number, h: number): { canvas: Canvas; ctx: Context2D } {
  const key = `${tag}:${w}x${h}`;
  let s = scratch.get(key);
  if (!s) scratch.set(key, (s = createSurface(w, h)));
  return s;
}

/** Copies the rendered (maybe smaller) canvas into `out`, applying upscaling, blur, tint, vignette, noise. */
export function finishFrame(rendered: Canvas, out: { canvas: Canvas; ctx: Context2D }, d: FrameDegrade): void {
  const { ctx } = out;
  const W = out.canvas.width, H = out.canvas.height;
  ctx.save();
  ctx.imageSmoothingEnabled = true;
  // Upscale first, then blur a same-size copy: a blur filter on a scaled drawImage was not
  // deterministic in @napi-rs/canvas (different bytes run to run).
  if (rendered !== out.canvas) ctx.drawImage(rendered, 0, 0, W, H);
  if (d.blur > 0) {
    const tmp = surface('blur', W, H);
    tmp.ctx.drawImage(out.canvas, 0, 0);
    ctx.filter = `blur(${d.blur.toFixed(2)}px)`;
    ctx.drawImage(tmp.canvas, 0, 0, W, H);
  }
  ctx.filter = 'none';
  ctx.globalCompositeOperation = 'multiply';
  const [r, g, b] = d.tint;
  if (r < 0.999 || g < 0.999 || b < 0.999) {
    ctx.fillStyle = `rgb(${Math.round(r * 255)},${Math.round(g * 255)},${Math.round(b * 255)})`;
    ctx.fillRect(0, 0, W, H);
  }
  if (d.vignette > 0) {
    const grad = ctx.createRadialGradient(W / 2, H / 2, Math.min(W, H) * 0.3, W / 2, H / 2, Math.hypot(W, H) * 0.55);
    const v = Math.round(255 * (1 - d.vignette));
    grad.addColorStop(0, 'rgb(255,255,255)');
    grad.addColorStop(1, `rgb(${v},${v},${v})`);
    ctx.fillStyle = grad;
    ctx.fillRect(0, 0, W, H);
  }
  if (d.noise > 0) {
    ctx.globalCompositeOperation = 'overlay';
    ctx.globalAlpha = d.noise;
    const pattern = noisePatterns.get(ctx) ?? ctx.createPattern(getNoiseTile(), 'repeat');
    if (pattern) noisePatterns.set(ctx, pattern);
    if (!pattern) throw new Error('noise pattern could not be created');
    ctx.translate(-d.noiseOffset[0], -d.noiseOffset[1]);
    ctx.fillStyle = pattern;
    ctx.fillRect(0, 0, W + 256, H + 256);
  }
  ctx.restore();
}
