/**
 * Each exported kernel against TF.js itself: a small function is traced, exported, run by
 * onnxruntime at batch sizes other than the traced ones (1 and 4), and compared with TF.js's cpu
 * backend on the same random input. Max abs difference ≤ 1e-4.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../tf/tf';
import { initBackend } from '../../tf/backend';
import { OnnxSession, type HostTensor } from '../runtime';
import { exportFunction } from './exportFunction';

type Fn = (x: Record<string, tf.Tensor>) => Record<string, tf.Tensor>;
type Make = (n: number) => Record<string, tf.Tensor>;

let seed = 1;
const rand = (shape: number[], lo = -1, hi = 1) => tf.randomUniform(shape, lo, hi, 'float32', seed++);
/** A constant weight (exported as an initializer), like a model's tf.Variable. */
const weight = (shape: number[], name: string) => tf.variable(rand(shape, -0.5, 0.5), false, `${name}_${seed}`);

function toHost(t: tf.Tensor): HostTensor {
  return t.dtype === 'int32'
    ? { type: 'int32', data: Int32Array.from(t.dataSync() as Int32Array), dims: t.shape }
    : { type: 'float32', data: Float32Array.from(t.dataSync() as Float32Array), dims: t.shape };
}

async function check(make: Make, fn: Fn, batches = [1, 4]): Promise<{ maxDiff: number; ops: string[]; counts: Record<string, number> }> {
  const exported = exportFunction('t', make, fn);
  const session = await OnnxSession.create(exported.bytes, { intraOpThreads: 1 });
  let maxDiff = 0;
  try {
    for (const n of batches) {
      const inputs = make(n);
      const expected = tf.tidy(() => fn(inputs));
      const feeds = Object.fromEntries(Object.entries(inputs).map(([k, t]) => [k, toHost(t)]));
      const got = await session.run(feeds);
      for (const [name, t] of Object.entries(expected)) {
        const g = got[name]!;
        expect(g.dims).toEqual(t.shape);
        const e = t.dataSync();
        for (let i = 0; i < e.length; i++) maxDiff = Math.max(maxDiff, Math.abs(Number(g.data[i]) - e[i]!));
      }
      tf.dispose([...Object.values(inputs), ...Object.values(expected)]);
    }
  } finally {
    await session.dispose();
  }
  if (process.env.FASTPR_PRINT_DIFF) console.log(`max abs diff ${maxDiff.toExponential(2)}  ops: ${exported.graph.opTypes().join(",")}`);
  expect(maxDiff).toBeLessThanOrEqual(1e-4);
  return { maxDiff, ops: exported.graph.opTypes(), counts: exported.graph.opCounts() };
}

const img = (h: number, w: number, c: number): Make => (n) => ({ x: rand([n, h, w, c]) });

beforeAll(async () => { await initBackend({ prefer: 'cpu', purpose: 'infer' }); });

