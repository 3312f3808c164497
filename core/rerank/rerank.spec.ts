/**
 * The crop-colour re-ranker's parts on frames made in memory: the descriptor reads the colours of
 * the right bands of a box, the fitted reader tells block people's torso and leg colours apart on
 * held-out boxes, re-ranking moves the candidate that shows the stated colours up without touching
 * confidences, and reranker.json round-trips while malformed files are refused by name.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Frame } from '../infer/frames';
import { Rng } from '../model/rng';
import { HSV_BAND_LENGTH, HUES } from './bandFeatures';
import { boxDescriptor, DESCRIPTOR_BINS, DESCRIPTOR_LENGTH, descriptorLength, type DescriptorVersion } from './descriptor';
import { fitCropAttributeReader, type LabelledDescriptor } from './fit';
import { parseReranker, readReranker, RERANKER_FILE, writeReranker } from './file';
import { attributeLogProbabilities, queryLogLikelihood, readerFeatures, type CropAttributeReader } from './reader';
import { BoxReader } from './boxReader';
import { rerankCandidates } from './rerank';
import { rerankSightings } from './sightings';

const root = mkdtempSync(join(tmpdir(), 'fastpr-rerank-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Schema colour codes → RGB (black, blue, red, white, green). */
const PALETTE: Record<number, [number, number, number]> = { 0: [20, 20, 20], 1: [30, 40, 220], 8: [220, 30, 30], 9: [235, 235, 235], 3: [40, 170, 60] };
const CODES = [0, 1, 8, 9, 3];

/** A 64×48 grey frame with block people: torso colour on rows [t, t+14), legs on [t+14, t+30). */
function blockFrame(people: { left: number; top: number; torso: number; leg: number }[], rng?: Rng): Frame {
  const width = 64, height = 48;
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set([120, 130, 110, 255], i * 4);
  for (const p of people) {
    for (let y = p.top; y < p.top + 30 && y < height; y++) {
      for (let x = p.left; x < p.left + 12 && x < width; x++) {
        const rgb = PALETTE[y < p.top + 14 ? p.torso : p.leg]!;
        const noise = () => (rng ? Math.round(rng.uniform(-25, 25)) : 0);
        data.set([rgb[0] + noise(), rgb[1] + noise(), rgb[2] + noise()].map((v) => Math.max(0, Math.min(255, v))).concat(255), (y * width + x) * 4);
      }
    }
  }
  return { data, width, height, channels: 4 };
}

function samples(n: number, seed: number, version: DescriptorVersion = 2): LabelledDescriptor[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => {
    const torso = CODES[rng.int(CODES.length)]!, leg = CODES[rng.int(CODES.length)]!;
    const left = rng.int(40), top = rng.int(12);
    const frame = blockFrame([{ left, top, torso, leg }], rng);
    const jitter = () => rng.uniform(-2, 2);
    return { descriptor: boxDescriptor(frame, [left + jitter(), top + jitter(), left + 12 + jitter(), top + 30 + jitter()], version), attributes: { torsoColour: torso, legColour: leg } };
  });
}

