/**
 * Finds the SoftBioSearch sequences under a source path: an index XML (`QUTSoftBioSearch.xml`, or
 * any top-level XML whose root lists <Subject dir=… xml=…>), or, without an index, every sub-folder
 * D holding D/D.xml (the training download has one folder per sequence).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DatasetError } from '../../errors';
import { parseXml } from './xml';

export interface SubjectRef {
  /** Sequence folder name (becomes the sequence and person id). */
  dir: string;
  /** Absolute path of the sequence XML. */
  xmlPath: string;
  /** Where the reference came from, for error messages ("index.xml:12" or the folder). */
  from: string;
}

export const INDEX_FILE = 'QUTSoftBioSearch.xml';

function readIndex(file: string): SubjectRef[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new DatasetError(`${file}: cannot read the index XML`, { file });
  }
  const root = parseXml(text, file);
  const subjects = root.children.filter((c) => c.name === 'Subject');
  if (subjects.length === 0) throw new DatasetError(`${file}:${root.line}: <${root.name}> lists no <Subject> entries`, { file, line: root.line });
  return subjects.map((s) => {
    const dir = s.attributes.dir;
    const xml = s.attributes.xml;
    if (!dir || !xml) throw new DatasetError(`${file}:${s.line}: <Subject> needs dir and xml attributes`, { file, line: s.line });
    if (/[\\/]|^\.\.?$/.test(dir)) throw new DatasetError(`${file}:${s.line}: <Subject dir="${dir}"> must be a plain folder name`, { file, line: s.line });
    return { dir, xmlPath: join(dirname(file), dir, xml), from: `${file}:${s.line}` };
  });
}

function looksLikeIndex(file: string): boolean {
  try {
    return /<Subject[\s>]/.test(readFileSync(file, 'utf8').slice(0, 1 << 16));
  } catch {
    return false;
  }
}

/** Subjects of one source path (index file, folder with an index, or folder of sequence folders). */
export function findSubjects(source: string): SubjectRef[] {
  if (!existsSync(source)) throw new DatasetError(`${source}: not found`, { file: source });
  if (statSync(source).isFile()) return readIndex(source);
  const named = join(source, INDEX_FILE);
  if (existsSync(named)) return readIndex(named);
  const entries = readdirSync(source, { withFileTypes: true });
  const indexes = entries.filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.xml') && looksLikeIndex(join(source, e.name)));
  if (indexes.length > 0) return indexes.flatMap((e) => readIndex(join(source, e.name)));
  const subjects = entries
    .filter((e) => e.isDirectory() && existsSync(join(source, e.name, `${e.name}.xml`)))
    .map((e) => ({ dir: e.name, xmlPath: join(source, e.name, `${e.name}.xml`), from: join(source, e.name) }))
    .sort((a, b) => (a.dir < b.dir ? -1 : 1));
  if (subjects.length === 0) {
    throw new DatasetError(`${source}: no ${INDEX_FILE}, no index XML with <Subject> entries and no sequence folders (D/D.xml) found`, { file: source });
  }
  return subjects;
}

/** The split the source itself implies: "training_…" folders train, "testing_…" test, else undefined. */
export function sourceSplit(dir: string): 'train' | 'test' | undefined {
  const name = basename(dir).toLowerCase();
  if (name.startsWith('training')) return 'train';
  if (name.startsWith('testing')) return 'test';
  return undefined;
}
