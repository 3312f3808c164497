/**
 * One training step of a small CNN that uses every op family the FastPR model and its trainer
 * need — conv2d (1×1/3×3/7×7, stride 1 and 2, same/valid, fused bias+relu), depthwise and
 * separable convs, relu/relu6/elu/leakyRelu, residual add, moments + batch norm, max/avg pooling,
 * bilinear up/down-sampling, matMul/dense, softmax/logSoftmax/cross-entropy, sigmoid, concat,
 * reshape, transpose, slice, tile, gather (embedding), mean/sum/max — differentiated on wasm
 * (with our kernels) and on cpu. Every variable's gradient must agree.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../tf';
import { initBackend, loadBackendForComparison } from '../backend';
import { diff, fmt, seededData } from './compareBackends';

const SPECS: Record<string, number[]> = {
  c1: [7, 7, 3, 8], c1b: [8], c2: [3, 3, 8, 8], c3: [3, 3, 8, 16], c4: [1, 1, 8, 16], dw: [3, 3, 16, 1],
  pw: [1, 1, 16, 16], dws2: [5, 5, 16, 1], gamma: [16], beta: [16], emb: [10, 16], fc: [16, 12], fc2: [12, 5],
  dec: [3, 3, 16, 3], sepD: [3, 3, 16, 1], sepP: [1, 1, 16, 8],
};

function step(v: Record<string, tf.Variable>, x: tf.Tensor4D): tf.Scalar {
  const w = (k: string) => v[k] as unknown as tf.Tensor4D;
  let h = tf.fused.conv2d({ x, filter: w('c1'), bias: v.c1b, strides: 2, pad: 'same', activation: 'relu' }); // 16²×8
  h = tf.maxPool(h, 3, 2, 'same'); // 8²×8
  h = tf.add(h, tf.relu(tf.conv2d(h, w('c2'), 1, 'same'))) as tf.Tensor4D;
  const m = tf.moments(h, [0, 1, 2], true);
  h = tf.div(tf.sub(h, m.mean), tf.sqrt(tf.add(m.variance, 1e-3))) as tf.Tensor4D;
  let z = tf.relu6(tf.add(tf.conv2d(h, w('c3'), 2, 'same'), tf.conv2d(h, w('c4'), 2, 'valid'))) as tf.Tensor4D; // 4²×16
  z = tf.batchNorm(z, tf.mean(z, [0, 1, 2]), tf.moments(z, [0, 1, 2]).variance, v.beta as tf.Tensor1D, v.gamma as tf.Tensor1D, 1e-3) as tf.Tensor4D;
  z = tf.depthwiseConv2d(z, w('dw'), 1, 'same');
  const zs = tf.depthwiseConv2d(z, w('dws2'), 2, 'same'); // 2²×16
  z = tf.conv2d(tf.elu(z) as tf.Tensor4D, w('pw'), 1, 'same');
  const sep = tf.separableConv2d(z, w('sepD'), w('sepP'), 1, 'same');
  const cat = tf.concat([z, tf.image.resizeBilinear(zs, [4, 4])], 3); // 4²×32
  const pooled = tf.avgPool(cat, 2, 2, 'valid');
  const emb = tf.gather(v.emb!, tf.tensor1d([1, 4, 7, 4], 'int32')); // [4, 16]
  const feat = tf.reshape(tf.transpose(z, [0, 3, 1, 2]), [2, 16, 16]);
  const att = tf.softmax(tf.matMul(tf.reshape(emb, [2, 2, 16]), feat), -1);
  const attended = tf.reshape(tf.matMul(att, tf.transpose(feat, [0, 2, 1])), [4, 16]);
  const logits = tf.matMul(tf.relu(tf.matMul(attended, v.fc as tf.Tensor2D)), v.fc2 as tf.Tensor2D);
  const ce = tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d([0, 1, 2, 3], 'int32'), 5), logits);
  const bce = tf.mean(tf.abs(tf.sub(tf.sigmoid(tf.sum(pooled, [1, 2])), 0.3)));
  const box = tf.sum(tf.square(tf.sub(tf.sqrt(tf.add(tf.abs(tf.slice(logits, [0, 0], [4, 2])), 1e-6)), 0.5)));
  const dec = tf.image.resizeBilinear(tf.conv2d(z, w('dec'), 1, 'same'), [8, 8]);
  const rec = tf.mean(tf.squaredDifference(dec, tf.image.resizeBilinear(x, [8, 8])));
  const sepl = tf.mean(tf.logSoftmax(tf.reshape(sep, [2, -1])));
  const mx = tf.mean(tf.max(tf.reshape(cat, [2, -1]), 1));
  const extra = tf.addN([
    tf.mean(tf.leakyRelu(zs, 0.1)), tf.mean(tf.tile(tf.clipByValue(zs, -1, 1), [1, 2, 2, 1])),
    tf.mean(tf.log(tf.add(tf.exp(tf.neg(tf.abs(zs))), 1))),
  ]);
  return tf.addN([ce, bce, box, rec, sepl, mx, extra]) as tf.Scalar;
}

async function gradsOn(backend: string): Promise<Record<string, Float32Array>> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const v: Record<string, tf.Variable> = {};
    let seed = 100;
    for (const [k, s] of Object.entries(SPECS)) v[k] = tf.variable(tf.tensor(seededData(s.reduce((a, b) => a * b, 1), seed++), s));
    const x = tf.tensor4d(seededData(2 * 32 * 32 * 3, 7), [2, 32, 32, 3]);
    const { value, grads } = tf.variableGrads(() => step(v, x), Object.values(v));
    const out: Record<string, Float32Array> = { loss: Float32Array.from(value.dataSync()) };
    for (const [k, var_] of Object.entries(v)) out[k] = Float32Array.from(grads[var_.name]!.dataSync());
    Object.values(v).forEach((t) => t.dispose());
    return out;
  }) as unknown as Record<string, Float32Array>;
}

beforeAll(async () => {
  await initBackend({ prefer: 'wasm', purpose: 'train' });
  await loadBackendForComparison('cpu');
});

describe('a CNN training step on wasm matches cpu', () => {
  it('loss and every variable gradient agree', async () => {
    const wasm = await gradsOn('wasm');
    const cpu = await gradsOn('cpu');
    for (const k of ['loss', ...Object.keys(SPECS)]) {
      const d = diff(wasm[k]!, cpu[k]!);
      console.log(`${k.padEnd(6)} ${fmt(d)}`);
      expect(d.scale, k).toBeGreaterThan(0);
      expect(d.maxRel, k).toBeLessThan(1e-4);
    }
  });
});
