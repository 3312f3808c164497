/**
 * A small flowing-layout helper over pdf-lib: pages with margins, wrapped text, key/value blocks,
 * coloured banners and tables whose header repeats on each new page. All text passes through
 * the WinAnsi sanitizer (standard fonts only).
 */
import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFImage, type PDFPage, type RGB } from 'pdf-lib';
import { WinAnsiSanitizer } from './winAnsi';

export const COLOURS = {
  ink: rgb(0.11, 0.12, 0.14), muted: rgb(0.36, 0.4, 0.45), navy: rgb(0.12, 0.23, 0.37), rule: rgb(0.79, 0.82, 0.86),
  headerFill: rgb(0.9, 0.92, 0.95), okFill: rgb(0.89, 0.95, 0.9), ok: rgb(0.08, 0.36, 0.15), badFill: rgb(0.99, 0.89, 0.89), bad: rgb(0.64, 0.09, 0.1),
};

export interface Cell { text?: string; font?: 'regular' | 'bold' | 'mono'; size?: number; colour?: RGB; image?: PDFImage; imageMax?: number }
export interface Column { title: string; width: number; font?: Cell['font']; size?: number }

const PAGE: [number, number] = [595.28, 841.89];
const MARGIN = 50;

export class PdfLayout {
  readonly width = PAGE[0] - 2 * MARGIN;
  page!: PDFPage;
  y = 0;
  private readonly top = PAGE[1] - MARGIN;
  private readonly bottom = MARGIN + 24;

  private constructor(readonly doc: PDFDocument, readonly fonts: Record<'regular' | 'bold' | 'mono', PDFFont>, readonly sanitizer: WinAnsiSanitizer, private readonly runningHead: string) {}

  static async create(runningHead: string): Promise<PdfLayout> {
    const doc = await PDFDocument.create();
    const fonts = {
      regular: await doc.embedFont(StandardFonts.Helvetica),
      bold: await doc.embedFont(StandardFonts.HelveticaBold),
      mono: await doc.embedFont(StandardFonts.Courier),
    };
    const sanitizer = new WinAnsiSanitizer(fonts.regular.getCharacterSet());
    const head = sanitizer.clean(runningHead);
    sanitizer.changed = 0;
    const layout = new PdfLayout(doc, fonts, sanitizer, head);
    layout.newPage();
    return layout;
  }

  /** Cuts text to fit width at size, ending in "..." when shortened. */
  fit(text: string, font: PDFFont, size: number, width: number): string {
    if (font.widthOfTextAtSize(text, size) <= width) return text;
    let n = text.length;
    while (n > 0 && font.widthOfTextAtSize(`${text.slice(0, n)}...`, size) > width) n--;
    return `${text.slice(0, n)}...`;
  }

  newPage(): void {
    this.page = this.doc.addPage(PAGE);
    this.y = this.top;
    if (this.doc.getPageCount() > 1) {
      this.page.drawText(this.fit(this.runningHead, this.fonts.regular, 7.5, this.width), { x: MARGIN, y: this.top + 14, size: 7.5, font: this.fonts.regular, color: COLOURS.muted });
      this.page.drawLine({ start: { x: MARGIN, y: this.top + 10 }, end: { x: MARGIN + this.width, y: this.top + 10 }, thickness: 0.5, color: COLOURS.rule });
    }
  }

  ensure(height: number): void {
    if (this.y - height < this.bottom) this.newPage();
  }

  /** Wraps text to width; breaks words longer than a line (hashes, paths) at character level. */
  wrap(raw: string, font: PDFFont, size: number, width: number): string[] {
    const lines: string[] = [];
    for (const para of raw.split(/\r?\n/)) {
      const text = this.sanitizer.clean(para);
      let line = '';
      const fits = (s: string) => font.widthOfTextAtSize(s, size) <= width;
      for (const word of text.split(/ +/)) {
        const candidate = line ? `${line} ${word}` : word;
        if (fits(candidate)) { line = candidate; continue; }
        if (line) lines.push(line);
        line = '';
        let rest = word;
        while (!fits(rest)) {
          // Binary search for the longest prefix that fits; no glyph is narrower than 0.15 em,
          // which bounds the search so a 20,000-character token stays linear overall.
          let lo = 1;
          let hi = Math.min(rest.length - 1, Math.ceil(width / (size * 0.15)));
          while (lo < hi) {
            const mid = Math.ceil((lo + hi) / 2);
            if (fits(rest.slice(0, mid))) lo = mid; else hi = mid - 1;
          }
          lines.push(rest.slice(0, lo));
          rest = rest.slice(lo);
        }
        line = rest;
      }
      lines.push(line);
    }
    return lines;
  }

