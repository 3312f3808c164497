import { describe, expect, it } from 'vitest';
import { globalToken } from '../attributes/schema';
import { tinyConfig } from '../model/config';
import { encodeBox } from '../model/boxes';
import { NORM_MEAN, NORM_STD } from '../model/preprocess';
import { regionMap } from '../model/regions';
import { Rng } from '../model/rng';
import { applyColourJitter, drawAugment } from './augment';
import { assembleBatch, personSampling, prepareSample } from './batch';
import { parseTrainConfig, phaseOf } from './config';
import { buildSamples } from './samples';
import { toyDataset } from './testing/toyData';

describe('samples', () => {
  it('one sample per labelled frame × non-empty query; absent queries have no target', () => {
    const { frames } = toyDataset(20, 80, 64, 4);
    frames[0]!.labelled = false;
    frames[1]!.queries.push({ attributes: {}, matches: [], kind: 'partial' });
    const samples = buildSamples(frames);
    const expected = frames.slice(1).reduce((n, f) => n + f.queries.filter((q) => Object.keys(q.attributes).length > 0).length, 0);
    expect(samples.length).toBe(expected);
    const absent = samples.find((s) => s.target === undefined)!;
    expect(absent.matches).toEqual([]);
    const s = samples[0]!;
    const q = frames[s.frame]!.queries[s.query]!;
    expect(s.tokens[6]).toBe(globalToken(6, q.attributes.torsoColour!));
    expect(s.known.filter((k) => k === 1).length).toBe(2);
  });
});

describe('augmentation', () => {
  const aug = parseTrainConfig({}).augment;
  it('crops always contain the whole target', () => {
    const rng = new Rng(1);
    for (let i = 0; i < 500; i++) {
      const l = rng.uniform(0, 600);
      const t = rng.uniform(0, 400);
      const target: [number, number, number, number] = [l, t, Math.min(704, l + rng.uniform(5, 300)), Math.min(576, t + rng.uniform(5, 400))];
      const p = drawAugment(rng, { ...aug, minScale: 0.5 }, 704, 576, target);
      expect(p.crop[0]).toBeLessThanOrEqual(target[0] + 1e-9);
      expect(p.crop[1]).toBeLessThanOrEqual(target[1] + 1e-9);
      expect(p.crop[2]).toBeGreaterThanOrEqual(target[2] - 1e-9);
      expect(p.crop[3]).toBeGreaterThanOrEqual(target[3] - 1e-9);
      expect(p.crop[0]).toBeGreaterThanOrEqual(-1e-9);
      expect(p.crop[2]).toBeLessThanOrEqual(704 + 1e-9);
    }
  });

  it('colour jitter changes brightness/contrast only: a grey pixel stays grey', () => {
    const grey = 0.4;
    const data = new Float32Array([0, 1, 2].map((c) => (grey - NORM_MEAN[c]!) / NORM_STD[c]!));
    applyColourJitter(data, { flip: false, crop: [0, 0, 1, 1], brightness: 0.05, contrast: 1.1 });
    const px = [0, 1, 2].map((c) => data[c]! * NORM_STD[c]! + NORM_MEAN[c]!);
    expect(px[0]).toBeCloseTo((grey - 0.5) * 1.1 + 0.55, 5);
    expect(px[1]).toBeCloseTo(px[0]!, 5);
    expect(px[2]).toBeCloseTo(px[0]!, 5);
  });
});

