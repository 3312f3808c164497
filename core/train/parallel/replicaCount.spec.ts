/** How many data-parallel replicas a training run gets (fastpr train --replicas, training jobs). */
import { describe, expect, it } from 'vitest';
import { parseReplicasFlag, resolveReplicas } from './replicaCount';

describe('replica count', () => {
  it('auto: the largest divisor of the batch not above the cores, on wasm and cpu only', () => {
    expect(resolveReplicas('auto', 8, 'wasm', 2)).toBe(2);
    expect(resolveReplicas('auto', 8, 'wasm', 6)).toBe(4);
    expect(resolveReplicas('auto', 6, 'wasm', 4)).toBe(3);
    expect(resolveReplicas('auto', 3, 'cpu', 2)).toBe(1);
    expect(resolveReplicas('auto', 8, 'tfjs-node', 8)).toBe(1);
  });
  it('unset means one; a number is taken as asked when it divides the batch', () => {
    expect(resolveReplicas(undefined, 8, 'wasm', 2)).toBe(1);
    expect(resolveReplicas(4, 8, 'wasm', 2)).toBe(4);
    expect(() => resolveReplicas(3, 8, 'wasm')).toThrow(/a batch of 8 samples does not split evenly into 3 replicas/);
  });
  it('the flag: a positive integer or auto, else an error naming it', () => {
    expect(parseReplicasFlag(undefined)).toBeUndefined();
    expect(parseReplicasFlag('auto')).toBe('auto');
    expect(parseReplicasFlag('2')).toBe(2);
    expect(() => parseReplicasFlag('0')).toThrow(/--replicas: expected a positive integer or auto, got "0"/);
    expect(() => parseReplicasFlag('two')).toThrow(/--replicas/);
  });
});
