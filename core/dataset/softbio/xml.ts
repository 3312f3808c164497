/**
 * A small, strict XML parser for the SoftBioSearch files (no XML package is installed, and the files
 * use only elements, attributes, text, comments and the predefined entities). Every error is a
 * DatasetError "file:line:column: problem". Not supported (rejected, never guessed): DTD internal
 * subsets and custom entities.
 */
import { DatasetError } from '../../errors';

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Concatenated text content directly inside the element (entities decoded, not trimmed). */
  text: string;
  /** 1-based position of the element's "<". */
  line: number;
  column: number;
}

const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export function parseXml(source: string, file: string): XmlElement {
  const src = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  const lineStarts = [0];
  for (let i = 0; i < src.length; i++) if (src.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const where = (pos: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= pos) lo = mid; else hi = mid - 1;
    }
    return { line: lo + 1, column: pos - lineStarts[lo]! + 1 };
  };
  const fail = (pos: number, message: string): never => {
    const { line, column } = where(pos);
    throw new DatasetError(`${file}:${line}:${column}: malformed XML: ${message}`, { file, line });
  };
  let pos = 0;

  const skipSpace = () => { while (pos < src.length && /\s/.test(src[pos]!)) pos++; };
  const expect = (s: string) => {
    if (!src.startsWith(s, pos)) fail(pos, `expected "${s}"`);
    pos += s.length;
  };
  const readName = (): string => {
    NAME.lastIndex = pos;
    const m = NAME.exec(src);
    if (!m) return fail(pos, 'expected a name');
    pos += m[0].length;
    return m[0];
  };
  const decode = (raw: string, start: number): string =>
    raw.replace(/&([^;\s&<]*);?/g, (whole, name: string, offset: number) => {
      if (!whole.endsWith(';')) fail(start + offset, `"&" must start an entity like &amp;`);
      if (name.startsWith('#x')) {
        const cp = parseInt(name.slice(2), 16);
        if (!/^#x[0-9a-fA-F]+$/.test(name) || cp > 0x10ffff) fail(start + offset, `bad character reference &${name};`);
        return String.fromCodePoint(cp);
      }
      if (name.startsWith('#')) {
        const cp = Number(name.slice(1));
        if (!/^#\d+$/.test(name) || cp > 0x10ffff) fail(start + offset, `bad character reference &${name};`);
        return String.fromCodePoint(cp);
      }
      const value = ENTITIES[name];
      if (value === undefined) fail(start + offset, `unknown entity &${name};`);
      return value!;
    });
  /** Skips comments, processing instructions and (outside the root) a DOCTYPE; true when it skipped one. */
  const skipMisc = (allowDoctype: boolean): boolean => {
    if (src.startsWith('<!--', pos)) {
      const end = src.indexOf('-->', pos + 4);
      if (end < 0) fail(pos, 'unterminated comment');
      pos = end + 3;
      return true;
    }
    if (src.startsWith('<?', pos)) {
      const end = src.indexOf('?>', pos + 2);
      if (end < 0) fail(pos, 'unterminated processing instruction');
      pos = end + 2;
      return true;
    }
    if (allowDoctype && src.startsWith('<!DOCTYPE', pos)) {
      const end = src.indexOf('>', pos);
      if (end < 0) fail(pos, 'unterminated DOCTYPE');
      if (src.slice(pos, end).includes('[')) fail(pos, 'DOCTYPE internal subsets are not supported');
      pos = end + 1;
      return true;
    }
    return false;
  };

  const readStartTag = (): { el: XmlElement; selfClosing: boolean } => {
    const start = pos;
    expect('<');
    const name = readName();
    const attributes: Record<string, string> = {};
    for (;;) {
      const before = pos;
      skipSpace();
      if (src.startsWith('/>', pos)) { pos += 2; return { el: mk(name, attributes, start), selfClosing: true }; }
      if (src[pos] === '>') { pos++; return { el: mk(name, attributes, start), selfClosing: false }; }
      if (pos >= src.length) fail(start, `unterminated start tag <${name}`);
      if (pos === before) fail(pos, `expected whitespace before attribute in <${name}>`);
      const attrPos = pos;
      const attr = readName();
      skipSpace();
      expect('=');
      skipSpace();
      const quote = src[pos];
      if (quote !== '"' && quote !== "'") fail(pos, `attribute ${attr} value must be quoted`);
      const end = src.indexOf(quote!, pos + 1);
      if (end < 0) fail(pos, `unterminated value of attribute ${attr}`);
      const raw = src.slice(pos + 1, end);
      if (raw.includes('<')) fail(pos, `"<" inside the value of attribute ${attr}`);
      if (Object.prototype.hasOwnProperty.call(attributes, attr)) fail(attrPos, `attribute ${attr} appears twice in <${name}>`);
      attributes[attr] = decode(raw, pos + 1);
      pos = end + 1;
    }
  };
  const mk = (name: string, attributes: Record<string, string>, at: number): XmlElement => {
    const { line, column } = where(at);
    return { name, attributes, children: [], text: '', line, column };
  };

  // Prolog
  for (;;) {
    skipSpace();
    if (!skipMisc(true)) break;
  }
  if (src[pos] !== '<') fail(pos, pos >= src.length ? 'no root element' : 'text before the root element');
  const { el: root, selfClosing } = readStartTag();
  const stack: XmlElement[] = selfClosing ? [] : [root];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (pos >= src.length) fail(pos, `<${top.name}> opened at line ${top.line} is never closed`);
    if (src.startsWith('</', pos)) {
      const at = pos;
      pos += 2;
      const name = readName();
      skipSpace();
      expect('>');
      if (name !== top.name) fail(at, `</${name}> closes <${top.name}> opened at line ${top.line}`);
      stack.pop();
    } else if (src.startsWith('<![CDATA[', pos)) {
      const end = src.indexOf(']]>', pos);
      if (end < 0) fail(pos, 'unterminated CDATA section');
      top.text += src.slice(pos + 9, end);
      pos = end + 3;
    } else if (src.startsWith('<!--', pos) || src.startsWith('<?', pos)) {
      skipMisc(false);
    } else if (src[pos] === '<') {
      const { el, selfClosing: closed } = readStartTag();
      top.children.push(el);
      if (!closed) stack.push(el);
    } else {
      const end = src.indexOf('<', pos);
      const stop = end < 0 ? src.length : end;
      top.text += decode(src.slice(pos, stop), pos);
      pos = stop;
    }
  }
  for (;;) {
    skipSpace();
    if (pos >= src.length) break;
    if (!skipMisc(false)) fail(pos, 'content after the root element');
  }
  return root;
}
