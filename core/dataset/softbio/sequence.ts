/**
 * Reads one SoftBioSearch sequence XML: root <QUTSoftBioSearchSubject init-frames total-frames
 * annot-frames camera>, the 16 attribute tags, then one <fhs> per frame (filename, gt, 9 keypoints).
 * The ground-truth box is the min/max over the present keypoints, as the challenge evaluator takes it
 * (its boxes are pixel-inclusive; ours are right/bottom exclusive, so right = max x + 1).
 */
import { readFileSync } from 'node:fs';
import { DatasetError } from '../../errors';
import { datasetCodeProblem } from '../../attributes/codec';
import { ATTRIBUTES, type AttributeCodes } from '../../attributes/schema';
import { parseXml, type XmlElement } from './xml';

export const SUBJECT_ROOT = 'QUTSoftBioSearchSubject';
/** Keypoint names in the <fhs> attributes: head, right/left foot, shoulder, neck, waist. */
export const KEYPOINTS = ['h', 'rf', 'lf', 'rs', 'ls', 'rn', 'ln', 'rw', 'lw'] as const;

export interface SequenceFrame {
  index: number;
  filename: string;
  gt: boolean;
  /** Keypoint → [x, y]; [-1, -1] when missing. Only for gt frames. */
  keypoints?: Record<string, [number, number]>;
  /** Evaluator box [minX, minY, maxX, maxY], pixel-inclusive, over the present keypoints. */
  evaluatorBox?: [number, number, number, number];
  line: number;
}

export interface SequenceXml {
  file: string;
  initFrames?: number;
  totalFrames?: number;
  annotFrames?: number;
  camera?: string;
  attributes: AttributeCodes;
  frames: SequenceFrame[];
  warnings: string[];
}

function intAttr(el: XmlElement, name: string, file: string): number | undefined {
  const v = el.attributes[name];
  if (v === undefined) return undefined;
  if (!/^\s*-?\d+\s*$/.test(v)) throw new DatasetError(`${file}:${el.line}: ${name}="${v}" is not an integer`, { file, line: el.line });
  return Number(v);
}

function numAttr(el: XmlElement, name: string, file: string): number {
  const v = el.attributes[name];
  if (v === undefined) throw new DatasetError(`${file}:${el.line}: <fhs> has no ${name} keypoint coordinate`, { file, line: el.line });
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new DatasetError(`${file}:${el.line}: ${name}="${v}" is not a number`, { file, line: el.line });
  return n;
}

export function readSequenceXml(file: string): SequenceXml {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new DatasetError(`${file}: sequence XML not found`, { file });
  }
  const root = parseXml(text, file);
  if (root.name !== SUBJECT_ROOT) {
    throw new DatasetError(`${file}:${root.line}: root element is <${root.name}>, expected <${SUBJECT_ROOT}>`, { file, line: root.line });
  }
  const warnings: string[] = [];
  const attributes: AttributeCodes = {};
  for (const def of ATTRIBUTES) {
    const els = root.children.filter((c) => c.name === def.tag);
    if (els.length === 0) { warnings.push(`${file}: no <${def.tag}>; imported as unknown`); continue; }
    if (els.length > 1) throw new DatasetError(`${file}:${els[1]!.line}: <${def.tag}> appears twice`, { file, line: els[1]!.line });
    const el = els[0]!;
    // The value is the element's text; a value="" attribute is accepted too.
    const raw = (el.attributes.value ?? el.text).trim();
    if (!/^-?\d+$/.test(raw)) throw new DatasetError(`${file}:${el.line}: <${def.tag}> value "${raw}" is not an integer code`, { file, line: el.line });
    const code = Number(raw);
    const problem = datasetCodeProblem(def.tag, code);
    if (problem) throw new DatasetError(`${file}:${el.line}: ${problem}`, { file, line: el.line });
    if (code !== -1) attributes[def.key] = code;
  }
  const known = new Set<string>([...ATTRIBUTES.map((a) => a.tag), 'fhs']);
  for (const c of root.children) if (!known.has(c.name)) warnings.push(`${file}:${c.line}: <${c.name}> ignored`);

  const frames: SequenceFrame[] = [];
  for (const el of root.children.filter((c) => c.name === 'fhs')) {
    const filename = el.attributes.filename;
    if (!filename) throw new DatasetError(`${file}:${el.line}: <fhs> has no filename`, { file, line: el.line });
    if (/^[\\/]|^[A-Za-z]:|(^|[\\/])\.\.([\\/]|$)/.test(filename)) {
      throw new DatasetError(`${file}:${el.line}: filename "${filename}" must be relative to the sequence folder`, { file, line: el.line });
    }
    const gtRaw = el.attributes.gt;
    if (gtRaw !== 'true' && gtRaw !== 'false') throw new DatasetError(`${file}:${el.line}: gt="${gtRaw ?? ''}" must be "true" or "false"`, { file, line: el.line });
    const frame: SequenceFrame = { index: frames.length, filename, gt: gtRaw === 'true', line: el.line };
    if (frame.gt) {
      const keypoints: Record<string, [number, number]> = {};
      const xs: number[] = [];
      const ys: number[] = [];
      for (const k of KEYPOINTS) {
        const x = numAttr(el, `${k}x`, file);
        const y = numAttr(el, `${k}y`, file);
        keypoints[k] = [x, y];
        // -1 marks a missing point; the evaluator's min/max runs over the present ones.
        if (x >= 0 && y >= 0) { xs.push(x); ys.push(y); }
      }
      frame.keypoints = keypoints;
      if (xs.length > 0) frame.evaluatorBox = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
      else warnings.push(`${file}:${el.line}: gt="true" frame ${frame.index} has no keypoints; imported as unlabelled`);
    }
    frames.push(frame);
  }
  const seq: SequenceXml = {
    file, attributes, frames, warnings,
    initFrames: intAttr(root, 'init-frames', file), totalFrames: intAttr(root, 'total-frames', file),
    annotFrames: intAttr(root, 'annot-frames', file), camera: root.attributes.camera,
  };
  if (seq.totalFrames !== undefined && seq.totalFrames !== frames.length) {
    warnings.push(`${file}: total-frames="${seq.totalFrames}" but ${frames.length} <fhs> elements`);
  }
  const annotated = frames.filter((f) => f.gt).length;
  if (seq.annotFrames !== undefined && seq.annotFrames !== annotated) {
    warnings.push(`${file}: annot-frames="${seq.annotFrames}" but ${annotated} frames have gt="true"`);
  }
  return seq;
}
