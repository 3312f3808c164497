/**
 * The non-video part of the bad-input corpus, generated here into a temp folder: malformed
 * SoftBioSearch XML (unclosed tags, codes out of range, missing frames, traversal names, entity
 * tricks), malformed dataset JSONL and manifests, damaged ONNX exports (truncated, wrong shapes,
 * garbage, missing files — with and without a matching manifest hash, so both the hash check and
 * onnxruntime's own loader are exercised), model directories with missing files, and hostile
 * queries (10,000 characters, control characters, only unknown words) both in core/query and
 * through the service. Each must be a typed error naming the file (and line) or field; nothing is
 * written (no dataset manifest, no stored search).
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService, type Service } from '../../core/api/service';
import { readAnnotations, readManifest } from '../../core/dataset/reader';
import { importSoftBio } from '../../core/dataset/softbio/importer';
import { sequenceXml, writeSoftBioFixture, type FixtureSequence } from '../../core/dataset/testing/softbioFixture';
import { makeRandomOnnxModel } from '../../core/index/testing/randomModel';
import { OnnxRetriever } from '../../core/infer/onnxRetriever';
import { loadModelDir } from '../../core/model/modelDir';
import { parseQuery } from '../../core/query/index';
import { openDatabase } from '../../core/store/sqlite';
import { randomBytesFile } from '../fixtures/generate';
import { tally } from './tally';

const root = mkdtempSync(join(tmpdir(), 'fastpr-hardening-data-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Runs `fn`, expects a typed error of `name` whose message contains every string of `mentions`. */
async function expectClear(label: string, name: string, mentions: string[], fn: () => unknown): Promise<string> {
  let err: Error | undefined;
  try {
    await fn();
  } catch (e) {
    err = e as Error;
  }
  const clear = err !== undefined && err.name === name && mentions.every((m) => err!.message.includes(m));
  tally({ kind: 'badInput', name: label, clearError: clear, detail: err ? `${err.name}: ${err.message}` : 'no error' });
  expect(err, `${label}: no error`).toBeDefined();
  expect(err!.name, `${label}: ${err!.message}`).toBe(name);
  for (const m of mentions) expect(err!.message, label).toContain(m);
  return err!.message;
}

