import { beforeAll, describe, expect, it } from 'vitest';
import { codesToSlotArray } from '../attributes/schema';
import type { Box } from '../dataset/format';
import { initBackend } from '../tf/backend';
import * as tf from '../tf/tf';
import { buildClassifier, classifierForward, classifierLoss, slotProbabilities, SLOTS } from './classifier';
import { classifierConfigSchema, detectorConfigSchema } from './config';
import { buildDetector, decodeDetections, detectorForward, detectorLoss, encodeDetectorTargets, gridSize } from './detector';
import { seededUniform } from './params';
import { runSteps } from './train';

beforeAll(async () => {
  await initBackend({ purpose: 'train' });
});

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** A 32×32 dark image with bright rectangles ("people") at the given boxes. */
function scene(boxes: Box[], size: number): Float32Array {
  const img = new Float32Array(size * size * 3).fill(-0.8);
  for (const [l, t, r, b] of boxes) {
    for (let y = t; y < b; y++) for (let x = l; x < r; x++) img.set([0.9, 0.6, 0.2], (y * size + x) * 3);
  }
  return img;
}

describe('baseline detector', () => {
  const cfg = detectorConfigSchema.parse({
    inputSize: 32,
    layers: [{ out: 8, stride: 2 }, { out: 16, stride: 2 }, { out: 16, stride: 2 }],
    scoreThreshold: 0.5,
  });

  it('encodes the responsible cell and decodes it back', () => {
    const t = encodeDetectorTargets([[4, 4, 12, 20], [20, 2, 30, 30]], cfg);
    const g = gridSize(cfg);
    expect(g).toBe(4);
    const c0 = (Math.floor(12 / 8) * g + Math.floor(8 / 8)) * 5; // centre (8, 12)
    expect(Array.from(t.subarray(c0, c0 + 5))).toEqual([1, 0, 0.5, expect.closeTo(0.5, 6), expect.closeTo(Math.sqrt(0.5), 6)]);
    // Turn the targets into logits and decode: the two boxes come back.
    const raw = new Float32Array(t.length);
    for (let i = 0; i < t.length; i += 5) {
      const logit = (p: number) => Math.log(Math.min(Math.max(p, 1e-6), 1 - 1e-6) / (1 - Math.min(Math.max(p, 1e-6), 1 - 1e-6)));
      raw.set([t[i] ? 10 : -10, logit(t[i + 1]!), logit(t[i + 2]!), t[i + 3]!, t[i + 4]!], i);
    }
    const dets = decodeDetections(raw, cfg).map((d) => d.box.map((v) => Math.round(v)));
    expect(dets).toEqual(expect.arrayContaining([[4, 4, 12, 20], [20, 2, 30, 30]]));
  });

  it('trains a few steps on tiny scenes and its loss falls', async () => {
    const rand = seededUniform(3);
    const params = buildDetector(cfg, 1);
    const batch = () => {
      const boxes: Box[][] = Array.from({ length: 4 }, () => {
        const l = Math.floor(rand() * 20), t = Math.floor(rand() * 10);
        return [[l, t, l + 6 + Math.floor(rand() * 5), t + 12 + Math.floor(rand() * 8)] as Box];
      });
      const images = tf.tensor4d(Float32Array.from(boxes.flatMap((b) => Array.from(scene(b, 32)))), [4, 32, 32, 3]);
      const targets = tf.tensor4d(Float32Array.from(boxes.flatMap((b) => Array.from(encodeDetectorTargets(b, cfg)))), [4, 4, 4, 5]);
      return { images, targets };
    };
    const losses = await runSteps(params, 40, 3e-3, async () => {
      const { images, targets } = batch();
      return { loss: () => detectorLoss(detectorForward(params, cfg, images), targets, cfg), dispose: () => { images.dispose(); targets.dispose(); } };
    });
    expect(mean(losses.slice(-8))).toBeLessThan(0.6 * mean(losses.slice(0, 4)));
  });
});

describe('baseline attribute classifier', () => {
  const cfg = classifierConfigSchema.parse({ cropSize: [16, 8], layers: [{ out: 8, stride: 2 }, { out: 16, stride: 2 }], hidden: 16 });

  it('masks unknown labels out of the loss: all-unknown labels give zero loss', () => {
    const params = buildClassifier(cfg, 2);
    const logits = classifierForward(params, cfg, tf.zeros([2, 16, 8, 3]) as tf.Tensor4D);
    expect(logits.shape).toEqual([2, SLOTS.total]);
    const none = Int32Array.from([...codesToSlotArray({}), ...codesToSlotArray({})]);
    expect(Math.abs(classifierLoss(logits, none, 2).dataSync()[0]!)).toBe(0);
    // With zero-init head bias and zero input, each known slot is near-uniform: loss ≈ log(#values).
    const some = Int32Array.from([...codesToSlotArray({ gender: 1 }), ...codesToSlotArray({ gender: 0 })]);
    expect(classifierLoss(logits, some, 2).dataSync()[0]).toBeGreaterThan(0);
    const p = slotProbabilities(logits).dataSync();
    expect(Array.from(p.slice(SLOTS.offsets[1]!, SLOTS.offsets[1]! + 2)).reduce((a: number, b) => a + Number(b), 0)).toBeCloseTo(1, 5);
  });

  it('learns torso colour (top half) and leg colour (bottom half) from tiny crops: loss falls', async () => {
    const rand = seededUniform(5);
    const colours: Array<[number, number[]]> = [[0, [-1, -1, -1]], [1, [-1, -1, 1]], [8, [1, -1, -1]], [9, [1, 1, 1]]];
    const params = buildClassifier(cfg, 4);
    const losses = await runSteps(params, 40, 3e-3, async () => {
      const n = 16;
      const img = new Float32Array(n * 16 * 8 * 3);
      const labels: number[] = [];
      for (let i = 0; i < n; i++) {
        const top = colours[Math.floor(rand() * 4)]!;
        const bottom = colours[Math.floor(rand() * 4)]!;
        for (let y = 0; y < 16; y++) for (let x = 0; x < 8; x++) img.set((y < 8 ? top : bottom)[1], ((i * 16 + y) * 8 + x) * 3);
        labels.push(...codesToSlotArray({ torsoColour: top[0], legColour: bottom[0] }));
      }
      const crops = tf.tensor4d(img, [n, 16, 8, 3]);
      return { loss: () => classifierLoss(classifierForward(params, cfg, crops), Int32Array.from(labels), n), dispose: () => crops.dispose() };
    });
    expect(mean(losses.slice(-8))).toBeLessThan(0.5 * mean(losses.slice(0, 4)));
  });
});