describe('boxDescriptor', () => {
  it('puts each band\'s colour in its histogram bin and mean, square-rooted (v1, and v2\'s first part)', () => {
    const frame = blockFrame([{ left: 10, top: 5, torso: 8, leg: 1 }]);
    const d = boxDescriptor(frame, [10, 5, 22, 35], 1);
    expect(d).toHaveLength(descriptorLength(1));
    expect(DESCRIPTOR_LENGTH).toBe(descriptorLength(2));
    expect(Array.from(boxDescriptor(frame, [10, 5, 22, 35], 2).subarray(0, d.length))).toEqual(Array.from(d));
    const bins = DESCRIPTOR_BINS;
    const bin = ([r, g, b]: number[]) => ((r! * bins) >> 8) * bins * bins + ((g! * bins) >> 8) * bins + ((b! * bins) >> 8);
    const band = (i: number) => d.subarray(i * (bins ** 3 + 3), (i + 1) * (bins ** 3 + 3));
    // Torso band (20–50 % of the 30-px height: rows 11–19) is 8 rows of red top and 1 of blue legs;
    // legs band (55–88 %: rows 21–30) only blue.
    expect(band(1)[bin(PALETTE[8]!)]).toBeCloseTo(Math.sqrt(8 / 9), 6);
    expect(band(1)[bin(PALETTE[1]!)]).toBeCloseTo(Math.sqrt(1 / 9), 6);
    expect(band(2)[bin(PALETTE[1]!)]).toBeCloseTo(1, 6);
    expect(band(2)[bins ** 3 + 2]).toBeCloseTo(Math.sqrt(220 / 255), 5);
    // A box reaching outside the frame reads what is inside; a box wholly outside reads zeros.
    for (const version of [1, 2] as const) {
      expect(Array.from(boxDescriptor(frame, [-30, -10, 100, 90], version)).every(Number.isFinite)).toBe(true);
      expect(Array.from(boxDescriptor(frame, [200, 200, 220, 240], version)).every((v) => v === 0)).toBe(true);
    }
  });

  it('v2 adds an HSV histogram per band (hues by saturation and value, greys by level)', () => {
    const frame = blockFrame([{ left: 10, top: 5, torso: 8, leg: 1 }]);
    // White stripes on rows 12, 15 and 18 of the red top.
    for (const y of [12, 15, 18]) for (let x = 10; x < 22; x++) frame.data.set([235, 235, 235], (y * frame.width + x) * 4);
    const d = boxDescriptor(frame, [10, 5, 22, 35], 2);
    // A person twice the size in a frame twice the size reads the same (distributions only).
    const big: Frame = { width: 128, height: 96, channels: 4, data: new Uint8Array(128 * 96 * 4) };
    for (let y = 0; y < 96; y++) for (let x = 0; x < 128; x++) big.data.set(frame.data.subarray(((y >> 1) * 64 + (x >> 1)) * 4, ((y >> 1) * 64 + (x >> 1)) * 4 + 4), (y * 128 + x) * 4);
    const twice = boxDescriptor(big, [20, 10, 44, 70], 2);
    Array.from(d).forEach((v, i) => expect(twice[i]).toBeCloseTo(v, 1));
    const hsv = d.subarray(descriptorLength(1));
    expect(hsv).toHaveLength(4 * HSV_BAND_LENGTH);
    const hsvBand = (i: number) => hsv.subarray(i * HSV_BAND_LENGTH, (i + 1) * HSV_BAND_LENGTH);
    // Red (220, 30, 30): hue 0, saturation 0.86, value 0.86 → bin 0·4 + 2 + 1; blue (30, 40, 220): hue 0.66 → 7·4 + 3; white stripes: the brightest grey.
    // Torso band rows 11–19: red 5 rows, white stripes 3 (rows 12, 15, 18), blue legs 1.
    expect(hsvBand(1)[3]).toBeCloseTo(Math.sqrt(5 / 9), 6);
    expect(hsvBand(1)[HUES * 4 + 3]).toBeCloseTo(Math.sqrt(3 / 9), 6);
    expect(hsvBand(1)[7 * 4 + 3]).toBeCloseTo(Math.sqrt(1 / 9), 6);
    expect(hsvBand(2)[7 * 4 + 3]).toBeCloseTo(1, 6);
  });
});

