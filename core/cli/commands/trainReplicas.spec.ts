/** `fastpr train --replicas`: how many data-parallel replicas a run gets. */
import { describe, expect, it } from 'vitest';
import { resolveReplicas } from './train';

describe('fastpr train --replicas', () => {
  it('auto: the largest divisor of the batch size not above the cores, on wasm and cpu only', () => {
    expect(resolveReplicas('auto', 8, 'wasm', undefined, 2)).toBe(2);
    expect(resolveReplicas('auto', 8, 'wasm', undefined, 6)).toBe(4);
    expect(resolveReplicas('auto', 6, 'wasm', undefined, 4)).toBe(3);
    expect(resolveReplicas('auto', 3, 'cpu', undefined, 2)).toBe(1);
    expect(resolveReplicas('auto', 8, 'tfjs-node', undefined, 8)).toBe(1);
  });
  it('unset: a resumed run keeps its checkpoint\'s count, a new one trains on one thread', () => {
    expect(resolveReplicas(undefined, 8, 'wasm', 2, 2)).toBe(2);
    expect(resolveReplicas(undefined, 8, 'wasm', undefined, 2)).toBe(1);
    expect(resolveReplicas('4', 8, 'wasm', 2, 2)).toBe(4);
  });
  it('refuses a count that is not a positive integer or does not divide the batch, naming the flag', () => {
    expect(() => resolveReplicas('0', 8, 'wasm', undefined)).toThrow(/--replicas: expected a positive integer or auto, got "0"/);
    expect(() => resolveReplicas('two', 8, 'wasm', undefined)).toThrow(/--replicas/);
    expect(() => resolveReplicas('3', 8, 'wasm', undefined)).toThrow(/batch size 8 does not split evenly into 3/);
  });
});
