/**
 * Diagnostic: does the encoder know what people wear? For the first labelled person-centre cells of
 * N validation frames, the per-slot argmax of ⟨I_en[c], E[token]⟩ over the slot's tokens (the score
 * L_attr trains and the attention uses) against the person's value, next to the majority-class rate.
 * An encoder at the majority rate cannot tell people apart, whatever its detection losses say.
 *   npm run probe:cells -- MODEL_DIR DATASET_DIR [N_FRAMES=200]
 */
import { initBackend } from '../core/tf/backend';
import * as tf from '../core/tf/tf';
import { loadModelDir } from '../core/model/modelDir';
import { readDataset, framesOfSplit } from '../core/dataset/reader';
import { buildSamples } from '../core/train/samples';
import { DatasetFrameSource } from '../core/train/frameSource';
import { cellOwners, prepareSample } from '../core/train/batch';
import { parseTrainConfig } from '../core/train/config';
import { backboneForward } from '../core/model/backbones';
import { getWeight } from '../core/model/layers';
import { ATTRIBUTES, SLOT_TOKEN_OFFSETS, SLOT_TOKEN_COUNTS } from '../core/attributes/schema';

const [modelDir, dataDir, nStr] = process.argv.slice(2);
if (!modelDir || !dataDir) {
  console.error('usage: npm run probe:cells -- MODEL_DIR DATASET_DIR [N_FRAMES=200]');
  process.exit(2);
}
await initBackend({});
const { model } = loadModelDir(modelDir!);
const cfg = model.config;
const ds = readDataset(dataDir!);
const frames = framesOfSplit(ds, 'val');
const samples = buildSamples(frames);
const seen = new Set<number>();
const picked = samples.filter((s) => (seen.has(s.frame) ? false : (seen.add(s.frame), true))).slice(0, Number(nStr ?? 200));
const source = new DatasetFrameSource(dataDir!, frames, 1e9);
const tc = parseTrainConfig({});
const T = cfg.slots, S = cfg.grid;
const correct = new Array(T).fill(0), total = new Array(T).fill(0);
const hist: Map<number, number>[] = Array.from({ length: T }, () => new Map());
const table = getWeight(model.weights, 'semantic.embedding.table') as unknown as tf.Tensor2D;
for (let i = 0; i < picked.length; i += 8) {
  const parts = [];
  for (const s of picked.slice(i, i + 8)) parts.push(prepareSample(s, await source.load(s.frame), cfg, tc, undefined));
  const B = parts.length;
  const px = cfg.inputSize * cfg.inputSize * 3;
  const images = new Float32Array(B * px);
  parts.forEach((p, b) => images.set(p.image, b * px));
  const img = tf.tensor4d(images, [B, cfg.inputSize, cfg.inputSize, 3]);
  const enc = backboneForward(model.weights, cfg, img);
  const logits = tf.matMul(tf.reshape(enc, [B * S * S, cfg.featureWidth]) as tf.Tensor2D, table, false, true);
  const L = await logits.data();
  const V = cfg.vocabularySize;
  tf.dispose([img, enc, logits]);
  parts.forEach((p, b) => {
    for (const [cell, { person }] of cellOwners(p.persons, cfg.inputSize, S)) {
      person.tokens.forEach((tok, slot) => {
        if (tok < 0) return;
        const first = SLOT_TOKEN_OFFSETS[slot]!; let best = -1, bv = -Infinity;
        for (let l = 1; l < SLOT_TOKEN_COUNTS[slot]!; l++) { const v = L[(b * S * S + cell) * V + first + l]!; if (v > bv) { bv = v; best = first + l; } }
        total[slot]++; if (best === tok) correct[slot]++;
        hist[slot]!.set(tok, (hist[slot]!.get(tok) ?? 0) + 1);
      });
    }
  });
}
const rows = ATTRIBUTES.map((a, slot) => {
  const majority = Math.max(0, ...hist[slot]!.values());
  return {
    attribute: a.key,
    cells: total[slot],
    'accuracy %': total[slot] ? +((100 * correct[slot]) / total[slot]).toFixed(1) : NaN,
    'majority %': total[slot] ? +((100 * majority) / total[slot]).toFixed(1) : NaN,
  };
});
console.log(`${modelDir}: per-cell attribute accuracy of I_en·E on ${picked.length} ${dataDir} val frames`);
console.table(rows);
const mean = (k: 'accuracy %' | 'majority %') => rows.reduce((s, r) => s + r[k], 0) / rows.length;
console.log(`mean over attributes: accuracy ${mean('accuracy %').toFixed(1)} %, majority class ${mean('majority %').toFixed(1)} %`);
