/**
 * Diagnostic: is what people wear in the encoder's cells at all, read by the best linear map, and
 * is it in the model's input? For each labelled, mostly visible person of N validation frames
 * (the largest where several share a cell), a softmax-regression probe is fitted on the people of
 * the first 70 % of the frames and scored on the rest, from
 *   - I_en at the person's centre cell (encoder.onnx of MODEL_DIR: any grid, any training), and
 *   - the mean colour of the person's torso (22–50 % of the box height, middle 40 % of its width)
 *     or legs (60–90 %) in the same 224-px model input: what a cell could know at the least.
 * probe:cells asks whether the model's own readout ⟨I_en, E⟩ knows the attribute; this asks whether
 * the information is in I_en at all.
 *   npm run probe:colour -- MODEL_DIR DATASET_DIR [N_FRAMES=600]
 */
import { join } from 'node:path';
import { framesOfSplit, readDataset } from '../core/dataset/reader';
import { loadImageFrames } from '../core/infer/frames';
import { OnnxRetriever } from '../core/infer/onnxRetriever';
import { encodeBox } from '../core/model/boxes';
import { frameBoxToInput } from '../core/model/preprocess';
import type { AttributeKey } from '../core/attributes/schema';
import { fitBasis } from '../core/index/pcaCodec';

const [modelDir, dataDir, nStr] = process.argv.slice(2);
if (!modelDir || !dataDir) {
  console.error('usage: npm run probe:colour -- MODEL_DIR DATASET_DIR [N_FRAMES=600]');
  process.exit(2);
}
const MIN_VISIBILITY = 0.7;
const ds = readDataset(dataDir);
const frames = framesOfSplit(ds, 'val').filter((f) => f.labelled).slice(0, Number(nStr ?? 600));
const retriever = await OnnxRetriever.open(modelDir, { batchSize: 16, threads: 1 });
const S = retriever.grid;
const M = retriever.manifest.featureWidth;
const size = retriever.inputSize;

interface Person { frame: number; cell: Float32Array; torsoRgb: Float32Array; legRgb: Float32Array; attributes: Partial<Record<AttributeKey, number>> }
const people: Person[] = [];
/** Mean normalised RGB of the box's rows [fy0, fy1] × middle 40 % of its width, in the model input. */
function regionMean(input: Float32Array, box: readonly number[], fy0: number, fy1: number): Float32Array {
  const [x0, y0, x1, y1] = box as [number, number, number, number];
  const sum = new Float32Array(3);
  let n = 0;
  for (let y = Math.floor(y0 + fy0 * (y1 - y0)); y <= Math.floor(y0 + fy1 * (y1 - y0)); y++) {
    for (let x = Math.floor(x0 + 0.3 * (x1 - x0)); x <= Math.floor(x0 + 0.7 * (x1 - x0)); x++) {
      if (x < 0 || y < 0 || x >= size || y >= size) continue;
      for (let c = 0; c < 3; c++) sum[c] = sum[c]! + input[(y * size + x) * 3 + c]!;
      n++;
    }
  }
  return sum.map((v) => v / Math.max(1, n));
}
for (let start = 0; start < frames.length; start += 16) {
  const batch = frames.slice(start, start + 16);
  // One preprocessing: the encoder and the colour regions see the same input.
  const { data: inputs, transforms } = retriever.preprocess(await loadImageFrames(batch.map((f) => join(dataDir, f.image))));
  const features = await retriever.encodePreprocessed(inputs, batch.length);
  batch.forEach((frame, k) => {
    const data = inputs.subarray(k * size * size * 3, (k + 1) * size * size * 3);
    const owners = new Map<number, { person: (typeof frame.persons)[number]; box: number[]; area: number }>();
    for (const person of frame.persons) {
      const box = frameBoxToInput(transforms[k]!, person.box);
      const area = (box[2] - box[0]) * (box[3] - box[1]);
      const cell = encodeBox(box, size, size, S).cell;
      if (area > (owners.get(cell)?.area ?? 0)) owners.set(cell, { person, box, area });
    }
    for (const [cell, { person, box }] of owners) {
      if ((person.visibility ?? 1) < MIN_VISIBILITY) continue;
      const at = (k * S * S + cell) * M;
      people.push({
        frame: start + k, cell: features.slice(at, at + M),
        torsoRgb: regionMean(data, box, 0.22, 0.5), legRgb: regionMean(data, box, 0.6, 0.9), attributes: person.attributes,
      });
    }
  });
  process.stderr.write(`\rencoded ${Math.min(start + 16, frames.length)}/${frames.length} frames`);
}
process.stderr.write('\n');
await retriever.dispose();

/**
 * Whitened coordinates (principal components of the training features, each scaled to unit variance;
 * near-empty directions dropped), so plain gradient descent with one step size converges for 3 or
 * 256 correlated dimensions alike.
 */
