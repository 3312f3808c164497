import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../tf/tf';
import { initBackend } from '../tf/backend';
import { ModelError } from '../errors';
import { backboneForward, backboneSpecs, convMacs } from './backbones';
import { parseModelConfig, tinyConfig } from './config';
import { createModel, forward, personAttributeLogits, rmsNormalise, weightGroup, type FastprModel } from './fastpr';
import { dense as denseLayer } from './layers';
import { countMacs } from './macs';
import { assignArrays, readWeightsFiles, weightsToArrays, writeWeightsFiles } from './weightsFile';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu', purpose: 'train', allowCpuTraining: true });
});

function inputs(B: number, size: number, tokens: number[][], known: number[][]) {
  return {
    image: tf.randomNormal([B, size, size, 3], 0, 1, 'float32', 7) as tf.Tensor4D,
    tokens: tf.tensor2d(tokens, undefined, 'int32'),
    known: tf.tensor2d(known),
  };
}

describe('FastPR forward pass', () => {
  const config = tinyConfig();
  let model: FastprModel;
  beforeAll(() => {
    model = createModel(config, 5);
  });
  const T = config.slots;
  const tokens = [Array.from({ length: T }, (_, i) => i * 3), Array.from({ length: T }, (_, i) => i * 7 % 126)];
  const known = [Array(T).fill(1), Array.from({ length: T }, (_, i) => (i % 2 ? 1 : 0))];

  it('produces the documented shapes', () => {
    const o = forward(model, inputs(2, 64, tokens, known));
    expect(o.encoded.shape).toEqual([2, 4, 4, 16]);
    expect(o.attention.shape).toEqual([2, T, 16]);
    expect(o.fused.shape).toEqual([2, 4, 4, 16]);
    expect(o.confidence.shape).toEqual([2, 4, 4]);
    expect(o.boxes.shape).toEqual([2, 4, 4, 4]);
  });

  it('attention is a softmax over the cells, per slot and per image, of <I_en, v_i>/(τ√M)', () => {
    const inp = inputs(2, 64, tokens, known);
    const o = forward(model, inp);
    const att = o.attention.arraySync();
    const enc = tf.reshape(o.encoded, [2, 16, 16]).arraySync() as number[][][];
    const table = model.weights.get('semantic.embedding.table')!.arraySync() as number[][];
    for (let b = 0; b < 2; b++) {
      for (let i = 0; i < T; i++) {
        const row = att[b]![i]!;
        expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
        const v = table[tokens[b]![i]!]!;
        const logits = enc[b]!.map((cell) => cell.reduce((s, x, m) => s + x * v[m]!, 0) / (0.5 * 4));
        const mx = Math.max(...logits);
        const z = logits.reduce((s, l) => s + Math.exp(l - mx), 0);
        logits.forEach((l, c) => expect(row[c]!).toBeCloseTo(Math.exp(l - mx) / z, 4));
      }
    }
    // Summing over slots instead would not give 1.
    const perCell = att[0]!.reduce((s, r) => s + r[0]!, 0);
    expect(Math.abs(perCell - 1)).toBeGreaterThan(1e-3);
  });

  it('masks unknown slots: changing an unknown slot token does not change Ī', () => {
    const k = [Array.from({ length: T }, (_, i) => (i < 4 ? 1 : 0))];
    const t1 = [Array.from({ length: T }, (_, i) => i * 3)];
    const t2 = [t1[0]!.map((v, i) => (i >= 4 ? v + 1 : v))];
    const a = forward(model, inputs(1, 64, t1, k)).fused.dataSync();
    const b = forward(model, inputs(1, 64, t2, k)).fused.dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
    const t3 = [t1[0]!.map((v, i) => (i === 0 ? v + 1 : v))];
    const c = forward(model, inputs(1, 64, t3, k)).fused.dataSync();
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it('every weight belongs to a freezing group; backbone specs match the weights', () => {
    for (const name of model.weights.keys()) expect(() => weightGroup(name)).not.toThrow();
    const specNames = backboneSpecs(config).flatMap((s) => [`${s.name}.kernel`, `${s.name}.bias`]);
    const backboneWeights = [...model.weights.keys()].filter((n) => n.startsWith('backbone.'));
    expect(backboneWeights.sort()).toEqual(specNames.sort());
  });

  it('counts MACs: compact ≈ 0.13 GMAC backbone, resnet50 ≈ 4.1 GMAC at 224', () => {
    const compact = countMacs(parseModelConfig({}));
    const resnet = countMacs(parseModelConfig({ backbone: 'resnet50' }));
    expect(compact.backbone / 1e9).toBeGreaterThan(0.1);
    expect(compact.inference / 1e9).toBeLessThan(0.2);
    expect(resnet.backbone / 1e9).toBeCloseTo(4.11, 1);
  });

  it('a stride-1 stage keeps the resolution: the grid doubles, the weights keep their shapes, the MACs of the stage quadruple', () => {
    const stages = [{ width: 8, blocks: 0 }, { width: 16, blocks: 1 }, { width: 16, blocks: 1 }];
    const coarse = tinyConfig({ compact: { stemWidth: 8, stages } });
    const fine = tinyConfig({ grid: coarse.grid * 2, compact: { stemWidth: 8, stages: [...stages.slice(0, 2), { width: 16, blocks: 1, stride: 1 }] } });
    const a = createModel(coarse, 3), b = createModel(fine, 3);
    for (const [name, w] of a.weights) if (name !== 'proxy.offset.fc.kernel') expect(b.weights.get(name)!.shape, name).toEqual(w.shape);
    const image = tf.randomUniform([1, fine.inputSize, fine.inputSize, 3]) as tf.Tensor4D;
    const encoded = backboneForward(b.weights, fine, image);
    expect(encoded.shape).toEqual([1, fine.grid, fine.grid, fine.featureWidth]);
    tf.dispose([image, encoded]);
    const stageMacs = (c: typeof coarse) => backboneSpecs(c).filter((s) => s.name.startsWith('backbone.stage3')).reduce((n, s) => n + convMacs(s), 0);
    expect(stageMacs(fine)).toBe(4 * stageMacs(coarse));
    // The grid must match the strides: stride 1 with the old grid is refused, naming the output stride.
    expect(() => tinyConfig({ compact: fine.compact })).toThrow(/output stride 8/);
    for (const m of [a, b]) for (const w of m.weights.values()) w.dispose();
  });

  it('fine skip: the pooled stage output joins the projection; the encoder output keeps its shape and depends on it', () => {
    const skipConfig = tinyConfig({ compact: { stemWidth: 8, stages: [{ width: 8, blocks: 0 }, { width: 16, blocks: 1 }, { width: 16, blocks: 0 }], fineSkip: { fromStage: 2, width: 6, pool: 'max' } } });
    const m = createModel(skipConfig, 3);
    expect(m.weights.get('backbone.skip.kernel')!.shape).toEqual([1, 1, 16, 6]);
    expect(m.weights.get('backbone.proj.kernel')!.shape).toEqual([1, 1, 16 + 6, 16]);
    const specNames = backboneSpecs(skipConfig).flatMap((s) => [`${s.name}.kernel`, `${s.name}.bias`]);
    expect([...m.weights.keys()].filter((n) => n.startsWith('backbone.')).sort()).toEqual(specNames.sort());
    const x = inputs(1, 64, [tokens[0]!], [known[0]!]);
    const before = forward(m, x).encoded;
    expect(before.shape).toEqual([1, 4, 4, 16]);
    // Zeroing the skip's weights changes I_en: the branch is wired in.
    const skipKernel = m.weights.get('backbone.skip.kernel')!;
    const saved = skipKernel.clone();
    skipKernel.assign(tf.zerosLike(skipKernel));
    const after = forward(m, x).encoded;
    expect(tf.max(tf.abs(tf.sub(before, after))).dataSync()[0]).toBeGreaterThan(1e-4);
    skipKernel.assign(saved);
    // Pooling from the last stage (or beyond) is a config error naming the field.
    const stages = [{ width: 8, blocks: 0 }, { width: 16, blocks: 0 }];
    expect(() => tinyConfig({ inputSize: 32, grid: 4, compact: { stemWidth: 8, stages, fineSkip: { fromStage: 2 } } })).toThrow(/fineSkip\.fromStage|fromStage/);
    expect(() => tinyConfig({ inputSize: 32, grid: 4, compact: { stemWidth: 8, stages, fineSkip: { fromStage: 1 } } })).not.toThrow();
  });

  it('match scores: two channels after Ī, the known-slot means of the logit and of log(S²·w); Ī itself unchanged', () => {
    const msConfig = tinyConfig({ matchScores: true });
    const m = createModel(msConfig, 5);
    const S2 = 16;
    expect(m.weights.get('loc.fc1.kernel')!.shape).toEqual([1, 1, 16 + 2, msConfig.hiddenWidth]);
    const allUnknown = Array(T).fill(0);
    const x = inputs(3, 64, [tokens[0]!, tokens[1]!, tokens[1]!], [known[0]!, known[1]!, allUnknown]);
    const o = forward(m, x);
    expect(o.headInput.shape).toEqual([3, 4, 4, 18]);
    // Ī is computed before the extra channels and from weights built before loc.fc1: same as without them.
    expect(Array.from(o.fused.dataSync())).toEqual(Array.from(forward(model, x).fused.dataSync()));
    const head = o.headInput.arraySync() as number[][][][];
    const att = o.attention.arraySync() as number[][][];
    const enc = o.encoded.arraySync() as number[][][][];
    const table = m.weights.get('semantic.embedding.table')!.arraySync() as number[][];
    const scale = 1 / (msConfig.attentionTemperature * Math.sqrt(16));
    for (let b = 0; b < 2; b++) {
      const stated = known[b]!.flatMap((k, i) => (k ? [i] : []));
      for (let c = 0; c < S2; c++) {
        const [r, col] = [Math.floor(c / 4), c % 4];
        const cellFeature = enc[b]![r]![col]!;
        const logit = (i: number) => table[tokens[b]![i]!]!.reduce((s, v, k) => s + v * cellFeature[k]!, 0) * scale;
        const wantLogit = stated.reduce((s, i) => s + logit(i), 0) / stated.length;
        const wantLogAtt = stated.reduce((s, i) => s + Math.log(att[b]![i]![c]! * S2), 0) / stated.length;
        expect(head[b]![r]![col]![16]!).toBeCloseTo(wantLogit, 4);
        expect(head[b]![r]![col]![17]!).toBeCloseTo(wantLogAtt, 4);
      }
    }
    // No stated slot: both channels are 0 everywhere.
    for (const row of head[2]!) for (const cell of row) expect([cell[16], cell[17]]).toEqual([0, 0]);
    // The confidence depends on them: a different stated value moves the scores and the confidence.
    const t2 = [tokens[0]!.map((v, i) => (i === 0 ? v + 1 : v))];
    const c1 = forward(m, inputs(1, 64, [tokens[0]!], [known[0]!])).confidence.dataSync();
    const c2 = forward(m, inputs(1, 64, t2, [known[0]!])).confidence.dataSync();
    expect(Array.from(c1)).not.toEqual(Array.from(c2));
  });

  it('person-attribute proxy: logits per (frame, person slot), and its loss reaches the encoder', () => {
    const paConfig = tinyConfig({ proxies: { personAttributes: true }, personAttributes: { fromStage: 2, grid: [4, 2], hiddenWidth: 8, maxPersons: 2 } });
    const m = createModel(paConfig, 4);
    expect(weightGroup('proxy.roi.fc1.kernel')).toBe('label');
    const x = inputs(2, 64, tokens, known);
    const cells = 8 * 8; // stage 2 at stride 8
    const N = 2 * 2 * 8; // frames × persons × points
    const index = Array.from({ length: 4 * N }, (_, i) => (i * 37) % (2 * cells));
    const weight = Array.from({ length: 4 * N }, (_, i) => ((i * 7) % 5) / 10);
    const o = forward(m, x);
    expect(o.fine!.shape).toEqual([2, 8, 8, 16]);
    const logits = personAttributeLogits(m, o.fine!, tf.tensor1d(index, 'int32'), tf.tensor2d(weight, [4, N]));
    expect(logits.shape).toEqual([4, paConfig.vocabularySize]);
    // The gather path equals the dense bilinear-matrix formulation of the same sampling.
    const dense = new Float32Array(N * 2 * cells);
    for (let n = 0; n < 4; n++) for (let p = 0; p < N; p++) dense[p * 2 * cells + index[n * N + p]!]! += weight[n * N + p]!;
    const sampled = tf.matMul(tf.tensor2d(dense, [N, 2 * cells]), tf.reshape(o.fine!, [2 * cells, 16]));
    const flat = rmsNormalise(tf.reshape(sampled, [4, 8 * 16]), -1) as tf.Tensor2D;
    const want = denseLayer(m.weights, 'proxy.roi.out', denseLayer(m.weights, 'proxy.roi.fc1', flat, 'relu'), 'linear');
    expect(tf.max(tf.abs(tf.sub(logits, want))).dataSync()[0]).toBeLessThan(1e-5);
    const stem = m.weights.get('backbone.stem.kernel')!;
    const { grads } = tf.variableGrads(
      () => tf.sum(tf.square(personAttributeLogits(m, forward(m, x).fine!, tf.tensor1d(index, 'int32'), tf.tensor2d(weight, [4, N])))) as tf.Scalar,
      [stem],
    );
    expect(tf.max(tf.abs(grads[stem.name]!)).dataSync()[0]).toBeGreaterThan(0);
  });

  it('merged-heads ablation has its own head weights and the same outputs', () => {
    const m = createModel(tinyConfig({ heads: 'merged', proxies: { label: false, reconstruction: true, offset: false } }), 1);
    expect(m.weights.has('loc.merged2.kernel')).toBe(true);
    expect(m.weights.has('loc.conf1.kernel')).toBe(false);
    expect(m.weights.has('proxy.label.fc1.kernel')).toBe(false);
    const o = forward(m, inputs(1, 64, [tokens[0]!], [known[0]!]));
    expect(o.boxes.shape).toEqual([1, 4, 4, 4]);
  });
});

describe('weight files', () => {
  it('round-trips a model and rejects malformed or missing files with ModelError naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fastpr-w-'));
    const a = createModel(tinyConfig(), 1);
    const b = createModel(tinyConfig(), 2);
    writeWeightsFiles(dir, 'weights', weightsToArrays(a.weights));
    assignArrays(b.weights, readWeightsFiles(dir, 'weights'), 'weights.json');
    for (const [n, v] of a.weights) expect(Array.from(b.weights.get(n)!.dataSync())).toEqual(Array.from(v.dataSync()));

    expect(() => readWeightsFiles(dir, 'nope')).toThrow(ModelError);
    expect(() => readWeightsFiles(dir, 'nope')).toThrow(/nope\.json/);
    writeFileSync(join(dir, 'weights.json'), '{"format":"x"}');
    expect(() => readWeightsFiles(dir, 'weights')).toThrow(/weights\.json: not a FastPR weights header/);
    writeWeightsFiles(dir, 'weights', weightsToArrays(a.weights));
    writeFileSync(join(dir, 'weights.bin'), Buffer.alloc(10));
    expect(() => readWeightsFiles(dir, 'weights')).toThrow(/10 bytes/);
    const other = createModel(tinyConfig({ featureWidth: 8 }), 1);
    writeWeightsFiles(dir, 'weights', weightsToArrays(a.weights));
    expect(() => assignArrays(other.weights, readWeightsFiles(dir, 'weights'), 'w.json')).toThrow(/w\.json: weight .* has shape/);
  });
});
