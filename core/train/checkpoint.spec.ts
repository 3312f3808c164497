/** Checkpoint files: the whole read, the header-only read of the training state, and damaged files. */
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkpointPath, readCheckpoint, readCheckpointState, writeCheckpoint, type TrainingState } from './checkpoint';

const root = mkdtempSync(join(tmpdir(), 'fastpr-ckpt-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const state: TrainingState = {
  step: 7, totalSteps: 20, stepsPerEpoch: 5, adamSteps: { a: 7 }, seed: 3, sampleCount: 40, elapsedSeconds: 1.5,
  meta: { replicas: 2, trainConfig: { batchSize: 8 } },
};
const weights = [{ name: 'a', shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) }];
const adam = [{ name: 'm/a', shape: [2, 3], data: new Float32Array(6).fill(0.5) }, { name: 'v/a', shape: [2, 3], data: new Float32Array(6).fill(0.25) }];

describe('checkpoint files', () => {
  it('the header-only read gives the same training state as the whole read', () => {
    const dir = join(root, 'ok');
    writeCheckpoint(dir, state, weights, adam);
    expect(readCheckpointState(dir)).toEqual(state);
    const whole = readCheckpoint(dir);
    expect(whole.state).toEqual(state);
    expect(Array.from(whole.weights[0]!.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('damaged files: each read names the file and the problem; lost data is caught by the whole read', () => {
    const cut = join(root, 'cut-data');
    writeCheckpoint(cut, state, weights, adam);
    truncateSync(checkpointPath(cut), readFileSync(checkpointPath(cut)).byteLength - 4);
    expect(readCheckpointState(cut)).toEqual(state); // the header is whole
    expect(() => readCheckpoint(cut)).toThrow(`${checkpointPath(cut)}: data size does not match its header`);

    const cutHeader = join(root, 'cut-header');
    writeCheckpoint(cutHeader, state, weights, adam);
    truncateSync(checkpointPath(cutHeader), 40);
    for (const read of [readCheckpointState, readCheckpoint]) expect(() => read(cutHeader)).toThrow(`${checkpointPath(cutHeader)}: truncated header`);

    const other = join(root, 'other');
    writeCheckpoint(other, state, weights, adam);
    writeFileSync(checkpointPath(other), 'not a checkpoint at all');
    for (const read of [readCheckpointState, readCheckpoint]) expect(() => read(other)).toThrow(`${checkpointPath(other)}: not a FastPR checkpoint`);
    for (const read of [readCheckpointState, readCheckpoint]) expect(() => read(join(root, 'none'))).toThrow(/no checkpoint to resume from/);
  });
});
