/**
 * The one module that imports @napi-rs/canvas. Everything else (synthetic generator, contact
 * sheets, thumbnails, crops) draws and encodes through these exports, so the native dependency can
 * be swapped or stubbed in one place.
 */
import { createCanvas as napiCreateCanvas, Image, ImageData as NapiImageData } from '@napi-rs/canvas';
import type { Canvas as NapiCanvas, SKRSContext2D } from '@napi-rs/canvas';

export type Canvas = NapiCanvas;
export type Context2D = SKRSContext2D;

export function createCanvas(width: number, height: number): Canvas {
  return napiCreateCanvas(width, height);
}

/** A canvas and its 2D context, the common pair. */
export function createSurface(width: number, height: number): { canvas: Canvas; ctx: Context2D } {
  const canvas = napiCreateCanvas(width, height);
  return { canvas, ctx: canvas.getContext('2d') };
}

export interface RgbaImage {
  width: number;
  height: number;
  /** RGBA bytes, row-major, not premultiplied. */
  data: Uint8ClampedArray;
}

/** Decodes PNG or JPEG bytes (synchronously) into an Image usable with drawImage. */
export function decodeImage(bytes: Buffer | Uint8Array): Image {
  const img = new Image();
  img.src = bytes instanceof Buffer ? bytes : Buffer.from(bytes);
  if (!img.width || !img.height) throw new Error('image could not be decoded (not a PNG/JPEG?)');
  return img;
}

/** Decodes PNG or JPEG bytes to RGBA pixels. */
export function decodeToRgba(bytes: Buffer | Uint8Array): RgbaImage {
  const img = decodeImage(bytes);
  const { canvas, ctx } = createSurface(img.width, img.height);
  ctx.drawImage(img, 0, 0);
  const id = ctx.getImageData(0, 0, canvas.width, canvas.height);
  return { width: id.width, height: id.height, data: id.data as Uint8ClampedArray };
}

/** Loads a PNG/JPEG file from disk to RGBA pixels. */
export async function loadRgba(path: string): Promise<RgbaImage> {
  const { readFile } = await import('node:fs/promises');
  return decodeToRgba(await readFile(path));
}

/** Draws RGBA pixels onto a fresh canvas. */
export function canvasFromRgba(image: RgbaImage): Canvas {
  const { canvas, ctx } = createSurface(image.width, image.height);
  ctx.putImageData(new NapiImageData(image.data, image.width, image.height), 0, 0);
  return canvas;
}

export function readRgba(canvas: Canvas): RgbaImage {
  const id = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
  return { width: id.width, height: id.height, data: id.data as Uint8ClampedArray };
}

/**
 * The canvas's raw RGBA bytes without a copy through ImageData. Valid for opaque canvases (stored
 * pixels are premultiplied, which equals straight alpha when alpha is 255).
 */
export function rawRgba(canvas: Canvas): Buffer {
  return canvas.data();
}

export type ImageFormat = 'png' | 'jpeg';

/** Encodes a canvas. JPEG quality 0..100. PNG output carries no timestamp, so it is deterministic. */
export function encodeCanvas(canvas: Canvas, format: ImageFormat, quality = 90): Buffer {
  return format === 'png' ? canvas.encodeSync('png') : canvas.encodeSync('jpeg', Math.round(quality));
}

/**
 * encodeCanvas on libuv's thread pool: the same bytes, without holding the event loop (a 128-px PNG
 * costs ~2.6 ms, and a search records dozens), and several encode at once on more than one core.
 */
export function encodeCanvasAsync(canvas: Canvas, format: ImageFormat, quality = 90): Promise<Buffer> {
  return format === 'png' ? canvas.encode('png') : canvas.encode('jpeg', Math.round(quality));
}

/** Draws `img` (canvas or decoded image) scaled into dest rectangle with bilinear smoothing. */
export function drawScaled(
  ctx: Context2D, img: Canvas | Image, dx: number, dy: number, dw: number, dh: number,
): void {
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(img, dx, dy, dw, dh);
}

export function rgb(r: number, g: number, b: number): string {
  return `rgb(${Math.round(r)},${Math.round(g)},${Math.round(b)})`;
}

export function strokeBox(
  ctx: Context2D, box: readonly [number, number, number, number], colour: string, width: number,
): void {
  ctx.strokeStyle = colour;
  ctx.lineWidth = width;
  ctx.strokeRect(box[0] + width / 2, box[1] + width / 2, Math.max(0, box[2] - box[0] - width), Math.max(0, box[3] - box[1] - width));
}

/** Text with a dark backing box, readable on any background. */
export function labelText(ctx: Context2D, text: string, x: number, y: number, px: number, colour = '#fff'): void {
  ctx.font = `${px}px DejaVu Sans, sans-serif`;
  const w = ctx.measureText(text).width;
  ctx.fillStyle = 'rgba(0,0,0,0.7)';
  ctx.fillRect(x, y, w + 4, px + 4);
  ctx.fillStyle = colour;
  ctx.textBaseline = 'top';
  ctx.fillText(text, x + 2, y + 2);
}

export { Image };
