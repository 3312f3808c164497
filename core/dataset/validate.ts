/**
 * Full check of a dataset folder: manifest, every annotation line (schema, ids, image file and its
 * size, boxes inside the image, attribute codes inside the schema, queries consistent with the
 * people they match), then the splits (disjoint, covering every sequence) and the frame count.
 * Problems come in file order, so the first one reported is the first bad line.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, normalize, sep } from 'node:path';
import { DatasetError } from '../errors';
import { ATTRIBUTE_KEYS, UNKNOWN, isValidCode, type AttributeCodes } from '../attributes/schema';
import { ANNOTATIONS_FILE, frameAnnotationSchema, type Box, type DatasetManifest, type FrameAnnotation } from './format';
import { readImageSize } from './imageSize';
import { readManifest } from './reader';

export interface DatasetProblem { file: string; line?: number; message: string }

export interface ValidationResult {
  ok: boolean;
  problems: DatasetProblem[];
  counts: { frames: number; labelledFrames: number; persons: number; queries: number; sequences: number };
  manifest?: DatasetManifest;
}

export interface ValidateOptions {
  /** Stop after this many problems (default 1: the first problem). */
  maxProblems?: number;
  /** Open every image to check it exists and has the stated size (default true). */
  checkImages?: boolean;
}

/** Slack for float boxes that were clipped to the image edge. */
const EPS = 1e-3;

export function boxProblem(box: Box, width: number, height: number, inside: boolean): string | undefined {
  const [l, t, r, b] = box;
  if (![l, t, r, b].every(Number.isFinite)) return 'has a non-finite coordinate';
  if (!(l < r && t < b)) return `is empty or inverted [${box.join(', ')}]`;
  if (inside && (l < -EPS || t < -EPS || r > width + EPS || b > height + EPS)) {
    return `[${box.join(', ')}] is outside the ${width}x${height} image`;
  }
  return undefined;
}

function codesProblem(codes: AttributeCodes): string | undefined {
  for (const key of ATTRIBUTE_KEYS) {
    const c = codes[key];
    if (c !== undefined && !isValidCode(key, c)) return `${key} code ${c} is outside the schema`;
  }
  return undefined;
}

/** True when the person has every attribute the query states, with the same code. */
export function personMatches(query: AttributeCodes, person: AttributeCodes): boolean {
  return ATTRIBUTE_KEYS.every((k) => {
    const q = query[k];
    return q === undefined || q === UNKNOWN || person[k] === q;
  });
}

function frameProblem(frame: FrameAnnotation, dir: string, checkImages: boolean): string | undefined {
  const img = normalize(frame.image);
  if (isAbsolute(frame.image) || img.startsWith('..' + sep) || img === '..') return `image "${frame.image}" is not inside the dataset folder`;
  if (checkImages) {
    const file = join(dir, img);
    if (!existsSync(file)) return `image "${frame.image}" does not exist`;
    let size;
    try {
      size = readImageSize(file);
    } catch (e) {
      return (e as Error).message;
    }
    if (size.width !== frame.width || size.height !== frame.height) {
      return `image "${frame.image}" is ${size.width}x${size.height}, the line says ${frame.width}x${frame.height}`;
    }
  }
  const persons = new Map<string, AttributeCodes>();
  for (const p of frame.persons) {
    if (persons.has(p.id)) return `person id "${p.id}" appears twice`;
    persons.set(p.id, p.attributes);
    const box = boxProblem(p.box, frame.width, frame.height, true);
    if (box) return `person "${p.id}" box ${box}`;
    if (p.fullBox) {
      const full = boxProblem(p.fullBox, frame.width, frame.height, false);
      if (full) return `person "${p.id}" fullBox ${full}`;
    }
    const codes = codesProblem(p.attributes);
    if (codes) return `person "${p.id}": ${codes}`;
  }
  if (!frame.labelled && frame.queries.length > 0) return 'unlabelled frame has queries (it is never scored)';
  for (const [qi, q] of frame.queries.entries()) {
    const where = `query ${qi}`;
    const codes = codesProblem(q.attributes);
    if (codes) return `${where}: ${codes}`;
    const matchSet = new Set(q.matches);
    if (matchSet.size !== q.matches.length) return `${where}: a person is listed twice in matches`;
    for (const id of q.matches) if (!persons.has(id)) return `${where}: matches person "${id}", who is not in the frame`;
    if (q.kind === 'absent') {
      if (q.matches.length > 0 || q.target !== undefined) return `${where}: kind "absent" but it has a target or matches`;
    } else {
      if (q.target === undefined) return `${where}: kind "${q.kind}" needs a target`;
      if (!persons.has(q.target)) return `${where}: target "${q.target}" is not in the frame`;
      if (!matchSet.has(q.target)) return `${where}: target "${q.target}" is not in its matches`;
      if (q.kind === 'complete') {
        const target = persons.get(q.target)!;
        const missing = ATTRIBUTE_KEYS.find((k) => (target[k] ?? UNKNOWN) !== UNKNOWN && (q.attributes[k] ?? UNKNOWN) === UNKNOWN);
        if (missing) return `${where}: kind "complete" but it does not state the target's ${missing}`;
      }
    }
    for (const [id, attrs] of persons) {
      const agrees = personMatches(q.attributes, attrs);
      if (matchSet.has(id) && !agrees) return `${where}: lists "${id}" in matches, but that person differs from the query`;
      if (!matchSet.has(id) && agrees) return `${where}: person "${id}" fits the query but is not in its matches`;
    }
  }
  return undefined;
}

