/**
 * Per-kernel CPU and wall time of a computation on one backend, for `bench:train --profile`. Every
 * kernel registered for the backend is wrapped with a timer for the duration of the call and
 * restored afterwards. Our composite kernels (core/tf/kernels) call stock kernels directly through
 * the registry, so those inner calls are timed too: "self" excludes the time of inner kernels,
 * "incl" includes it. Per-call detail (input shapes, attributes, calling kernel) is kept for the
 * kernels named in `detailFor`.
 */
import { getKernelsForBackend, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs-core';

export interface KernelStat { name: string; calls: number; selfCpu: number; selfWall: number; inclCpu: number }
export interface DetailStat { key: string; calls: number; selfCpu: number }
export interface KernelProfile<T> { result: T; kernels: KernelStat[]; details: DetailStat[]; cpu: number; wall: number }

const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

interface ArgsLike { inputs: Record<string, { shape: number[] } | undefined>; attrs?: Record<string, unknown> }

function detailKey(name: string, parent: string | undefined, a: ArgsLike): string {
  const shapes = Object.values(a.inputs).filter((t) => t).map((t) => t!.shape.join('×')).join(' · ');
  const at = a.attrs ?? {};
  const parts = [
    at.strides !== undefined ? `s${JSON.stringify(at.strides)}` : '',
    at.dilations !== undefined && JSON.stringify(at.dilations) !== '[1,1]' && at.dilations !== 1 ? `d${JSON.stringify(at.dilations)}` : '',
    at.perm !== undefined ? `perm${JSON.stringify(at.perm)}` : '',
    at.axis !== undefined ? `axis${JSON.stringify(at.axis)}` : '',
  ].filter(Boolean);
  return `${name}${parent ? ` (in ${parent})` : ''} ${shapes} ${parts.join(' ')}`.trim();
}

export function profileKernels<T>(backendName: string, fn: () => T, detailFor: ReadonlySet<string> = new Set()): KernelProfile<T> {
  const stats = new Map<string, KernelStat>();
  const details = new Map<string, DetailStat>();
  const frames: Array<{ name: string; childCpu: number; childWall: number }> = [];
  const originals = getKernelsForBackend(backendName);
  for (const k of originals) {
    const inner = k.kernelFunc;
    unregisterKernel(k.kernelName, backendName);
    registerKernel({
      ...k,
      kernelFunc: ((args: ArgsLike) => {
        const parent = frames.length ? frames[frames.length - 1]!.name : undefined;
        frames.push({ name: k.kernelName, childCpu: 0, childWall: 0 });
        const c0 = cpuNow();
        const t0 = performance.now();
        try {
          return inner(args as never);
        } finally {
          const dWall = performance.now() - t0;
          const dCpu = cpuNow() - c0;
          const f = frames.pop()!;
          if (frames.length) {
            frames[frames.length - 1]!.childCpu += dCpu;
            frames[frames.length - 1]!.childWall += dWall;
          }
          let s = stats.get(k.kernelName);
          if (!s) stats.set(k.kernelName, (s = { name: k.kernelName, calls: 0, selfCpu: 0, selfWall: 0, inclCpu: 0 }));
          s.calls++;
          s.selfCpu += dCpu - f.childCpu;
          s.selfWall += dWall - f.childWall;
          s.inclCpu += dCpu;
          if (detailFor.has(k.kernelName)) {
            const key = detailKey(k.kernelName, parent, args);
            const d = details.get(key) ?? { key, calls: 0, selfCpu: 0 };
            d.calls++;
            d.selfCpu += dCpu - f.childCpu;
            details.set(key, d);
          }
        }
      }) as KernelConfig['kernelFunc'],
    });
  }
  const c0 = cpuNow();
  const t0 = performance.now();
  try {
    const result = fn();
    return {
      result, cpu: cpuNow() - c0, wall: performance.now() - t0,
      kernels: [...stats.values()].sort((a, b) => b.selfCpu - a.selfCpu),
      details: [...details.values()].sort((a, b) => b.selfCpu - a.selfCpu),
    };
  } finally {
    for (const k of originals) {
      unregisterKernel(k.kernelName, backendName);
      registerKernel(k);
    }
  }
}
