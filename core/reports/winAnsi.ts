/**
 * pdf-lib's standard fonts can only encode WinAnsi (Latin-1 plus a few symbols); any other
 * character makes drawText throw. Text is cleaned instead: accents dropped where that gives an
 * encodable letter (ő -> o), everything else replaced by '?', and the replacements are counted
 * so the report can say so. The HTML and JSON exports keep the exact text.
 */
export const REPLACEMENT = '?';

/** Letters and signs that Unicode decomposition does not reduce to an encodable form. */
const TRANSLITERATIONS: Record<string, string> = {
  'Ł': 'L', 'ł': 'l', 'Đ': 'D', 'đ': 'd', 'Ħ': 'H', 'ħ': 'h', 'ı': 'i', 'ŀ': 'l', 'Ŀ': 'L', 'ŉ': "'n",
  '≤': '<=', '≥': '>=', '≠': '!=', '→': '->', '←': '<-', '−': '-', '‐': '-', '‑': '-', '√': 'v', '✓': 'v', '✔': 'v',
};

export class WinAnsiSanitizer {
  private readonly ok: Set<number>;
  /** Characters changed since the last reset. */
  changed = 0;

  constructor(characterSet: readonly number[]) {
    this.ok = new Set(characterSet);
  }

  clean(text: string): string {
    let out = '';
    for (const ch of text) {
      const cp = ch.codePointAt(0)!;
      if (this.ok.has(cp)) { out += ch; continue; }
      if (ch === '\t' || ch === '\u00a0') { out += ' '; continue; }
      this.changed++;
      const known = TRANSLITERATIONS[ch];
      if (known) { out += known; continue; }
      const base = ch.normalize('NFKD').replace(/\p{M}/gu, '');
      out += base.length > 0 && [...base].every((c) => this.ok.has(c.codePointAt(0)!)) ? base : REPLACEMENT;
    }
    return out;
  }

  /** Counts the characters `clean` would change in every string inside value, without drawing. */
  count(value: unknown): number {
    const before = this.changed;
    const walk = (v: unknown): void => {
      if (typeof v === 'string') { for (const line of v.split(/\r?\n/)) this.clean(line); return; }
      if (v instanceof Uint8Array || v === null || typeof v !== 'object') return;
      for (const x of Array.isArray(v) ? v : Object.values(v)) walk(x);
    };
    walk(value);
    const n = this.changed - before;
    this.changed = before;
    return n;
  }
}
