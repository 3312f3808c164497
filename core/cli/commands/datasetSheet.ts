/** `fastpr dataset sheet DIR --out sheet.png [--count 16]`: a contact sheet to look at a dataset. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { displayValue, ATTRIBUTE_KEYS, attributeByKey } from '../../attributes/schema';
import type { FrameAnnotation, Query } from '../../dataset/format';
import { readDataset } from '../../dataset/reader';
import { InputError } from '../../errors';
import { createSurface, decodeImage, encodeCanvas, labelText, strokeBox } from '../../image/canvas';
import type { CliCommand } from '../command';

/** Query wording for the sheet: the query's own text, else "label: value" pairs. */
export function describeQuery(q: Query): string {
  if (q.text) return q.text;
  return ATTRIBUTE_KEYS.filter((k) => q.attributes[k] !== undefined && q.attributes[k] !== -1)
    .map((k) => `${attributeByKey(k).label.toLowerCase()} ${displayValue(k, q.attributes[k]!)}`)
    .join(', ');
}

function wrap(text: string, maxChars: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if ((line + ' ' + word).trim().length > maxChars) {
      if (line) lines.push(line);
      line = word;
    } else line = (line + ' ' + word).trim();
  }
  if (line) lines.push(line);
  return lines;
}

export interface SheetOptions { count: number; tileWidth: number }

/** Renders the sheet as PNG bytes. Frames are taken evenly across the dataset (only ones with images). */
export function renderSheet(dir: string, frames: FrameAnnotation[], o: SheetOptions): Buffer {
  const withImages = frames.filter((f) => !f.image.includes('#') && existsSync(join(dir, f.image)));
  if (!withImages.length) throw new InputError(`${dir}: no frame images to show`);
  const n = Math.min(o.count, withImages.length);
  const picked = Array.from({ length: n }, (_, i) => withImages[Math.floor((i * withImages.length) / n)]!);
  const cols = Math.ceil(Math.sqrt(n));
  const rows = Math.ceil(n / cols);
  const first = picked[0]!;
  const tw = o.tileWidth;
  const th = Math.round((tw * first.height) / first.width);
  const textH = 46;
  const { canvas, ctx } = createSurface(cols * tw, rows * (th + textH));
  ctx.fillStyle = '#202020';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  picked.forEach((f, i) => {
    const x0 = (i % cols) * tw, y0 = Math.floor(i / cols) * (th + textH);
    const img = decodeImage(readFileSync(join(dir, f.image)));
    ctx.drawImage(img, x0, y0, tw, th);
    const s = tw / f.width;
    const q = f.queries.find((qq) => qq.kind !== 'absent') ?? f.queries[0];
    const matches = new Set(q?.matches ?? []);
    const at = (b: readonly number[]) => [x0 + b[0]! * s, y0 + b[1]! * s, x0 + b[2]! * s, y0 + b[3]! * s] as [number, number, number, number];
    for (const p of f.persons) {
      if (p.id === q?.target || matches.has(p.id)) continue;
      strokeBox(ctx, at(p.box), 'rgba(255,255,255,0.55)', 1);
    }
    for (const p of f.persons) if (matches.has(p.id) && p.id !== q?.target) strokeBox(ctx, at(p.box), '#00e5ff', 2);
    const target = f.persons.find((p) => p.id === q?.target);
    if (target) strokeBox(ctx, at(target.box), '#ff2d2d', 3);
    const label = q ? `[${q.kind}${q.matches.length > 1 ? `, ${q.matches.length} match` : ''}] ${describeQuery(q)}` : '(no query)';
    const lines = wrap(label, Math.floor(tw / 6.2)).slice(0, 3);
    lines.forEach((line, k) => labelText(ctx, line, x0 + 2, y0 + th + 1 + k * 15, 11, k === 0 ? '#ffd54f' : '#eeeeee'));
    labelText(ctx, `${f.id}  ${f.persons.length}p`, x0 + 2, y0 + 2, 10);
  });
  return encodeCanvas(canvas, 'png');
}

export const datasetSheetCommand: CliCommand = {
  name: 'dataset sheet',
  summary: 'Contact sheet of a dataset: frames with boxes (target red, other matches cyan) and queries',
  usage: 'fastpr dataset sheet DIR --out sheet.png [--count 16] [--tile-width 352]',
  options: { out: { type: 'string' }, count: { type: 'string' }, 'tile-width': { type: 'string' } },
  async run(ctx) {
    const dir = ctx.positionals[0];
    const out = ctx.values.out as string | undefined;
    if (!dir) throw new InputError('dataset sheet: give the dataset folder, e.g. fastpr dataset sheet data/synth --out sheet.png');
    if (!out) throw new InputError('dataset sheet: --out sheet.png is required');
    const count = Number(ctx.values.count ?? 16);
    const tileWidth = Number(ctx.values['tile-width'] ?? 352);
    if (!Number.isInteger(count) || count < 1) throw new InputError(`--count must be a positive integer, got "${String(ctx.values.count)}"`);
    if (!Number.isInteger(tileWidth) || tileWidth < 64) throw new InputError(`--tile-width must be an integer ≥ 64, got "${String(ctx.values['tile-width'])}"`);
    const ds = readDataset(dir);
    writeFileSync(out, renderSheet(dir, ds.frames, { count, tileWidth }));
    if (ctx.json) ctx.print(JSON.stringify({ out, count }));
    else ctx.print(`wrote ${out}`);
  },
};