  paragraph(text: string, opts: { font?: Cell['font']; size?: number; colour?: RGB; indent?: number; gap?: number } = {}): void {
    const font = this.fonts[opts.font ?? 'regular'];
    const size = opts.size ?? 9.5;
    const lh = size * 1.35;
    for (const line of this.wrap(text, font, size, this.width - (opts.indent ?? 0))) {
      this.ensure(lh);
      this.y -= lh;
      this.page.drawText(line, { x: MARGIN + (opts.indent ?? 0), y: this.y + size * 0.28, size, font, color: opts.colour ?? COLOURS.ink });
    }
    this.y -= opts.gap ?? 4;
  }

  /** keepWith: height of what must follow on the same page (a heading never ends a page). */
  heading(text: string, keepWith = 40): void {
    this.ensure(36 + keepWith);
    this.y -= 22;
    this.page.drawText(this.sanitizer.clean(text), { x: MARGIN, y: this.y, size: 13, font: this.fonts.bold, color: COLOURS.navy });
    this.y -= 6;
    this.page.drawLine({ start: { x: MARGIN, y: this.y }, end: { x: MARGIN + this.width, y: this.y }, thickness: 0.8, color: COLOURS.navy });
    this.y -= 8;
  }

  subheading(text: string): void {
    this.ensure(40);
    this.y -= 14;
    this.page.drawText(this.sanitizer.clean(text), { x: MARGIN, y: this.y, size: 10.5, font: this.fonts.bold, color: COLOURS.ink });
    this.y -= 6;
  }

  /** Label/value rows; values may wrap. */
  keyValues(rows: [string, string, Cell['font']?][], labelWidth = 135): void {
    const size = 9;
    const lh = size * 1.4;
    for (const [label, value, fontName] of rows) {
      const font = this.fonts[fontName ?? 'regular'];
      const vsize = fontName === 'mono' ? 8.2 : size;
      const lines = this.wrap(value, font, vsize, this.width - labelWidth);
      this.ensure(lh * Math.min(lines.length, 3));
      lines.forEach((line, i) => {
        if (i > 0) this.ensure(lh);
        this.y -= lh;
        if (i === 0) this.page.drawText(this.sanitizer.clean(label), { x: MARGIN, y: this.y + 3, size, font: this.fonts.bold, color: COLOURS.muted });
        this.page.drawText(line, { x: MARGIN + labelWidth, y: this.y + 3, size: vsize, font, color: COLOURS.ink });
      });
    }
    this.y -= 4;
  }

  banner(title: string, lines: string[], kind: 'ok' | 'bad'): void {
    const size = 8.8;
    const lh = size * 1.35;
    const body = lines.flatMap((l) => this.wrap(l, this.fonts.regular, size, this.width - 20));
    const height = 12 + 13 + body.length * lh + 4;
    this.ensure(height + 6);
    this.y -= height;
    this.page.drawRectangle({
      x: MARGIN, y: this.y, width: this.width, height, color: kind === 'ok' ? COLOURS.okFill : COLOURS.badFill,
      borderColor: kind === 'ok' ? COLOURS.ok : COLOURS.bad, borderWidth: kind === 'ok' ? 0.8 : 2,
    });
    let ty = this.y + height - 18;
    this.page.drawText(this.sanitizer.clean(title), { x: MARGIN + 10, y: ty, size: 10, font: this.fonts.bold, color: kind === 'ok' ? COLOURS.ok : COLOURS.bad });
    for (const line of body) {
      ty -= lh;
      this.page.drawText(line, { x: MARGIN + 10, y: ty, size, font: this.fonts.regular, color: COLOURS.ink });
    }
    this.y -= 8;
  }

