import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatasetError } from '../errors';
import type { FrameAnnotation } from './format';
import { readImageSize } from './imageSize';
import { readDataset } from './reader';
import { splitSequences } from './split';
import { datasetStats, formatStats } from './stats';
import { encodePng } from './testing/png';
import { assertValidDataset, validateDataset } from './validate';
import { DatasetWriter } from './writer';

let tmp: string;
beforeEach(() => { tmp = mkdtempSync(join(tmpdir(), 'dataset-')); });
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

function frame(i: number, sequence: string): FrameAnnotation {
  return {
    id: `f${i}`, image: `images/f${i}.png`, width: 32, height: 24, sequence, frameIndex: i, labelled: true,
    persons: [
      { id: 'a', box: [1, 2, 10, 20], attributes: { gender: 1, torsoColour: 8, luggage: 0 } },
      { id: 'b', box: [12, 0, 32, 24], fullBox: [12, -5, 40, 30], attributes: { gender: 0, torsoColour: 8, luggage: 1 } },
    ],
    queries: [
      { attributes: { gender: 1, torsoColour: 8, luggage: 0 }, matches: ['a'], target: 'a', kind: 'complete' },
      { attributes: { torsoColour: 8 }, matches: ['a', 'b'], target: 'b', kind: 'partial' },
      { attributes: { torsoColour: 1 }, matches: [], kind: 'absent' },
    ],
  };
}

async function writeDataset(dir: string, n = 6): Promise<void> {
  const w = DatasetWriter.create(dir, { source: 'test', generator: { name: 't', version: '1', parameters: {} }, seed: 1 });
  const png = encodePng(32, 24);
  for (let i = 0; i < n; i++) {
    await w.addFile(`images/f${i}.png`, png);
    w.addFrame(frame(i, `s${i % 3}`));
  }
  w.finish({ train: ['s0', 's1'], val: [], test: ['s2'] });
}

/** Rewrites line `lineNo` (1-based) of annotations.jsonl through `edit`. */
function editLine(dir: string, lineNo: number, edit: (f: any) => void): void {
  const file = join(dir, 'annotations.jsonl');
  const lines = readFileSync(file, 'utf8').split('\n');
  const f = JSON.parse(lines[lineNo - 1]!);
  edit(f);
  lines[lineNo - 1] = JSON.stringify(f);
  writeFileSync(file, lines.join('\n'));
}

describe('validateDataset', () => {
  it('accepts a well-formed dataset', async () => {
    const dir = join(tmp, 'ds');
    await writeDataset(dir);
    expect(validateDataset(dir)).toMatchObject({ ok: true, problems: [], counts: { frames: 6, persons: 12, queries: 18, sequences: 3 } });
  });

  const breaks: Array<[string, (f: any) => void, RegExp]> = [
    ['a box outside the image', (f) => { f.persons[0].box = [1, 2, 40, 20]; }, /person "a" box \[1, 2, 40, 20\] is outside the 32x24 image/],
    ['an inverted box', (f) => { f.persons[0].box = [10, 2, 1, 20]; }, /inverted/],
    ['a code outside the schema', (f) => { f.persons[1].attributes.legType = 5; }, /legType code 5 is outside the schema/],
    ['a match of a missing person', (f) => { f.queries[1].matches.push('zed'); }, /matches person "zed", who is not in the frame/],
    ['a query missing a person it fits', (f) => { f.queries[1].matches = ['a']; f.queries[1].target = 'a'; }, /person "b" fits the query but is not in its matches/],
    ['a wrong stated size', (f) => { f.width = 64; }, /is 32x24, the line says 64x24/],
    ['a missing image', (f) => { f.image = 'images/nope.png'; }, /does not exist/],
    ['an incomplete complete query', (f) => { f.queries[0].attributes = { gender: 1, torsoColour: 8 }; }, /does not state the target's luggage/],
    ['a duplicate frame id', (f) => { f.id = 'f1'; }, /frame id "f1" appears twice/],
    ['a schema violation', (f) => { f.persons[0].attributes.shoeSize = 3; }, /persons\.0\.attributes/],
  ];
  it.each(breaks)('reports %s with the first bad line number', async (_, edit, message) => {
    const dir = join(tmp, 'ds');
    await writeDataset(dir);
    editLine(dir, 4, edit);
    editLine(dir, 6, edit);
    const r = validateDataset(dir);
    expect(r.ok).toBe(false);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ line: 4, message: expect.stringMatching(message) });
    expect(r.problems[0]!.message).toMatch(/annotations\.jsonl:4: /);
    expect(validateDataset(dir, { maxProblems: 10 }).problems.map((p) => p.line)).toEqual([4, 6]);
    expect(() => assertValidDataset(dir)).toThrow(DatasetError);
  });

  it('reports invalid JSON, overlapping or incomplete splits and a wrong frame count', async () => {
    const dir = join(tmp, 'ds');
    await writeDataset(dir);
    const file = join(dir, 'annotations.jsonl');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/\n.*\n/, '\n{broken\n'));
    expect(validateDataset(dir).problems[0]).toMatchObject({ line: 2, message: expect.stringMatching(/not valid JSON/) });

    await writeDataset(join(tmp, 'ds2'));
    const manifestFile = join(tmp, 'ds2', 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
    manifest.splits = { train: ['s0', 's1'], val: ['s1'], test: ['ghost'] };
    manifest.frameCount = 7;
    writeFileSync(manifestFile, JSON.stringify(manifest));
    expect(validateDataset(join(tmp, 'ds2'), { maxProblems: 10 }).problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/frameCount is 7, annotations\.jsonl has 6 lines/),
      expect.stringMatching(/sequence "s1" is in both the train and val splits/),
      expect.stringMatching(/split test lists sequence "ghost", which has no frames/),
      expect.stringMatching(/annotations\.jsonl:3: sequence "s2" is in no split/),
    ]);
  });

  it('reports a missing manifest', () => {
    expect(validateDataset(tmp).problems[0]!.message).toMatch(/manifest\.json: not found/);
  });
});