describe('crop attribute reader and re-ranking', () => {
  const training = samples(600, 1);
  let reader: CropAttributeReader, linear: CropAttributeReader;
  beforeAll(async () => {
    reader = await fitCropAttributeReader(training, { steps: 300, batchSize: 64, hidden: 32, seed: 3 });
    linear = await fitCropAttributeReader(training, { steps: 300, batchSize: 64, hidden: 0, seed: 3 });
  });

  it('stops fitting between steps when cancelled (each step yields, so a timer or SIGINT gets through)', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    // A million steps would outlast the test's timeout: only the cancel ends it.
    await expect(fitCropAttributeReader(training, { steps: 1_000_000, batchSize: 8, hidden: 8, signal: controller.signal })).rejects.toThrow('Fitting the re-ranker was cancelled');
  });

  it('reads torso and leg colours of held-out block people, with a hidden layer or linearly', () => {
    expect(reader.hidden?.width).toBe(32);
    expect(linear.hidden).toBeUndefined();
    const heldOut = samples(200, 2);
    for (const r of [reader, linear] as CropAttributeReader[]) {
      expect(r.classifiers.map((c) => c.key).sort()).toEqual(['legColour', 'torsoColour']);
      for (const key of ['torsoColour', 'legColour'] as const) {
        const c = r.classifiers.find((x) => x.key === key)!;
        const correct = heldOut.filter((s) => {
          const lp = attributeLogProbabilities(c, readerFeatures(r, s.descriptor));
          return lp.indexOf(Math.max(...lp)) === s.attributes[key];
        }).length;
        expect(correct / heldOut.length).toBeGreaterThan(0.95);
      }
    }
  });

  it('moves the candidate showing the stated colours up, keeping confidences and the order beyond the pool', async () => {
    const frame = blockFrame([{ left: 2, top: 4, torso: 8, leg: 1 }, { left: 34, top: 6, torso: 9, leg: 0 }]);
    const red = { box: [2, 4, 14, 34], confidence: 0.3, tag: 'red' };
    const white = { box: [34, 6, 46, 36], confidence: 0.6, tag: 'white' };
    const third = { box: [20, 20, 30, 40], confidence: 0.1, tag: 'beyond' };
    const query = { torsoColour: 8, legColour: 1 };
    expect(queryLogLikelihood(reader, boxDescriptor(frame, red.box), query))
      .toBeGreaterThan(queryLogLikelihood(reader, boxDescriptor(frame, white.box), query));
    // Features of the wrong width (the hidden layer skipped, or another descriptor version) are refused, not read past their end.
    expect(() => queryLogLikelihood({ descriptorVersion: 2, classifiers: reader.classifiers }, boxDescriptor(frame, red.box), query)).toThrow(/reads 32 features, got 476/);
    expect(() => queryLogLikelihood(reader, boxDescriptor(frame, red.box, 1), query)).toThrow(/reads 476 descriptor values, got 268/);
    const boxReader = await BoxReader.open({ reader });
    expect(boxReader.readsCrops).toBe(false);
    const ranked = await rerankCandidates([white, red, third], frame, query, { alpha: 1, pool: 2 }, boxReader);
    expect(ranked.map((c) => c.tag)).toEqual(['red', 'white', 'beyond']);
    expect(ranked.map((c) => c.confidence)).toEqual([0.3, 0.6, 0.1]);
    // α = 0 is the paper's ranking; a query stating nothing the reader reads changes nothing either.
    expect((await rerankCandidates([white, red], frame, query, { alpha: 0, pool: 2 }, boxReader)).map((c) => c.tag)).toEqual(['white', 'red']);
    expect((await rerankCandidates([white, red], frame, { gender: 1 }, { alpha: 5, pool: 2 }, boxReader)).map((c) => c.tag)).toEqual(['white', 'red']);
    await boxReader.dispose();
  });

  it('re-ranks the top sightings by their peak boxes, decoding each peak frame once, and keeps the rest in order', async () => {
    const frame = blockFrame([{ left: 2, top: 4, torso: 8, leg: 1 }, { left: 34, top: 6, torso: 9, leg: 0 }]);
    const white = { id: 'white', support: 0.6, peakS: 1, peakBox: [34, 6, 46, 36] };
    const red = { id: 'red', support: 0.3, peakS: 2, peakBox: [2, 4, 14, 34] };
    const beyond = { id: 'beyond', support: 0.2, peakS: 3, peakBox: [2, 4, 14, 34] };
    const decoded: number[] = [];
    const peakFrame = async (s: { peakS: number }) => { decoded.push(s.peakS); return frame; };
    const boxReader = await BoxReader.open({ reader });
    const ranked = await rerankSightings([white, red, beyond], peakFrame, { torsoColour: 8, legColour: 1 }, { alpha: 1 }, boxReader, 2);
    expect(ranked.map((s) => s.id)).toEqual(['red', 'white', 'beyond']);
    expect(decoded).toEqual([1, 2]);
    expect(ranked[0]!.matchLogLikelihood).toBeGreaterThan(ranked[1]!.matchLogLikelihood!);
    expect(ranked[2]!.matchLogLikelihood).toBeUndefined();
    expect((await rerankSightings([white, red], peakFrame, { torsoColour: 8, legColour: 1 }, { alpha: 0 }, boxReader)).map((s) => s.id)).toEqual(['white', 'red']);
    await boxReader.dispose();
  });

  it('round-trips reranker.json and refuses malformed files, naming them', async () => {
    const dir = join(root, 'model');
    mkdirSync(dir);
    const file = writeReranker(dir, { reader, alpha: 1.5, pool: 20, provenance: { test: true } });
    const back = readReranker(dir)!;
    expect(back).toMatchObject({ alpha: 1.5, pool: 20, provenance: { test: true } });
    expect(back.sha256).toMatch(/^[0-9a-f]{64}$/);
    const probe = samples(5, 9);
    for (const s of probe) {
      for (const c of reader.classifiers) {
        const again = back.reader.classifiers.find((x) => x.key === c.key)!;
        const a = attributeLogProbabilities(c, readerFeatures(reader, s.descriptor)), b = attributeLogProbabilities(again, readerFeatures(back.reader, s.descriptor));
        a.forEach((v, i) => expect(b[i]).toBeCloseTo(v, 3));
      }
    }
    expect(readReranker(join(root, 'none'))).toBeUndefined();
    // A linear reader's file (as version 1 wrote it) still reads.
    const v1 = join(root, 'v1');
    mkdirSync(v1);
    const linearFile = JSON.parse(readFileSync(writeReranker(v1, { reader: linear, alpha: 1, pool: 20, provenance: {} }), 'utf8'));
    writeFileSync(join(v1, RERANKER_FILE), JSON.stringify({ ...linearFile, version: 1 }));
    expect(readReranker(v1)!.reader.hidden).toBeUndefined();
    // A reader fitted on v1 descriptors (the first shipped reranker.json) reads v1 descriptors of the boxes it ranks.
    const v1Reader = await fitCropAttributeReader(samples(600, 1, 1), { steps: 300, batchSize: 64, hidden: 32, seed: 3, descriptorVersion: 1 });
    const oldDir = join(root, 'descriptor-v1');
    mkdirSync(oldDir);
    expect(JSON.parse(readFileSync(writeReranker(oldDir, { reader: v1Reader, alpha: 1, pool: 20, provenance: {} }), 'utf8')).descriptor).toEqual({ version: 1, length: 268 });
    const old = readReranker(oldDir)!;
    expect(old.reader.descriptorVersion).toBe(1);
    const frame = blockFrame([{ left: 2, top: 4, torso: 8, leg: 1 }, { left: 34, top: 6, torso: 9, leg: 0 }]);
    const white = { box: [34, 6, 46, 36], confidence: 0.6, tag: 'white' }, red = { box: [2, 4, 14, 34], confidence: 0.3, tag: 'red' };
    const oldReader = await BoxReader.open(old);
    expect((await rerankCandidates([white, red], frame, { torsoColour: 8, legColour: 1 }, { ...old, alpha: 1 }, oldReader)).map((c) => c.tag)).toEqual(['red', 'white']);
    await oldReader.dispose();
    await expect(fitCropAttributeReader(samples(10, 1, 1), { steps: 1 })).rejects.toThrow(/268 values; descriptor v2 has 476/);
    const good = JSON.parse(readFileSync(file, 'utf8'));
    const cases: [unknown, RegExp][] = [
      ['{ not json', /not valid JSON/],
      [{ ...good, format: 'other' }, /not a fastpr-crop-reranker file/],
      [{ ...good, version: 5 }, /version 5 is not supported \(expected 1 to 4\)/],
      [{ ...good, version: 1 }, /"hidden" needs version 2/],
      [{ ...good, hidden: { ...good.hidden, width: 0 } }, /"hidden.width"/],
      [{ ...good, hidden: { ...good.hidden, bias: [1] } }, /"hidden.bias" must be 32 finite numbers/],
      [{ ...good, hidden: { ...good.hidden, weights: good.hidden.weights.slice(1) } }, /"hidden.weights" must be 15232 finite numbers/],
      [{ ...good, descriptor: { version: 1, length: 10 } }, /descriptor v1 of length 10; this build reads v1 of length 268, v2 of length 476/],
      [{ ...good, descriptor: { version: 3, length: 476 } }, /descriptor v3 of length 476/],
      // v2 weights under a v1 header: the hidden layer's size gives it away.
      [{ ...good, descriptor: { version: 1, length: 268 } }, /"hidden.weights" must be 8576 finite numbers/],
      [{ ...good, alpha: -1 }, /"alpha"/],
      [{ ...good, classifiers: [{ ...good.classifiers[0], key: 'shoeSize' }] }, /unknown attribute "shoeSize"/],
      [{ ...good, classifiers: [{ ...good.classifiers[0], weights: [1, 2, 3] }] }, /3 weights, expected 396/],
      [{ ...good, classifiers: [good.classifiers[0], good.classifiers[0]] }, /appears twice/],
      [{ ...good, classifiers: [{ ...good.classifiers[0], classes: 3 }] }, /3 classes, the attribute schema has 12/],
    ];
    for (const [content, why] of cases) {
      const bad = join(root, 'bad', RERANKER_FILE);
      rmSync(join(root, 'bad'), { recursive: true, force: true });
      mkdirSync(join(root, 'bad'));
      writeReranker(join(root, 'bad'), { reader, alpha: 1, pool: 1, provenance: {} });
      writeFileSync(bad, typeof content === 'string' ? content : JSON.stringify(content));
      expect(() => readReranker(join(root, 'bad'))).toThrow(why);
      expect(() => parseReranker(readFileSync(bad), bad)).toThrow(bad);
    }
  });
});