export function validateDataset(dir: string, options: ValidateOptions = {}): ValidationResult {
  const maxProblems = options.maxProblems ?? 1;
  const checkImages = options.checkImages ?? true;
  const problems: DatasetProblem[] = [];
  const counts = { frames: 0, labelledFrames: 0, persons: 0, queries: 0, sequences: 0 };
  const done = () => problems.length >= maxProblems;
  const result = (manifest?: DatasetManifest): ValidationResult => ({ ok: problems.length === 0, problems, counts, manifest });

  let manifest: DatasetManifest;
  try {
    manifest = readManifest(dir);
  } catch (e) {
    const err = e as DatasetError;
    problems.push({ file: err.details?.file ?? join(dir, 'manifest.json'), message: err.message });
    return result();
  }
  const manifestFile = join(dir, 'manifest.json');
  const file = join(dir, ANNOTATIONS_FILE);
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch {
    problems.push({ file, message: `${file}: not found` });
    return result(manifest);
  }
  const lines = raw.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const frameIds = new Set<string>();
  const frameKeys = new Set<string>();
  const firstLineOfSequence = new Map<string, number>();
  for (let i = 0; i < lines.length && !done(); i++) {
    const line = i + 1;
    const report = (message: string) => problems.push({ file, line, message: `${file}:${line}: ${message}` });
    let json: unknown;
    try {
      json = JSON.parse(lines[i]!);
    } catch (e) {
      report(`not valid JSON (${(e as Error).message})`);
      continue;
    }
    const parsed = frameAnnotationSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      report(`${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`);
      continue;
    }
    const frame = parsed.data;
    counts.frames++;
    if (frame.labelled) counts.labelledFrames++;
    counts.persons += frame.persons.length;
    counts.queries += frame.queries.length;
    if (frameIds.has(frame.id)) { report(`frame id "${frame.id}" appears twice`); continue; }
    frameIds.add(frame.id);
    const key = `${frame.sequence}\u0000${frame.frameIndex}`;
    if (frameKeys.has(key)) { report(`sequence "${frame.sequence}" has frameIndex ${frame.frameIndex} twice`); continue; }
    frameKeys.add(key);
    if (!firstLineOfSequence.has(frame.sequence)) firstLineOfSequence.set(frame.sequence, line);
    const problem = frameProblem(frame, dir, checkImages);
    if (problem) report(`frame "${frame.id}": ${problem}`);
  }
  counts.sequences = firstLineOfSequence.size;
  if (done()) return result(manifest);

  const reportManifest = (message: string, line?: number) =>
    problems.push({ file: line ? file : manifestFile, ...(line ? { line } : {}), message: `${line ? `${file}:${line}` : manifestFile}: ${message}` });
  if (manifest.frameCount !== lines.length) reportManifest(`frameCount is ${manifest.frameCount}, ${ANNOTATIONS_FILE} has ${lines.length} lines`);
  const splitOf = new Map<string, string>();
  for (const name of ['train', 'val', 'test'] as const) {
    for (const seq of manifest.splits[name]) {
      if (done()) return result(manifest);
      const other = splitOf.get(seq);
      if (other) reportManifest(`sequence "${seq}" is in both the ${other} and ${name} splits`);
      else if (!firstLineOfSequence.has(seq)) reportManifest(`split ${name} lists sequence "${seq}", which has no frames`);
      splitOf.set(seq, name);
    }
  }
  for (const [seq, line] of firstLineOfSequence) {
    if (done()) break;
    if (!splitOf.has(seq)) reportManifest(`sequence "${seq}" is in no split`, line);
  }
  for (const [seq, path] of Object.entries(manifest.videos ?? {})) {
    if (done()) break;
    if (!firstLineOfSequence.has(seq)) reportManifest(`video for unknown sequence "${seq}"`);
    else if (!existsSync(join(dir, path))) reportManifest(`video "${path}" of sequence "${seq}" does not exist`);
  }
  return result(manifest);
}

/** Throws DatasetError with the first problem. */
export function assertValidDataset(dir: string, options: Omit<ValidateOptions, 'maxProblems'> = {}): ValidationResult {
  const r = validateDataset(dir, { ...options, maxProblems: 1 });
  const first = r.problems[0];
  if (first) throw new DatasetError(first.message, { file: first.file, ...(first.line ? { line: first.line } : {}) });
  return r;
}