describe('datasetStats', () => {
  it('counts attribute values with shares, people per frame, box sizes and queries per split', async () => {
    const dir = join(tmp, 'ds');
    await writeDataset(dir);
    const stats = datasetStats(readDataset(dir));
    const gender = stats.overall.attributes.find((a) => a.key === 'gender')!;
    expect(gender).toMatchObject({ tag: 'Gender', labelled: 12, unknown: 0 });
    expect(gender.values).toEqual([
      { code: 0, value: 'male', count: 6, share: 0.5 }, { code: 1, value: 'female', count: 6, share: 0.5 },
    ]);
    expect(stats.overall.attributes.find((a) => a.key === 'age')).toMatchObject({ labelled: 0, unknown: 12 });
    expect(stats.overall.peoplePerFrame).toMatchObject({ min: 2, max: 2, mean: 2, histogram: { 2: 6 } });
    expect(stats.overall.boxHeight).toMatchObject({ min: 18, max: 24 });
    expect(stats.overall.queries).toMatchObject({ complete: 6, partial: 6, absent: 6, meanMatches: 1 });
    expect(stats.splits.train.frames).toBe(4);
    expect(stats.splits.test.frames).toBe(2);
    expect(stats.rareValues).toContain('Torso-Color=black');
    expect(stats.rareValues).not.toContain('Gender=male');
    expect(stats.rareValues).not.toContain('Age=under 20'); // unlabelled attributes are not rare, just absent
    expect(formatStats(stats)).toMatch(/Gender \(12 labelled, 0 unknown\): male 6 \(50\.0%\), female 6 \(50\.0%\)/);
  });
});

describe('splitSequences', () => {
  it('is deterministic, order-independent, disjoint and covering', () => {
    const ids = Array.from({ length: 50 }, (_, i) => `seq${i}`);
    const a = splitSequences(ids, 11);
    expect(splitSequences([...ids].reverse(), 11)).toEqual(a);
    expect([a.train.length, a.val.length, a.test.length]).toEqual([40, 5, 5]);
    expect(new Set([...a.train, ...a.val, ...a.test]).size).toBe(50);
    expect(splitSequences(ids, 12)).not.toEqual(a);
  });

  it('gives every requested split a sequence when there are enough', () => {
    expect(splitSequences(['a', 'b', 'c'], 1)).toSatisfy((s: { train: string[]; val: string[]; test: string[] }) =>
      s.train.length === 1 && s.val.length === 1 && s.test.length === 1);
    expect(splitSequences(['a'], 1, { train: 0, val: 0.5, test: 0.5 })).toSatisfy((s: { train: string[]; val: string[]; test: string[] }) =>
      s.train.length === 0 && s.val.length + s.test.length === 1);
    expect(() => splitSequences(['a'], 1, { train: 0, val: 0, test: 0 })).toThrow(RangeError);
  });
});

describe('readImageSize', () => {
  it('reads PNG and JPEG headers and rejects other files', () => {
    writeFileSync(join(tmp, 'a.png'), encodePng(7, 5));
    expect(readImageSize(join(tmp, 'a.png'))).toEqual({ width: 7, height: 5, format: 'png' });
    const jpeg = Buffer.from([
      0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x4a, 0x46, // SOI, APP0 (length 4)
      0xff, 0xc4, 0x00, 0x02, // DHT (empty)
      0xff, 0xc2, 0x00, 0x0b, 0x08, 0x02, 0x40, 0x02, 0xc0, 0x03, 0x01, 0x22, 0x00, // SOF2 576x704
    ]);
    writeFileSync(join(tmp, 'b.jpg'), jpeg);
    expect(readImageSize(join(tmp, 'b.jpg'))).toEqual({ width: 704, height: 576, format: 'jpeg' });
    writeFileSync(join(tmp, 'c.png'), 'not an image');
    expect(() => readImageSize(join(tmp, 'c.png'))).toThrow(/not a PNG or JPEG/);
    expect(() => readImageSize(join(tmp, 'd.png'))).toThrow(/not found/);
  });
});