describe('batch targets', () => {
  it('confidence 1 in the target cell, box on it, offset label from the swap, nothing for absent targets', () => {
    const model = tinyConfig();
    const train = parseTrainConfig({});
    const { frames, images } = toyDataset(10, 80, 64, 2);
    const samples = buildSamples(frames);
    const present = samples.find((s) => s.target && s.matches.length === 1)!;
    const absent = samples.find((s) => !s.target)!;
    const parts = [present, absent].map((s) => prepareSample(s, images[s.frame]!, model, train, undefined));
    const a = assembleBatch(parts, model, new Rng(5));
    const cells = 16;
    const e = encodeBox(parts[0]!.target!, 64, 64, 4);
    expect(Array.from(a.confTarget.subarray(0, cells)).map((v, i) => (v ? i : -1)).filter((i) => i >= 0)).toEqual([e.cell]);
    expect(Array.from(a.boxTarget.subarray(e.cell * 4, e.cell * 4 + 4))).toEqual([e.x, e.y, e.w, e.h].map(Math.fround));
    expect(Array.from(a.present)).toEqual([1, 0]);
    // The permutation swaps the target cell with a cell of another region; the label is |q − p| − 1.
    const P = a.permutation.subarray(0, cells * cells);
    const partner = Array.from({ length: cells }, (_, j) => j).find((j) => P[e.cell * cells + j] === 1)!;
    const regions = regionMap(4);
    expect(regions[partner]).not.toBe(regions[e.cell]);
    expect(a.offsetLabel[0]).toBe(Math.abs(regions[partner]! - regions[e.cell]!) - 1);
    expect(Array.from(a.confTarget.subarray(cells, 2 * cells)).every((v) => v === 0)).toBe(true);
    const identity = a.permutation.subarray(cells * cells);
    for (let i = 0; i < cells; i++) expect(identity[i * cells + i]).toBe(1);
  });

  it("boxTargets 'all': every labelled person's centre cell gets a box target; the matches keep theirs", () => {
    const model = tinyConfig();
    const train = parseTrainConfig({});
    const { frames, images } = toyDataset(10, 80, 64, 3);
    const sample = buildSamples(frames).find((s) => s.target && s.persons.length >= 2)!;
    const part = prepareSample(sample, images[sample.frame]!, model, train, undefined);
    const paper = assembleBatch([part], model, new Rng(5));
    const dense = assembleBatch([part], model, new Rng(5), { boxTargets: 'all' });
    const personCells = new Set(part.persons.map((p) => encodeBox(p.box, 64, 64, 4).cell));
    const lit = (obj: Float32Array) => new Set(Array.from(obj).flatMap((v, i) => (v ? [i] : [])));
    expect(lit(dense.obj)).toEqual(new Set([...personCells, ...lit(paper.obj)]));
    expect(lit(paper.obj).size).toBeLessThan(lit(dense.obj).size);
    const t = encodeBox(part.target!, 64, 64, 4);
    expect(Array.from(dense.boxTarget.subarray(t.cell * 4, t.cell * 4 + 4))).toEqual([t.x, t.y, t.w, t.h].map(Math.fround));
    expect(Array.from(dense.confTarget)).toEqual(Array.from(paper.confTarget)); // confidences unchanged
  });

  it('person-attribute proxy: bilinear weights summing to 1 per point inside each box, largest person first', () => {
    const model = tinyConfig({ proxies: { personAttributes: true }, personAttributes: { fromStage: 2, grid: [4, 2], maxPersons: 3 } });
    const train = parseTrainConfig({});
    const { frames, images } = toyDataset(10, 80, 64, 3);
    const sample = buildSamples(frames).find((s) => s.persons.length >= 2)!;
    const part = prepareSample(sample, images[sample.frame]!, model, train, undefined);
    const roi = personSampling([part], model);
    const side = 64 / 8; // stage 2 of the compact backbone: stride 8
    expect(roi.cells).toBe(side * side);
    const people = [...part.persons].sort((x, y) => (y.box[2] - y.box[0]) * (y.box[3] - y.box[1]) - (x.box[2] - x.box[0]) * (x.box[3] - x.box[1]));
    const N = roi.persons * roi.points; // one frame
    for (let k = 0; k < roi.persons; k++) {
      const person = people[k];
      for (let g = 0; g < roi.points; g++) {
        const point = k * roi.points + g;
        const corners = [0, 1, 2, 3].map((n) => ({ cell: roi.index[n * N + point]!, w: roi.weight[n * N + point]! }));
        expect(corners.every((c) => c.cell >= 0 && c.cell < roi.cells)).toBe(true);
        expect(corners.reduce((sum, c) => sum + c.w, 0)).toBeCloseTo(person ? 1 : 0, 5);
        if (!person) continue;
        // The weighted mean cell centre is the sampling point (inside the box, away from the clamped edges).
        const [l, t, r, b] = person.box;
        const i = Math.floor(g / 2), j = g % 2;
        const px = l + ((j + 0.5) / 2) * (r - l), py = t + ((i + 0.5) / 4) * (b - t);
        if (px < 4 || py < 4 || px > 60 || py > 60) continue;
        const mx = corners.reduce((sum, c) => sum + c.w * ((c.cell % side) + 0.5) * 8, 0);
        const my = corners.reduce((sum, c) => sum + c.w * (Math.floor(c.cell / side) + 0.5) * 8, 0);
        expect(mx).toBeCloseTo(px, 4);
        expect(my).toBeCloseTo(py, 4);
      }
      const tokens = Array.from(roi.target.subarray(k * model.slots, (k + 1) * model.slots));
      const mask = Array.from(roi.mask.subarray(k * model.slots, (k + 1) * model.slots));
      expect(mask).toEqual(person ? person.tokens.map((v) => (v < 0 ? 0 : 1)) : new Array(model.slots).fill(0));
      expect(tokens).toEqual(person ? person.tokens.map((v) => (v < 0 ? 0 : v)) : new Array(model.slots).fill(0));
    }
  });

  it("L_attr targets: each labelled person's tokens in its centre cell, the largest person winning a shared cell", () => {
    const model = tinyConfig();
    const train = parseTrainConfig({});
    const { frames, images } = toyDataset(10, 80, 64, 2);
    const samples = buildSamples(frames);
    const sample = samples.find((s) => s.persons.length >= 1)!;
    const part = prepareSample(sample, images[sample.frame]!, model, train, undefined);
    const a = assembleBatch([part], model, new Rng(5));
    const T = model.slots;
    const byCell = new Map<number, { area: number; tokens: number[] }>();
    for (const p of part.persons) {
      const cell = encodeBox(p.box, 64, 64, 4).cell;
      const area = (p.box[2] - p.box[0]) * (p.box[3] - p.box[1]);
      if (!byCell.has(cell) || byCell.get(cell)!.area < area) byCell.set(cell, { area, tokens: p.tokens });
    }
    expect(byCell.size).toBeGreaterThan(0);
    for (let cell = 0; cell < 16; cell++) {
      const want = byCell.get(cell)?.tokens;
      const got = Array.from(a.attrTarget.subarray(cell * T, (cell + 1) * T));
      const mask = Array.from(a.attrMask.subarray(cell * T, (cell + 1) * T));
      expect(mask).toEqual(want ? want.map((t) => (t < 0 ? 0 : 1)) : new Array(T).fill(0));
      expect(got).toEqual(want ? want.map((t) => (t < 0 ? 0 : t)) : new Array(T).fill(0));
    }
  });

  it('alternate schedule: proxy then localisation phases of the configured lengths; joint is joint', () => {
    const c = parseTrainConfig({ phaseUnit: 'epoch', proxyPhaseLength: 2, localisationPhaseLength: 1 });
    expect([0, 9, 10, 19, 20, 29, 30].map((s) => phaseOf(s, 10, c, true))).toEqual(['proxy', 'proxy', 'proxy', 'proxy', 'localisation', 'localisation', 'proxy']);
    expect(phaseOf(0, 10, c, false)).toBe('localisation');
    expect(phaseOf(5, 10, parseTrainConfig({ schedule: 'joint' }), true)).toBe('joint');
  });
});

describe('learning-rate schedule', () => {
  it('constant by default; cosine warms up linearly, peaks, then decays to the final fraction', async () => {
    const { learningRateAt, parseTrainConfig } = await import('./config');
    const constant = parseTrainConfig({ learningRate: 0.002 });
    expect([0, 50, 99].map((s) => learningRateAt(s, 100, constant))).toEqual([0.002, 0.002, 0.002]);
    const cosine = parseTrainConfig({ learningRate: 0.001, learningRateSchedule: 'cosine', warmupSteps: 10, finalLearningRateFraction: 0.1 });
    expect(learningRateAt(0, 110, cosine)).toBeCloseTo(0.0001, 10);
    expect(learningRateAt(9, 110, cosine)).toBeCloseTo(0.001, 10);
    expect(learningRateAt(10, 110, cosine)).toBeCloseTo(0.001, 10);
    expect(learningRateAt(60, 110, cosine)).toBeLessThan(0.001);
    expect(learningRateAt(109, 110, cosine)).toBeCloseTo(0.0001, 10);
  });
});
