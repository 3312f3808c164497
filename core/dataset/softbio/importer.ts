/**
 * SoftBioSearch → the common dataset format. One person per frame (the sequence's subject, id = the
 * sequence folder name); gt="false" frames are kept unlabelled with no people; each labelled frame
 * gets one complete query (the subject's full attribute set, matching only the subject).
 * Splits: "training_…" folders train, "testing_…" test; other folders by seeded hash; optionally a
 * validation share of the training sequences. Written atomically through DatasetWriter.
 */
import { constants, copyFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DatasetError } from '../../errors';
import { formatQuery } from '../../query/formatter';
import { ProgressMeter, throwIfCancelled, type ProgressListener } from '../../jobs/progress';
import type { DatasetManifest, FrameAnnotation, Person } from '../format';
import { readImageSize } from '../imageSize';
import { splitSequences } from '../split';
import { DatasetWriter } from '../writer';
import { findSubjects, sourceSplit, type SubjectRef } from './layout';
import { readSequenceXml, type SequenceFrame, type SequenceXml } from './sequence';

export const IMPORTER_VERSION = '1.0.0';

export interface SoftBioImportOptions {
  out: string;
  /** Seed of the hash split for folders without a training_/testing_ name (default 0). */
  seed?: number;
  /** Share of training sequences moved to validation (default 0). */
  valFraction?: number;
  overwrite?: boolean;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

export interface SoftBioImportResult {
  manifest: DatasetManifest;
  frames: number;
  labelledFrames: number;
  warnings: string[];
}

function frameAnnotation(ref: SubjectRef, seq: SequenceXml, f: SequenceFrame, width: number, height: number): FrameAnnotation {
  const id = ref.dir;
  const labelled = f.gt && f.evaluatorBox !== undefined;
  const persons: Person[] = [];
  if (labelled) {
    const [x0, y0, x1, y1] = f.evaluatorBox!;
    const clamp = (v: number, hi: number) => Math.min(Math.max(v, 0), hi);
    persons.push({
      id,
      box: [clamp(x0, width), clamp(y0, height), clamp(x1 + 1, width), clamp(y1 + 1, height)],
      attributes: seq.attributes,
      extra: { keypoints: f.keypoints, evaluatorBox: f.evaluatorBox, ...(seq.camera !== undefined ? { camera: seq.camera } : {}) },
    });
  }
  return {
    id: `${ref.dir}/${String(f.index).padStart(4, '0')}`,
    image: `images/${ref.dir}/${f.filename}`,
    width, height,
    sequence: ref.dir,
    frameIndex: f.index,
    labelled,
    persons,
    queries: labelled
      ? [{ attributes: seq.attributes, text: formatQuery(seq.attributes), matches: [id], target: id, kind: 'complete' }]
      : [],
  };
}

export async function importSoftBio(sources: readonly string[], options: SoftBioImportOptions): Promise<SoftBioImportResult> {
  if (sources.length === 0) throw new DatasetError('no SoftBioSearch source given');
  const subjects = sources.flatMap((s) => findSubjects(s));
  const seen = new Map<string, string>();
  for (const s of subjects) {
    const before = seen.get(s.dir);
    if (before) throw new DatasetError(`sequence "${s.dir}" appears twice (${before} and ${s.from})`);
    seen.set(s.dir, s.from);
  }
  // Read and check every XML first: a malformed file fails before anything is written.
  const sequences = subjects.map((ref) => {
    if (!existsSync(ref.xmlPath)) throw new DatasetError(`${ref.from}: sequence XML ${ref.xmlPath} not found`, { file: ref.xmlPath });
    return { ref, seq: readSequenceXml(ref.xmlPath) };
  });
  const total = sequences.reduce((s, x) => s + x.seq.frames.length, 0);
  const seed = options.seed ?? 0;
  const writer = DatasetWriter.create(options.out, {
    source: 'softbiosearch',
    generator: { name: 'softbio-import', version: IMPORTER_VERSION, parameters: { sources: [...sources], seed, valFraction: options.valFraction ?? 0 } },
    seed,
    overwrite: options.overwrite,
  });
  const warnings = sequences.flatMap((x) => x.seq.warnings);
  const meter = options.onProgress ? new ProgressMeter(`softbio-${Date.now()}`, 'import', options.onProgress, 'frames') : undefined;
  let done = 0;
  let labelledFrames = 0;
  try {
    for (const { ref, seq } of sequences) {
      const dir = dirname(ref.xmlPath);
      for (const f of seq.frames) {
        throwIfCancelled(options.signal, 'SoftBioSearch import');
        const src = join(dir, f.filename);
        if (!existsSync(src)) {
          throw new DatasetError(`${seq.file}:${f.line}: frame ${f.index} "${f.filename}" is missing (${src})`, { file: seq.file, line: f.line });
        }
        const size = readImageSize(src);
        const frame = frameAnnotation(ref, seq, f, size.width, size.height);
        copyFileSync(src, writer.pathFor(frame.image), constants.COPYFILE_FICLONE);
        writer.addFrame(frame);
        if (frame.labelled) labelledFrames++;
        done++;
        if (done % 50 === 0) meter?.update(done, total);
      }
    }
    const manifest = writer.finish(assignSplits(subjects.map((s) => s.dir), seed, options.valFraction ?? 0));
    meter?.finish('done', done, total);
    return { manifest, frames: done, labelledFrames, warnings };
  } catch (e) {
    writer.abort();
    meter?.finish('failed', done, total, (e as Error).message);
    throw e;
  }
}

export function assignSplits(dirs: readonly string[], seed: number, valFraction: number): DatasetManifest['splits'] {
  const train: string[] = [];
  const test: string[] = [];
  const unnamed: string[] = [];
  for (const d of dirs) {
    const s = sourceSplit(d);
    if (s === 'train') train.push(d); else if (s === 'test') test.push(d); else unnamed.push(d);
  }
  const hashed = unnamed.length ? splitSequences(unnamed, seed) : { train: [], val: [], test: [] };
  let val = hashed.val;
  let allTrain = [...train, ...hashed.train];
  if (valFraction > 0 && train.length > 0) {
    const carved = splitSequences(train, seed, { train: 1 - valFraction, val: valFraction, test: 0 });
    allTrain = [...carved.train, ...hashed.train];
    val = [...carved.val, ...val];
  }
  const sort = (a: string[]) => [...a].sort();
  return { train: sort(allTrain), val: sort(val), test: sort([...test, ...hashed.test]) };
}
