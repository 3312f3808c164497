/**
 * Reads a dataset folder. Every problem is a DatasetError naming the file and, for annotations,
 * the 1-based line number.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetError } from '../errors';
import {
  ANNOTATIONS_FILE, MANIFEST_FILE, datasetManifestSchema, frameAnnotationSchema,
  type DatasetManifest, type FrameAnnotation, type SplitName,
} from './format';

export interface Dataset {
  dir: string;
  manifest: DatasetManifest;
  frames: FrameAnnotation[];
}

function zodProblem(err: { issues: Array<{ path: PropertyKey[]; message: string }> }): string {
  const first = err.issues[0];
  return first ? `${first.path.map(String).join('.') || '(root)'}: ${first.message}` : 'invalid';
}

export function readManifest(dir: string): DatasetManifest {
  const file = join(dir, MANIFEST_FILE);
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch {
    throw new DatasetError(`${file}: not found — is ${dir} a dataset folder?`, { file });
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (e) {
    throw new DatasetError(`${file}: not valid JSON (${(e as Error).message})`, { file });
  }
  const parsed = datasetManifestSchema.safeParse(json);
  if (!parsed.success) throw new DatasetError(`${file}: ${zodProblem(parsed.error)}`, { file });
  return parsed.data;
}

export function readAnnotations(dir: string): FrameAnnotation[] {
  const file = join(dir, ANNOTATIONS_FILE);
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch {
    throw new DatasetError(`${file}: not found`, { file });
  }
  const frames: FrameAnnotation[] = [];
  const lines = raw.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (e) {
      throw new DatasetError(`${file}:${i + 1}: not valid JSON (${(e as Error).message})`, { file, line: i + 1 });
    }
    const parsed = frameAnnotationSchema.safeParse(json);
    if (!parsed.success) throw new DatasetError(`${file}:${i + 1}: ${zodProblem(parsed.error)}`, { file, line: i + 1 });
    frames.push(parsed.data);
  }
  return frames;
}

export function readDataset(dir: string): Dataset {
  return { dir, manifest: readManifest(dir), frames: readAnnotations(dir) };
}

/** Frames of one split (by sequence, as the manifest assigns them). */
export function framesOfSplit(dataset: Dataset, split: SplitName): FrameAnnotation[] {
  const sequences = new Set(dataset.manifest.splits[split]);
  return dataset.frames.filter((f) => sequences.has(f.sequence));
}
