import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readDataset } from '../dataset/reader';
import { validateDataset } from '../dataset/validate';
import { defaultOptions } from './options';
import { synthesize } from './synthesize';

const root = mkdtempSync(join(tmpdir(), 'fastpr-synth-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function files(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.set(relative(dir, full), readFileSync(full));
    }
  };
  walk(dir);
  return out;
}

describe('synthesize (still mode)', () => {
  const o = defaultOptions({ seed: 42, frames: 9, width: 192, height: 160, framesPerScene: 3, crowd: { min: 4, max: 14 } });

  it('is byte-identical for the same seed and differs for another seed', async () => {
    await synthesize(join(root, 'a'), o);
    await synthesize(join(root, 'b'), o);
    await synthesize(join(root, 'c'), { ...o, seed: 43 });
    const a = files(join(root, 'a'));
    const b = files(join(root, 'b'));
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
    expect(a.size).toBe(9 + 2);
    for (const [name, bytes] of a) expect(bytes.equals(b.get(name)!), name).toBe(true);
    const c = files(join(root, 'c'));
    expect(c.get('annotations.jsonl')!.equals(a.get('annotations.jsonl')!)).toBe(false);
  });

  it('passes the dataset check, splits by scene and gives every frame a target query', () => {
    const result = validateDataset(join(root, 'a'));
    expect(result.problems).toEqual([]);
    const ds = readDataset(join(root, 'a'));
    expect(ds.manifest.source).toBe('synthetic');
    expect(ds.manifest.generator.name).toBe('fastpr-synth');
    const { train, val, test } = ds.manifest.splits;
    expect(train.length + val.length + test.length).toBe(3);
    expect(new Set([...train, ...val, ...test]).size).toBe(3);
    for (const f of ds.frames) {
      const q = f.queries.find((x) => x.kind !== 'absent');
      expect(q, f.id).toBeDefined();
      expect(q!.matches).toContain(q!.target);
      expect(q!.text, f.id).toMatch(/\w/);
      const target = f.persons.find((p) => p.id === q!.target)!;
      expect(target.visibility!).toBeGreaterThanOrEqual(0.5);
      expect(target.box[3] - target.box[1]).toBeGreaterThanOrEqual(10);
      for (const p of f.persons) {
        expect(p.box[0]).toBeGreaterThanOrEqual(0);
        expect(p.box[2]).toBeLessThanOrEqual(f.width);
        expect(p.visibility!).toBeGreaterThan(0);
        if (p.attributes.luggage === 0) expect(['backpack', 'handbag', 'suitcase']).toContain(p.extra?.luggage);
        else expect(p.extra?.luggage).toBeUndefined();
      }
    }
  });
});
