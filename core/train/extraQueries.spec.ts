import { beforeAll, describe, expect, it } from 'vitest';
import { globalToken, UNKNOWN } from '../attributes/schema';
import { tinyConfig } from '../model/config';
import { encodeBox, type Box } from '../model/boxes';
import { createModel, forward } from '../model/fastpr';
import { Rng } from '../model/rng';
import * as tf from '../tf/tf';
import { initBackend } from '../tf/backend';
import { assembleBatch, batchTensors, disposeBatch, prepareSample } from './batch';
import { parseTrainConfig } from './config';
import { extraQueries, queryFor, type LabelledInputPerson } from './extraQueries';
import { buildSamples } from './samples';
import { computeLossTerms } from './step';
import { toyDataset } from './testing/toyData';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu', purpose: 'train', allowCpuTraining: true });
});

/** A person with the given codes in slots 0..n-1 (the rest unknown). */
function person(box: Box, codes: number[]): LabelledInputPerson {
  return { box, tokens: Array.from({ length: 16 }, (_, slot) => (slot < codes.length ? globalToken(slot, codes[slot]!) : -1)) };
}

describe('extra training queries', () => {
  const a = person([0, 0, 10, 30], [0, 1, 2, 0, 1, 2, 3]);
  const b = person([20, 0, 30, 30], [0, 1, 2, 1, 1, 2, 3]); // differs from a in slot 3 only
  const c = person([40, 0, 50, 30], [1, 0, 0, 0, 0, 0, 0]);

  it("states only the person's own known attributes; every match fits all stated slots, the target included", () => {
    const rng = new Rng(3);
    for (let k = 0; k < 200; k++) {
      const q = queryFor(a, [a, b, c], rng);
      expect(q.target).toEqual(a.box);
      const stated = q.known.flatMap((v, slot) => (v ? [slot] : []));
      expect(stated.length).toBeGreaterThanOrEqual(2);
      expect(stated.every((slot) => slot < 7)).toBe(true); // never an attribute a does not have
      for (let slot = 0; slot < 16; slot++) expect(q.tokens[slot]).toBe(q.known[slot] ? a.tokens[slot] : globalToken(slot, UNKNOWN));
      // b matches exactly when slot 3 is not stated; c never (it differs in slot 0, 1 and 2…).
      const fitsB = !stated.includes(3);
      expect(q.matches).toEqual(fitsB && stated.every((slot) => b.tokens[slot] === a.tokens[slot]) ? [a.box, b.box] : [a.box]);
      expect(q.matches).toContainEqual(a.box);
      if (stated.some((slot) => c.tokens[slot] !== a.tokens[slot])) expect(q.matches).not.toContainEqual(c.box);
    }
  });

  it('asks for the people other than the dataset target, each once before any twice; repeats the dataset query when nobody is labelled', () => {
    const own = { tokens: a.tokens, known: a.tokens.map((t) => (t >= 0 ? 1 : 0)), target: a.box, matches: [a.box] };
    const rows = extraQueries([a, b, c], a.box, own, 4, new Rng(9));
    const targets = rows.map((r) => r.target);
    expect(new Set(targets.slice(0, 2).map(String))).toEqual(new Set([b.box, c.box].map(String)));
    expect(targets.every((t) => t !== a.box)).toBe(true);
    expect(extraQueries([], a.box, own, 2, new Rng(9))).toEqual([own, own]);
  });

  it('queriesPerImage 3: one image, three query rows, each with its own target cell; the encoder runs once per image', () => {
    const model = tinyConfig();
    const train = parseTrainConfig({});
    const { frames, images } = toyDataset(10, 80, 64, 3);
    const samples = buildSamples(frames).filter((s) => s.target && s.persons.length >= 3).slice(0, 2);
    expect(samples).toHaveLength(2);
    const parts = samples.map((s) => prepareSample(s, images[s.frame]!, model, train, undefined));
    const arrays = assembleBatch(parts, model, new Rng(5), { queriesPerImage: 3, queryRng: new Rng(7) });
    expect(arrays.size).toBe(2);
    expect(arrays.rows).toBe(6);
    expect(Array.from(arrays.imageOfRow)).toEqual([0, 0, 0, 1, 1, 1]);
    const cells = 16;
    for (let r = 0; r < 6; r++) {
      const part = parts[arrays.imageOfRow[r]!]!;
      const lit = Array.from(arrays.targetCell.subarray(r * cells, (r + 1) * cells)).indexOf(1);
      // The row's target is one of the image's people, and its cell is a confidence positive.
      expect(part.persons.some((p) => encodeBox(p.box, 64, 64, 4).cell === lit)).toBe(true);
      expect(arrays.confTarget[r * cells + lit]).toBe(1);
    }
    // Row 0 of each image is the dataset's own query.
    expect(Array.from(arrays.tokens.subarray(0, 16))).toEqual(parts[0]!.tokens);
    expect(Array.from(arrays.tokens.subarray(3 * 16, 4 * 16))).toEqual(parts[1]!.tokens);

    // Forward with shared encodings equals forward on each image repeated per row.
    const m = createModel(model, 4);
    const t = batchTensors(arrays, model);
    const shared = forward(m, { image: t.image, tokens: t.tokens, known: t.known, imageOfRow: t.imageOfRow! });
    const repeated = tf.gather(t.image, t.imageOfRow!) as tf.Tensor4D;
    const plain = forward(m, { image: repeated, tokens: t.tokens, known: t.known });
    expect(shared.encoded.shape[0]).toBe(2);
    expect(shared.confidence.shape[0]).toBe(6);
    const diff = tf.max(tf.abs(tf.sub(shared.confidenceLogits, plain.confidenceLogits))).dataSync()[0]!;
    expect(diff).toBeLessThan(1e-5);
    // Every loss term is finite with R ≠ B.
    const terms = computeLossTerms(m, t);
    for (const [name, v] of Object.entries(terms)) expect(Number.isFinite((v as tf.Scalar).dataSync()[0]), name).toBe(true);
    disposeBatch(t);
  });
});