function whitener(train: Float32Array[]): (x: Float32Array) => Float32Array {
  const D = train[0]!.length;
  const all = new Float32Array(train.length * D);
  train.forEach((x, i) => all.set(x, i * D));
  const b = fitBasis(all, train.length, D, D, 1);
  const project = (x: Float32Array) => {
    const out = new Float32Array(D);
    for (let j = 0; j < D; j++) { let s = 0; for (let i = 0; i < D; i++) s += (x[i]! - b.mean[i]!) * b.basis[j * D + i]!; out[j] = s; }
    return out;
  };
  const sd = new Float64Array(D);
  for (const x of train) project(x).forEach((v, j) => { sd[j] = sd[j]! + (v * v) / train.length; });
  const keep = [...sd.keys()].filter((j) => sd[j]! > 1e-6 * sd[0]!);
  return (x) => { const p = project(x); return Float32Array.from(keep, (j) => p[j]! / Math.sqrt(sd[j]!)); };
}

/** Softmax regression on whitened features (full-batch gradient descent, L2): test accuracy. */
function linearProbe(trainRaw: Float32Array[], trainLabels: number[], testRaw: Float32Array[], testLabels: number[]): number {
  const white = whitener(trainRaw);
  const train = trainRaw.map(white);
  const test = testRaw.map(white);
  const D = train[0]!.length;
  const classes = [...new Set(trainLabels)].sort((a, b) => a - b);
  const K = classes.length;
  const index = new Map(classes.map((c, i) => [c, i]));
  const mean = new Float64Array(D);
  const sd = new Float64Array(D);
  for (const x of train) x.forEach((v, i) => { mean[i] = mean[i]! + v / train.length; });
  for (const x of train) x.forEach((v, i) => { sd[i] = sd[i]! + (v - mean[i]!) ** 2 / train.length; });
  const z = (x: Float32Array) => Float64Array.from(x, (v, i) => (v - mean[i]!) / Math.sqrt(sd[i]! + 1e-8));
  const Xtr = train.map(z);
  const W = new Float64Array(K * (D + 1));
  const logits = (x: Float64Array, out: Float64Array) => {
    for (let k = 0; k < K; k++) {
      let s = W[k * (D + 1) + D]!;
      for (let i = 0; i < D; i++) s += W[k * (D + 1) + i]! * x[i]!;
      out[k] = s;
    }
  };
  const p = new Float64Array(K);
  for (let iter = 0; iter < 300; iter++) {
    const grad = new Float64Array(W.length);
    Xtr.forEach((x, n) => {
      logits(x, p);
      const top = Math.max(...p);
      let sum = 0;
      for (let k = 0; k < K; k++) { p[k] = Math.exp(p[k]! - top); sum += p[k]!; }
      const y = index.get(trainLabels[n]!)!;
      for (let k = 0; k < K; k++) {
        const g = p[k]! / sum - (k === y ? 1 : 0);
        for (let i = 0; i < D; i++) grad[k * (D + 1) + i] = grad[k * (D + 1) + i]! + g * x[i]!;
        grad[k * (D + 1) + D] = grad[k * (D + 1) + D]! + g;
      }
    });
    for (let j = 0; j < W.length; j++) W[j] = W[j]! - 0.5 * (grad[j]! / Xtr.length + 1e-3 * W[j]!);
  }
  let correct = 0;
  test.forEach((x, n) => {
    logits(z(x), p);
    if (classes[p.indexOf(Math.max(...p))] === testLabels[n]) correct++;
  });
  return correct / Math.max(1, test.length);
}

const cut = Math.floor(frames.length * 0.7);
const rows: Array<Record<string, string | number>> = [];
const probes: Array<[AttributeKey, 'torsoRgb' | 'legRgb' | null]> = [['torsoColour', 'torsoRgb'], ['legColour', 'legRgb'], ['gender', null]];
for (const [key, region] of probes) {
  const known = people.filter((p) => p.attributes[key] !== undefined && p.attributes[key]! >= 0);
  const train = known.filter((p) => p.frame < cut);
  const test = known.filter((p) => p.frame >= cut);
  const yTrain = train.map((p) => p.attributes[key]!);
  const yTest = test.map((p) => p.attributes[key]!);
  const counts = new Map<number, number>();
  for (const y of yTrain) counts.set(y, (counts.get(y) ?? 0) + 1);
  const majority = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
  const pct = (x: number) => +(100 * x).toFixed(1);
  rows.push({
    attribute: key, 'test people': test.length,
    'majority class %': pct(yTest.filter((y) => y === majority).length / Math.max(1, yTest.length)),
    'I_en (centre cell) %': pct(linearProbe(train.map((p) => p.cell), yTrain, test.map((p) => p.cell), yTest)),
    'mean RGB of the region %': region ? pct(linearProbe(train.map((p) => p[region]), yTrain, test.map((p) => p[region]), yTest)) : '—',
  });
}
console.log(`${modelDir}: linear probes on ${people.length} people (visibility ≥ ${MIN_VISIBILITY}) of ${frames.length} ${dataDir} val frames (fit on the first 70 % of frames, scored on the rest)`);
console.table(rows);