describe('malformed SoftBioSearch trees', () => {
  const seq: FixtureSequence = { dir: 'S1', attributes: { Age: 2, Gender: 1 }, frames: [{ gt: true }, { gt: false }, { gt: true }] };
  let n = 0;
  /** A fresh valid tree, then `damage` applied to the sequence XML text (or the tree). */
  function tree(damage: (xml: string) => string, options: Partial<FixtureSequence> = {}, index?: (x: string) => string): string {
    const dir = join(root, `softbio-${n++}`);
    writeSoftBioFixture(dir, [{ ...seq, ...options }]);
    const xmlFile = join(dir, 'S1', 'S1.xml');
    writeFileSync(xmlFile, damage(readFileSync(xmlFile, 'utf8')));
    if (index) writeFileSync(join(dir, 'QUTSoftBioSearch.xml'), index(readFileSync(join(dir, 'QUTSoftBioSearch.xml'), 'utf8')));
    return dir;
  }
  const CASES: Array<[string, () => string, string[]]> = [
    ['unclosed root tag', () => tree((x) => x.replace('</QUTSoftBioSearchSubject>', '')), ['S1.xml']],
    ['unclosed attribute tag', () => tree((x) => x.replace('</Age>', '')), ['S1.xml:']],
    ['attribute code out of range', () => tree((x) => x.replace(/<Age>[^<]*<\/Age>/, '<Age>99</Age>')), ['S1.xml:', 'Age']],
    ['attribute code not a number', () => tree((x) => x.replace(/<Gender>[^<]*<\/Gender>/, '<Gender>male</Gender>')), ['S1.xml:', 'Gender']],
    ['attribute given twice', () => tree((x) => x.replace('<Age>', '<Age>1</Age><Age>')), ['S1.xml:', 'Age']],
    ['missing frame images', () => tree((x) => x, { writeImages: false }), ['S1.xml:', 'S1_im_0000.png']],
    ['frame file name with ../', () => tree((x) => x.replace('filename="S1_im_0000.png"', 'filename="../../../etc/passwd"')), ['S1.xml:', '../../../etc/passwd']],
    ['gt neither true nor false', () => tree((x) => x.replace('gt="true"', 'gt="maybe"')), ['S1.xml:', 'maybe']],
    ['keypoint not a number', () => tree((x) => x.replace(/hx="[^"]*"/, 'hx="NaNx"')), ['S1.xml:', 'NaNx']],
    ['wrong root element', () => tree((x) => x.replace(/QUTSoftBioSearchSubject/g, 'Subject')), ['S1.xml:']],
    ['binary garbage as XML', () => tree(() => readFileSync(randomBytesFile(join(root, `garbage-${n}.bin`), 5, 2048), 'latin1')), ['S1.xml']],
    ['entity expansion (billion laughs)', () => tree((x) => x.replace('<?xml version="1.0" encoding="UTF-8"?>', `<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "${'a'.repeat(64)}"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>`).replace('<Age>2</Age>', '<Age>&b;</Age>')), ['S1.xml']],
    ['index XML unclosed', () => tree((x) => x, {}, (i) => i.replace('</QUTSoftBioSearch>', '')), ['QUTSoftBioSearch.xml']],
    ['index Subject dir with ../', () => tree((x) => x, {}, (i) => i.replace('dir="S1"', 'dir="../S1"')), ['QUTSoftBioSearch.xml:', '../S1']],
    ['index lists no subjects', () => tree((x) => x, {}, () => '<?xml version="1.0"?>\n<QUTSoftBioSearch></QUTSoftBioSearch>\n'), ['QUTSoftBioSearch.xml']],
  ];

  it('the fixture is valid before damage', async () => {
    const dir = tree((x) => x);
    const r = await importSoftBio([dir], { out: join(dir, 'out') });
    expect(r.frames).toBe(3);
    expect(sequenceXml(seq)).toContain('<Age>2</Age>');
  });

  it.each(CASES)('%s: DatasetError naming the file, no dataset written', async (label, make, mentions) => {
    const dir = make();
    const out = join(dir, 'out');
    await expectClear(`softbio: ${label}`, 'DatasetError', mentions, () => importSoftBio([dir], { out }));
    expect(existsSync(join(out, 'manifest.json'))).toBe(false);
  });
});

describe('malformed dataset folders (JSONL annotations, manifest)', () => {
  const good = { id: 'f1', image: 'images/f1.png', width: 64, height: 48, sequence: 's1', frameIndex: 0, labelled: true, persons: [], queries: [] };
  const LINES: Array<[string, string, string]> = [
    ['not JSON', '{"id": "f2", ', 'annotations.jsonl:2'],
    ['a JSON array', '[1,2,3]', 'annotations.jsonl:2'],
    ['width is a string', JSON.stringify({ ...good, id: 'f2', width: '64' }), 'annotations.jsonl:2'],
    ['missing image', JSON.stringify({ ...good, id: 'f2', image: undefined }), 'annotations.jsonl:2'],
    // Code ranges (e.g. gender 99) are validateDataset's check, not the reader's: structure only here.
    ['unknown attribute', JSON.stringify({ ...good, id: 'f2', persons: [{ id: 'p', box: [1, 1, 10, 10], attributes: { wings: 1 } }] }), 'annotations.jsonl:2'],
    ['a NUL byte line', '\u0000\u0000', 'annotations.jsonl:2'],
  ];

  it.each(LINES)('line 2 %s: DatasetError naming file and line', async (label, line, mention) => {
    const dir = join(root, `jsonl-${label.replace(/\W+/g, '-')}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'annotations.jsonl'), `${JSON.stringify(good)}\n${line}\n`);
    await expectClear(`dataset jsonl: ${label}`, 'DatasetError', [mention], () => readAnnotations(dir));
  });

  it('a missing or broken manifest is a DatasetError naming manifest.json', async () => {
    const dir = join(root, 'manifest-broken');
    mkdirSync(dir, { recursive: true });
    await expectClear('dataset: manifest missing', 'DatasetError', ['manifest.json'], () => readManifest(dir));
    writeFileSync(join(dir, 'manifest.json'), '{"name": "x",');
    await expectClear('dataset: manifest not JSON', 'DatasetError', ['manifest.json'], () => readManifest(dir));
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ name: 5, splits: 'all' }));
    await expectClear('dataset: manifest wrong types', 'DatasetError', ['manifest.json'], () => readManifest(dir));
  });
});

describe('damaged ONNX exports and model directories', () => {
  const base = join(root, 'model-good');
  let n = 0;
  beforeAll(async () => {
    await makeRandomOnnxModel(base, 'tiny');
  }, 120_000);

  /** A copy of the good model with `damage` applied; `rehash` re-signs the manifest so the loader itself is tested. */
  function variant(damage: (dir: string, manifest: any) => void, rehash = false): string {
    const dir = join(root, `model-${n++}`);
    cpSync(base, dir, { recursive: true });
    const mf = join(dir, 'onnx.json');
    const m = JSON.parse(readFileSync(mf, 'utf8'));
    damage(dir, m);
    if (rehash) {
      for (const g of [m.encoder, m.head]) if (existsSync(join(dir, g.file))) g.sha256 = createHash('sha256').update(readFileSync(join(dir, g.file))).digest('hex');
    }
    if (existsSync(mf)) writeFileSync(mf, JSON.stringify(m));
    return dir;
  }
  const trunc = (dir: string, f: string) => truncateSync(join(dir, f), Math.floor(readFileSync(join(dir, f)).length / 3));

  it('the good export opens', async () => {
    const r = await OnnxRetriever.open(base);
    await r.dispose();
  });

  const ONNX_CASES: Array<[string, () => string, string]> = [
    ['truncated encoder.onnx', () => variant((d, m) => trunc(d, m.encoder.file)), 'encoder'],
    ['truncated encoder.onnx, manifest re-signed', () => variant((d, m) => trunc(d, m.encoder.file), true), 'encoder'],
    ['truncated head.onnx, manifest re-signed', () => variant((d, m) => trunc(d, m.head.file), true), 'head'],
    ['head.onnx replaced by the encoder (wrong shapes)', () => variant((d, m) => writeFileSync(join(d, m.head.file), readFileSync(join(d, m.encoder.file))), true), 'head'],
    ['encoder and head swapped (wrong shapes)', () => variant((d, m) => { const e = readFileSync(join(d, m.encoder.file)); writeFileSync(join(d, m.encoder.file), readFileSync(join(d, m.head.file))); writeFileSync(join(d, m.head.file), e); }, true), 'encoder'],
    ['random bytes as encoder.onnx', () => variant((d, m) => { randomBytesFile(join(d, m.encoder.file), 3, 4096); }, true), 'encoder'],
    ['zero-byte head.onnx', () => variant((d, m) => writeFileSync(join(d, m.head.file), ''), true), 'head'],
    ['encoder.onnx missing', () => variant((d, m) => unlinkSync(join(d, m.encoder.file))), 'encoder'],
    ['onnx.json missing', () => variant((d) => unlinkSync(join(d, 'onnx.json'))), 'onnx.json'],
    ['onnx.json not JSON', () => { const d = variant(() => {}); writeFileSync(join(d, 'onnx.json'), '{"encoder": '); return d; }, 'onnx.json'],
    ['onnx.json grid changed', () => variant((_d, m) => { m.grid = 9; }), 'onnx'],
  ];

  it.each(ONNX_CASES)('%s: ModelError naming the file', async (label, make, mention) => {
    const dir = make();
    await expectClear(`onnx: ${label}`, 'ModelError', [mention], async () => { const r = await OnnxRetriever.open(dir); await r.dispose(); });
  });

  const DIR_CASES: Array<[string, (d: string) => void, string]> = [
    ['config.json missing', (d) => unlinkSync(join(d, 'config.json')), 'config.json'],
    ['model.json missing', (d) => unlinkSync(join(d, 'model.json')), 'model.json'],
    ['weights.bin missing', (d) => unlinkSync(join(d, 'weights.bin')), 'weights'],
    ['weights.bin truncated', (d) => trunc(d, 'weights.bin'), 'weights'],
    ['weights.json not JSON', (d) => writeFileSync(join(d, 'weights.json'), '[{'), 'weights.json'],
    ['config.json model of another shape', (d) => { const c = JSON.parse(readFileSync(join(d, 'config.json'), 'utf8')); c.model.featureWidth = 999; writeFileSync(join(d, 'config.json'), JSON.stringify(c)); }, 'json'],
  ];

  it.each(DIR_CASES)('model dir with %s: ModelError naming the file', async (label, damage, mention) => {
    const dir = variant(damage);
    await expectClear(`model dir: ${label}`, 'ModelError', [mention], () => loadModelDir(dir));
  });
});

describe('hostile queries', () => {
  let service: Service;
  let caseId = 0;
  const dataDir = join(root, 'query-data');
  beforeAll(async () => {
    process.env.FASTPR_SHIPPED_MODEL_DIR = join(root, 'no-shipped-model');
    service = createService({ dataDir });
    caseId = (await service.call('cases.create', { name: 'Queries' })).id;
  });
  afterAll(async () => service?.close());
  const searches = () => {
    const db = openDatabase(join(dataDir, 'workstation.sqlite'), { readonly: true });
    try { return (db.prepare('SELECT COUNT(*) AS n FROM searches').get() as { n: number }).n; } finally { db.close(); }
  };

  const CORE: Array<[string, string, string[]]> = [
    ['10,000 characters', 'man in red '.repeat(910).slice(0, 10_000), ['10000', '2000']],
    ['a BEL control character', 'man in \u0007red', ['U+0007', 'position 7']],
    ['an RTL override', 'woman \u202Ein blue', ['U+202E']],
    ['NUL byte', 'man\u0000', ['U+0000']],
    ['only unknown words', 'xyzzy plugh frobnicate', ['xyzzy', 'plugh', 'frobnicate']],
    ['only punctuation and emoji', '!!! ??? 🚲🚲', ['no attribute']],
    ['empty', '   ', ['empty']],
    ['structured with an unknown slot', 'wings=2, gender=1', ['wings']],
    ['structured with a code out of range', 'gender=99', ['gender']],
  ];

  it.each(CORE)('core/query refuses %s with a QueryError naming it', async (label, text, mentions) => {
    await expectClear(`query: ${label}`, 'QueryError', mentions, () => parseQuery(text));
  });

  it('through the service: too long → InputError naming "text"; nonsense → QueryError; nothing stored', async () => {
    const before = searches();
    await expectClear('api query.parse 10,000 chars', 'InputError', ['text:'], () => service.call('query.parse', { text: 'x'.repeat(10_000) }));
    await expectClear('api search.run 10,000 chars', 'InputError', ['text:'], () => service.call('search.run', { caseId, text: 'red '.repeat(2500) }));
    const parsed = await service.call('query.parse', { text: 'xyzzy plugh' });
    expect(parsed.problem).toMatch(/no attribute/);
    tally({ kind: 'badInput', name: 'api query.parse only unknown words (problem, no throw)', clearError: /xyzzy|no attribute/.test(parsed.problem ?? '') });
    for (const [label, text] of [['control character', 'man \u0007 red top'], ['only unknown words', 'xyzzy plugh']] as const) {
      const err = await service.call('search.run', { caseId, text }).catch((e: Error) => e);
      const ok = err instanceof Error && ['QueryError', 'ModelError', 'InputError'].includes(err.name);
      tally({ kind: 'badInput', name: `api search.run ${label}`, clearError: ok, detail: `${(err as Error).name}: ${(err as Error).message}` });
      expect(ok, `${label}: ${(err as Error).name}: ${(err as Error).message}`).toBe(true);
    }
    expect(searches()).toBe(before);
    expect(basename(dataDir)).toBe('query-data');
  });
});