describe('conv export', () => {
  it('stride-2 same conv on an even input pads bottom/right only, with fused bias + relu', async () => {
    const w = weight([3, 3, 3, 8], 'w'); const b = weight([8], 'b');
    const r = await check(img(8, 8, 3), ({ x }) => ({ y: tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, strides: 2, pad: 'same', bias: b, activation: 'relu' }) }));
    expect(r.ops).toContain('Conv');
  });
  it('stride-2 same conv on an odd input, 5×5 kernel', async () => {
    const w = weight([5, 5, 4, 6], 'w');
    await check(img(9, 7, 4), ({ x }) => ({ y: tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'same') }));
  });
  it('valid dilated conv and a 1×1 conv', async () => {
    const w = weight([3, 3, 4, 5], 'w'); const w1 = weight([1, 1, 5, 7], 'w1');
    await check(img(10, 10, 4), ({ x }) => ({ y: tf.conv2d(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid', 'NHWC', 2), w1 as tf.Tensor4D, 1, 'same') }));
  });
  it('depthwise stride-2 same with channel multiplier 2, then relu6', async () => {
    const w = weight([3, 3, 4, 2], 'dw');
    await check(img(8, 8, 4), ({ x }) => ({ y: tf.relu6(tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'same')) }));
  });
  it('batch norm after conv, with a channel-vector add, keeps one transpose in and out', async () => {
    const w = weight([3, 3, 3, 4], 'w');
    const [m, v, s, o] = [weight([4], 'm'), tf.variable(rand([4], 0.5, 1.5), false, 'var_bn'), weight([4], 's'), weight([4], 'o')];
    const c = weight([4], 'c');
    const r = await check(img(6, 6, 3), ({ x }) => ({ y: tf.add(tf.batchNorm(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'), m, v, o, s, 1e-3), c) }));
    expect(r.counts.Transpose).toBe(2); // NHWC→NCHW after the input, back before the output
  });
});

describe('pool and resize export', () => {
  it('max pool 3×3 s2 same, avg pool 2×2 s2 valid, avg pool 3×3 s1 same (padding excluded)', async () => {
    await check(img(9, 8, 3), ({ x }) => ({
      a: tf.maxPool(x as tf.Tensor4D, 3, 2, 'same'),
      b: tf.avgPool(x as tf.Tensor4D, 2, 2, 'valid'),
      c: tf.avgPool(x as tf.Tensor4D, 3, 1, 'same'),
    }));
  });
  it('resizeBilinear: default (asymmetric), alignCorners, halfPixelCenters, up and down', async () => {
    await check(img(5, 7, 2), ({ x }) => ({
      up: tf.image.resizeBilinear(x as tf.Tensor4D, [12, 9]),
      upAlign: tf.image.resizeBilinear(x as tf.Tensor4D, [12, 9], true),
      upHalf: tf.image.resizeBilinear(x as tf.Tensor4D, [12, 9], false, true),
      down: tf.image.resizeBilinear(x as tf.Tensor4D, [3, 4]),
      downHalf: tf.image.resizeBilinear(x as tf.Tensor4D, [3, 4], false, true),
    }));
  });
  it('global average pool (mean over H, W) to a vector', async () => {
    await check(img(4, 4, 6), ({ x }) => ({ y: tf.mean(tf.relu(x!), [1, 2]) }));
  });
});

describe('dense and attention export', () => {
  it('matMul / fused matMul with transposes, bias and sigmoid', async () => {
    const w = weight([6, 5], 'w'); const b = weight([5], 'b'); const w2 = weight([3, 5], 'w2');
    await check((n) => ({ x: rand([n, 6]) }), ({ x }) => ({
      a: tf.fused.matMul({ a: x as tf.Tensor2D, b: w as tf.Tensor2D, bias: b, activation: 'sigmoid' }),
      b: tf.matMul(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), w2 as tf.Tensor2D, false, true),
    }));
  });
  it('per-slot attention: embedding gather, batched matmul, softmax over cells, weighting, concat, 1×1 conv', async () => {
    const S = 3, M = 4, T = 5;
    const table = weight([20, M], 'emb'); const c = weight([1, 1, T * M, M], 'c1x1');
    const make: Make = (n) => ({ f: rand([n, S, S, M]), tokens: tf.randomUniform([n, T], 0, 20, 'int32', seed++) });
    await check(make, ({ f, tokens }) => {
      const n = f!.shape[0]!;
      const v = tf.gather(table, tokens!);                                      // n×T×M
      const cells = tf.reshape(f!, [n, S * S, M]);                            // n×S²×M
      const logits = tf.matMul(v, cells, false, true);                        // n×T×S²
      const w = tf.softmax(logits);                                           // over cells
      const fused = tf.mul(tf.expandDims(cells, 1), tf.expandDims(w, 3));     // n×T×S²×M
      const cat = tf.reshape(tf.transpose(fused, [0, 2, 1, 3]), [n, S, S, T * M]);
      return { attn: tf.reshape(w, [n, T, S, S]), out: tf.conv2d(cat as tf.Tensor4D, c as tf.Tensor4D, 1, 'same') };
    });
  });
});

describe('shape and elementwise export', () => {
  it('slice, stridedSlice, squeeze, stack/unstack, tile, pad, concat on both layouts', async () => {
    const w = weight([1, 1, 3, 2], 'w');
    await check(img(4, 5, 3), ({ x }) => {
      const y = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same');
      const parts = tf.unstack(x!, 3);
      return {
        sl: tf.slice(x!, [0, 1, 1, 0], [-1, 2, 3, 2]),
        ss: tf.stridedSlice(x!, [0, 0, 1, 0], [0, 4, 5, 3], [1, 2, 2, 1], 1, 1),
        sq: tf.squeeze(tf.slice(x!, [0, 0, 0, 1], [-1, -1, -1, 1]), [3]),
        st: tf.stack([parts[0]!, parts[2]!], 1),
        ti: tf.tile(tf.slice(x!, [0, 0, 0, 0], [-1, 1, 1, 3]), [1, 2, 2, 1]),
        pd: tf.pad(y, [[0, 0], [1, 0], [0, 2], [0, 0]]),
        cc: tf.concat([y, x!], 3),
        c1: tf.concat([y, y], 1),
      };
    });
  });
  it('unary and binary elementwise with broadcasting, reductions, argMax', async () => {
    const w = weight([1, 1, 3, 3], 'w');
    await check(img(3, 4, 3), ({ x }) => {
      const y = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same');
      const pos = tf.add(tf.abs(x!), 0.1);
      return {
        a: tf.div(tf.sub(tf.exp(y), tf.sigmoid(x!)), tf.add(tf.sqrt(pos), 1)),
        b: tf.mul(y, tf.mean(x!, [1, 2], true)),
        c: tf.maximum(tf.tanh(y), tf.log(pos)),
        d: tf.sum(tf.square(y), -1),
        e: tf.max(x!, [1]),
        f: tf.cast(tf.argMax(x!, 3), 'float32'),
        g: tf.clipByValue(tf.leakyRelu(y, 0.1), -0.2, 0.3),
        h: tf.logSoftmax(tf.reshape(x!, [-1, 12 * 3])),
      };
    });
  });
});
