import { afterEach, describe, expect, it } from 'vitest';
import * as tf from './tf';
import { BackendError, describeBackendChoice, initBackend, LADDER } from './backend';

const saved = process.env.FASTPR_ALLOW_CPU_TRAINING;
afterEach(() => {
  if (saved === undefined) delete process.env.FASTPR_ALLOW_CPU_TRAINING;
  else process.env.FASTPR_ALLOW_CPU_TRAINING = saved;
});

describe('backend ladder', () => {
  it('reports every rung in ladder order with a reason, and chooses the first available', async () => {
    const choice = await describeBackendChoice();
    expect(choice.candidates.map((c) => c.name)).toEqual([...LADDER]);
    for (const c of choice.candidates) expect(c.reason.length).toBeGreaterThan(10);
    const first = choice.candidates.find((c) => c.available);
    expect(choice.chosen).toBe(first?.name);
    // wasm and cpu ship as regular dependencies: always available here.
    expect(choice.candidates.find((c) => c.name === 'wasm')?.available).toBe(true);
    expect(choice.candidates.find((c) => c.name === 'cpu')?.available).toBe(true);
    for (const c of choice.candidates.filter((c) => !c.available)) expect(c.reason).toMatch(/not installed|failed to load|not probed/);
  });

  it('refuses to train on the cpu backend unless forced', async () => {
    delete process.env.FASTPR_ALLOW_CPU_TRAINING;
    await expect(initBackend({ prefer: 'cpu', purpose: 'train' })).rejects.toThrow(BackendError);
    await expect(initBackend({ prefer: 'cpu', purpose: 'train' })).rejects.toThrow(/FASTPR_ALLOW_CPU_TRAINING/);
    const refused = await describeBackendChoice({ prefer: 'cpu', purpose: 'train' });
    expect(refused.chosen).toBe('none');
    expect((await initBackend({ prefer: 'cpu', purpose: 'infer' })).name).toBe('cpu');
    expect((await initBackend({ prefer: 'cpu', purpose: 'train', allowCpuTraining: true })).name).toBe('cpu');
    process.env.FASTPR_ALLOW_CPU_TRAINING = '1';
    expect((await initBackend({ prefer: 'cpu', purpose: 'train' })).name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });

  it('initialises wasm with gradients and the fast kernels registered', async () => {
    const r = await initBackend({ prefer: 'wasm', purpose: 'train' });
    expect(r.name).toBe('wasm');
    expect(r.reason).toMatch(/thread/);
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.getGradient('Conv2D')).toBeDefined();
    const names = tf.getKernelsForBackend('wasm').map((k) => k.kernelName);
    for (const k of ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'DepthwiseConv2dNativeBackpropFilter', 'UnsortedSegmentSum']) {
      expect(names).toContain(k);
    }
    const g = tf.grad((w: tf.Tensor) => tf.sum(tf.conv2d(tf.ones([1, 4, 4, 1]) as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid')))(tf.ones([3, 3, 1, 1]));
    expect(Array.from(g.dataSync())).toEqual(new Array(9).fill(4));
  });

  it('rejects unknown backend names', async () => {
    await expect(initBackend({ prefer: 'tpu' })).rejects.toThrow(/unknown backend "tpu"/);
  });
});