  table(columns: Column[], rows: Cell[][]): void {
    const pad = 4;
    const headerH = 16;
    const maxHeight = this.top - this.bottom - 40;
    const laidRows = rows.map((row) => {
      const laid = columns.map((c, i) => {
        const cell = row[i] ?? {};
        const font = this.fonts[cell.font ?? c.font ?? 'regular'];
        const size = cell.size ?? c.size ?? 8.2;
        const lines = cell.text ? this.wrap(cell.text, font, size, c.width - 2 * pad) : [];
        const imgH = cell.image ? Math.min(cell.imageMax ?? 64, (c.width - 2 * pad) * (cell.image.height / cell.image.width)) : 0;
        return { cell, font, size, lh: size * 1.3, lines, imgH };
      });
      let height = Math.max(...laid.map((l) => l.imgH + l.lines.length * l.lh)) + 2 * pad + 2;
      if (height > maxHeight) {
        // A cell longer than a page is cut here; the HTML/JSON exports carry the full text.
        for (const l of laid) {
          const keep = Math.floor((maxHeight - 2 * pad - l.imgH) / l.lh) - 1;
          if (l.lines.length > keep) l.lines = [...l.lines.slice(0, keep), '[... truncated; full text in the HTML/JSON export]'];
        }
        height = maxHeight;
      }
      return { laid, height };
    });
    const drawHeader = (firstRowHeight: number) => {
      // Never leave a header alone at the bottom of a page.
      this.ensure(headerH + firstRowHeight);
      this.y -= headerH;
      let x = MARGIN;
      for (const c of columns) {
        this.page.drawRectangle({ x, y: this.y, width: c.width, height: headerH, color: COLOURS.headerFill, borderColor: COLOURS.rule, borderWidth: 0.6 });
        this.page.drawText(this.sanitizer.clean(c.title), { x: x + pad, y: this.y + 5, size: 8, font: this.fonts.bold, color: COLOURS.navy });
        x += c.width;
      }
    };
    drawHeader(laidRows[0]?.height ?? 0);
    for (const { laid, height } of laidRows) {
      if (this.y - height < this.bottom) { this.newPage(); drawHeader(height); }
      this.y -= height;
      let x = MARGIN;
      columns.forEach((c, i) => {
        const l = laid[i]!;
        this.page.drawRectangle({ x, y: this.y, width: c.width, height, borderColor: COLOURS.rule, borderWidth: 0.6 });
        let ty = this.y + height - pad;
        if (l.cell.image) {
          const w = l.imgH * (l.cell.image.width / l.cell.image.height);
          this.page.drawImage(l.cell.image, { x: x + pad, y: ty - l.imgH, width: w, height: l.imgH });
          ty -= l.imgH + 2;
        }
        for (const line of l.lines) {
          ty -= l.lh;
          this.page.drawText(line, { x: x + pad, y: ty + l.size * 0.3, size: l.size, font: l.font, color: l.cell.colour ?? COLOURS.ink });
        }
        x += c.width;
      });
    }
    this.y -= 8;
  }

  /** Footer on every page: who/what/when on the left, "Page i of n" on the right. */
  finish(footer: string): void {
    const pages = this.doc.getPages();
    const text = this.sanitizer.clean(footer);
    pages.forEach((p, i) => {
      p.drawLine({ start: { x: MARGIN, y: MARGIN + 8 }, end: { x: MARGIN + this.width, y: MARGIN + 8 }, thickness: 0.5, color: COLOURS.rule });
      p.drawText(this.fit(text, this.fonts.regular, 7.5, this.width - 70), { x: MARGIN, y: MARGIN - 2, size: 7.5, font: this.fonts.regular, color: COLOURS.muted });
      const label = `Page ${i + 1} of ${pages.length}`;
      p.drawText(label, { x: MARGIN + this.width - this.fonts.regular.widthOfTextAtSize(label, 7.5), y: MARGIN - 2, size: 7.5, font: this.fonts.regular, color: COLOURS.muted });
    });
  }
}
