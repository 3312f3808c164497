import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatasetError } from '../../errors';
import { readDataset } from '../reader';
import { validateDataset } from '../validate';
import { sequenceXml, writeSoftBioFixture, type FixtureSequence } from '../testing/softbioFixture';
import { assignSplits, importSoftBio } from './importer';

let tmp: string;
beforeEach(() => { tmp = mkdtempSync(join(tmpdir(), 'softbio-')); });
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

const subject = (dir: string, extra: Partial<FixtureSequence> = {}): FixtureSequence => ({
  dir,
  attributes: { Age: 1, Gender: 1, 'Torso-Color': 8, 'Leg-Type': 1, Luggage: 0, Hair: -1 },
  frames: [{ gt: false }, { gt: true }, { gt: true, keypoints: [10, 2, -1, -1, 30, 63, 5, 9, 35, 9, -1, -1, -1, -1, 8, 30, 33, 31] }],
  ...extra,
});

describe('importSoftBio', () => {
  it('imports the documented layout into a valid dataset', async () => {
    const src = join(tmp, 'src');
    writeSoftBioFixture(src, [subject('testing_subject_001'), subject('testing_subject_002', { attributes: { 'Shoe-Color': 11 } })]);
    const out = join(tmp, 'out');
    const result = await importSoftBio([src], { out });
    expect(result).toMatchObject({ frames: 6, labelledFrames: 4, warnings: [] });
    expect(validateDataset(out)).toMatchObject({ ok: true, counts: { frames: 6, labelledFrames: 4, persons: 4, queries: 4, sequences: 2 } });

    const ds = readDataset(out);
    expect(ds.manifest.splits).toEqual({ train: [], val: [], test: ['testing_subject_001', 'testing_subject_002'] });
    const [unlabelled, first, second] = ds.frames;
    expect(unlabelled).toMatchObject({ labelled: false, persons: [], queries: [], frameIndex: 0, width: 40, height: 64 });
    expect(first!.image).toBe('images/testing_subject_001/testing_subject_001_im_0001.png');
    // Box = min/max over the keypoints, right/bottom exclusive (+1), attributes with unknowns omitted.
    expect(first!.persons[0]).toMatchObject({
      id: 'testing_subject_001', box: [12, 5, 29, 62],
      attributes: { age: 1, gender: 1, torsoColour: 8, legType: 1, luggage: 0 },
      extra: { evaluatorBox: [12, 5, 28, 61], camera: 'C1' },
    });
    // Missing (-1) keypoints are left out; a box at the image edge is clamped to it.
    expect(second!.persons[0]!.box).toEqual([5, 2, 36, 64]);
    expect(first!.queries).toEqual([{
      attributes: first!.persons[0]!.attributes, text: 'a woman aged 15-35, wearing a red top, dress, carrying luggage',
      matches: ['testing_subject_001'], target: 'testing_subject_001', kind: 'complete',
    }]);
    expect(ds.frames[4]!.persons[0]!.attributes).toEqual({ shoeColour: 11 });
  });

  it('splits training_/testing_ folders by name and others by seeded hash, deterministically', () => {
    const named = assignSplits(['training_a', 'testing_b', 'training_c'], 1, 0);
    expect(named).toEqual({ train: ['training_a', 'training_c'], val: [], test: ['testing_b'] });
    const dirs = Array.from({ length: 20 }, (_, i) => `C${i % 6}-red-blue-${i}`);
    const a = assignSplits(dirs, 3, 0);
    expect(assignSplits([...dirs].reverse(), 3, 0)).toEqual(a);
    expect(a.train.length + a.val.length + a.test.length).toBe(20);
    expect(a.val.length).toBeGreaterThan(0);
    const withVal = assignSplits(Array.from({ length: 10 }, (_, i) => `training_${i}`), 3, 0.2);
    expect(withVal.val).toHaveLength(2);
  });

  it('accepts value="" attribute codes and imports gt frames without keypoints as unlabelled, with warnings', async () => {
    const src = join(tmp, 'src');
    writeSoftBioFixture(src, [subject('testing_s0', { frames: [{ gt: true, keypoints: new Array(18).fill(-1) }, { gt: true }] })]);
    const xml = join(src, 'testing_s0', 'testing_s0.xml');
    writeFileSync(xml, readFileSync(xml, 'utf8').replace('<Build>-1</Build>', '<Build value="3"/>').replace('total-frames="2"', 'total-frames="5"'));
    const out = join(tmp, 'out');
    const r = await importSoftBio([src], { out });
    expect(r.labelledFrames).toBe(1);
    expect(r.warnings).toEqual([
      expect.stringMatching(/testing_s0\.xml:19: gt="true" frame 0 has no keypoints/),
      expect.stringMatching(/total-frames="5" but 2 <fhs> elements/),
    ]);
    const ds = readDataset(out);
    expect(ds.frames[0]).toMatchObject({ labelled: false, persons: [] });
    expect(ds.frames[1]!.persons[0]!.attributes.build).toBe(3);
    expect(validateDataset(out).ok).toBe(true);
  });

  it('imports a folder of sequence folders without an index', async () => {
    const src = join(tmp, 'train');
    writeSoftBioFixture(src, [subject('C1-red-black'), subject('C2-blue-grey')]);
    rmSync(join(src, 'QUTSoftBioSearch.xml'));
    const out = join(tmp, 'out');
    const r = await importSoftBio([src], { out, seed: 5 });
    expect(r.frames).toBe(6);
    expect(validateDataset(out).ok).toBe(true);
  });

  const failing: Array<[string, (src: string) => void, RegExp]> = [
    ['malformed XML', (src) => writeFileSync(join(src, 'testing_s1', 'testing_s1.xml'), sequenceXml(subject('testing_s1')).replace('</Age>', '</Agee>')),
      /testing_s1\.xml:3:.*malformed XML/],
    ['an out-of-range code', (src) => writeFileSync(join(src, 'testing_s1', 'testing_s1.xml'), sequenceXml(subject('testing_s1', { attributes: { 'Leg-Type': 7 } }))),
      /testing_s1\.xml:15: <Leg-Type> code 7 is out of range/],
    ['a missing frame', (src) => rmSync(join(src, 'testing_s1', 'testing_s1_im_0002.png')),
      /testing_s1\.xml:21: frame 2 "testing_s1_im_0002.png" is missing/],
    ['a bad gt flag', (src) => writeFileSync(join(src, 'testing_s1', 'testing_s1.xml'), sequenceXml(subject('testing_s1')).replace('gt="true"', 'gt="yes"')),
      /testing_s1\.xml:20: gt="yes"/],
    ['a non-numeric code', (src) => writeFileSync(join(src, 'testing_s1', 'testing_s1.xml'), sequenceXml(subject('testing_s1', { attributes: { Gender: 'female' } }))),
      /testing_s1\.xml:4: <Gender> value "female" is not an integer code/],
  ];
  it.each(failing)('fails on %s with file and line, writing nothing', async (_, breakIt, message) => {
    const src = join(tmp, 'src');
    writeSoftBioFixture(src, [subject('testing_s0'), subject('testing_s1')]);
    breakIt(src);
    const out = join(tmp, 'out');
    const run = importSoftBio([src], { out });
    await expect(run).rejects.toThrow(DatasetError);
    await expect(importSoftBio([src], { out })).rejects.toThrow(message);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(tmp)).toEqual(['src']); // no partial folder left behind
  });

  it('refuses to overwrite an existing output unless asked', async () => {
    const src = join(tmp, 'src');
    writeSoftBioFixture(src, [subject('testing_s0')]);
    const out = join(tmp, 'out');
    await importSoftBio([src], { out });
    await expect(importSoftBio([src], { out })).rejects.toThrow(/already exists/);
    await expect(importSoftBio([src], { out, overwrite: true })).resolves.toMatchObject({ frames: 3 });
  });
});
