import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DatasetError } from '../../errors';
import { parseXml } from './xml';

describe('parseXml', () => {
  it('reads elements, attributes, text, entities, comments and line numbers', () => {
    const root = parseXml(
      '\ufeff<?xml version="1.0"?>\n<!-- c -->\n<a x="1" y=\'&lt;&#65;&#x42;\'>\n  <b>t &amp; u</b>\n  <c/><![CDATA[<raw>]]>\n</a>\n',
      'f.xml',
    );
    expect(root.name).toBe('a');
    expect(root.attributes).toEqual({ x: '1', y: '<AB' });
    expect(root.line).toBe(3);
    expect(root.children.map((c) => [c.name, c.line, c.text])).toEqual([['b', 4, 't & u'], ['c', 5, '']]);
    expect(root.text).toContain('<raw>');
  });

  it.each([
    ['<a><b></a>', /f\.xml:1:7: malformed XML: <\/a> closes <b>/],
    ['<a>\n<b>', /f\.xml:2:4: .*<b> opened at line 2 is never closed/],
    ['<a x="1" x="2"/>', /attribute x appears twice/],
    ['<a x=1/>', /must be quoted/],
    ['<a>&nbsp;</a>', /unknown entity &nbsp;/],
    ['<a>AT&T</a>', /"&" must start an entity/],
    ['<a/><b/>', /content after the root element/],
    ['', /no root element/],
    ['hello', /text before the root element/],
    ['<!DOCTYPE a [<!ENTITY x "y">]><a/>', /internal subsets/],
    ['<a x="<"/>', /"<" inside the value/],
  ])('rejects %j', (src, message) => {
    expect(() => parseXml(src, 'f.xml')).toThrow(DatasetError);
    expect(() => parseXml(src, 'f.xml')).toThrow(message);
  });

  it('reports the line of the error in details', () => {
    try {
      parseXml('<a>\n\n<b></c></a>', 'seq.xml');
      expect.unreachable();
    } catch (e) {
      expect((e as DatasetError).details).toEqual({ file: 'seq.xml', line: 3 });
    }
  });

  it('never throws anything but DatasetError on random input', () => {
    const parts = ['<a>', '</a>', '<b x="1"/>', '<!--', '-->', '<?x?>', '<![CDATA[', ']]>', '&amp;', '&', '"', "'", '=', '<', '>', '/', ' ', '\n', 'text', '<!DOCTYPE a>'];
    const soup = fc.array(fc.constantFrom(...parts), { maxLength: 25 }).map((p) => p.join(''));
    fc.assert(fc.property(fc.oneof(soup, fc.string({ maxLength: 60 })), (src) => {
      try {
        parseXml(src, 'f.xml');
      } catch (e) {
        if (!(e instanceof DatasetError)) throw e;
      }
    }), { numRuns: 3000, seed: 5 });
  });
});
