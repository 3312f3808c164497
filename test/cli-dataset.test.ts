/**
 * The dataset and query commands end to end through the CLI entry point (in process: spawning the
 * binary costs seconds per call): import a SoftBioSearch fixture, check it, break it and check again,
 * read its stats, parse a query.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../core/cli/main';
import { writeSoftBioFixture } from '../core/dataset/testing/softbioFixture';

/** Runs `fastpr args…`, capturing what it writes to stdout. */
async function run(...args: string[]): Promise<{ status: number; stdout: string }> {
  const chunks: string[] = [];
  const write = process.stdout.write;
  const writeErr = process.stderr.write;
  process.stdout.write = ((chunk: string | Uint8Array) => { chunks.push(String(chunk)); return true; }) as typeof process.stdout.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    const status = await main(args);
    return { status, stdout: chunks.join('') };
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeErr;
  }
}

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'cli-dataset-'));
  writeSoftBioFixture(join(tmp, 'src'), [
    { dir: 'testing_subject_001', attributes: { Gender: 0, 'Torso-Color': 1, Luggage: 1 }, frames: [{ gt: false }, { gt: true }, { gt: true }] },
    { dir: 'training_subject_002', attributes: { Gender: 1, 'Leg-Type': 2 }, frames: [{ gt: true }] },
  ]);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('fastpr dataset commands', () => {
  it('imports, checks, reports stats, and fails check with the first bad line', async () => {
    const out = join(tmp, 'ds');
    const imported = JSON.parse((await run('import-softbio', join(tmp, 'src'), '--out', out, '--json')).stdout);
    expect(imported).toMatchObject({ frames: 4, labelledFrames: 3, splits: { train: ['training_subject_002'], test: ['testing_subject_001'] } });

    const ok = await run('dataset', 'check', out);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^OK .*4 frames \(3 labelled\), 3 people, 3 queries, 2 sequences/);

    const stats = JSON.parse((await run('dataset', 'stats', out, '--json')).stdout);
    expect(stats.overall.attributes[1]).toMatchObject({ tag: 'Gender', labelled: 3, values: [{ count: 2 }, { count: 1 }] });
    expect(stats.splits.train.frames).toBe(1);

    const file = join(out, 'annotations.jsonl');
    const lines = readFileSync(file, 'utf8').split('\n');
    const third = JSON.parse(lines[2]!);
    third.persons[0].box = [0, 0, 9999, 10];
    lines[2] = JSON.stringify(third);
    writeFileSync(file, lines.join('\n'));
    const bad = await run('dataset', 'check', out);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/^FAIL .*annotations\.jsonl:3: .*outside the 40x64 image/);
  });

  it('parses a query to slots with dataset wording and ignored words', async () => {
    const r = await run('parse', 'tall woman in a red top, not wearing a hat', '--json');
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.codes).toEqual({ gender: 1, height: 3, torsoColour: 8 });
    expect(json.slots).toHaveLength(16);
    expect(json.slots.find((s: { tag: string }) => s.tag === 'Torso-Color')).toEqual({ key: 'torsoColour', tag: 'Torso-Color', label: 'Torso colour', code: 8, value: 'red' });
    expect(json.ignored.map((t: { text: string }) => t.text)).toEqual(['not', 'wearing', 'a', 'hat']);
    const nonsense = await run('parse', 'xyzzy', '--json');
    expect(nonsense.status).toBe(1);
    expect(JSON.parse(nonsense.stdout).error.name).toBe('QueryError');
  });
});
