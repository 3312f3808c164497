/**
 * Training samples for the crop attribute reader: every queryable, at least half-visible labelled
 * person of a dataset split, described at its ground-truth box and at `jitters` copies of it with
 * each edge moved by up to ±12 % of the box's size — at search time the boxes are the model's, not
 * the annotator's.
 */
import { join } from 'node:path';
import type { Dataset } from '../dataset/reader';
import { framesOfSplit } from '../dataset/reader';
import type { Person, SplitName } from '../dataset/format';
import { DatasetError } from '../errors';
import { loadImageFrames, type Frame } from '../infer/frames';
import { Rng } from '../model/rng';
import { throwIfCancelled } from '../jobs/progress';
import { boxDescriptor, DESCRIPTOR_VERSION, type DescriptorVersion } from './descriptor';
import type { LabelledDescriptor } from './fit';

export interface SampleOptions {
  /** First N labelled frames of the split (default all). */
  frames?: number;
  jitters?: number;
  /** Descriptor version (default the current one). */
  descriptorVersion?: DescriptorVersion;
  seed?: number;
  signal?: AbortSignal;
  onFrames?: (done: number, total: number) => void;
}

export const JITTER = 0.12;

export interface PersonVisitOptions {
  /** First N labelled frames of the split (default all). */
  frames?: number;
  signal?: AbortSignal;
  onFrames?: (done: number, total: number) => void;
}

/**
 * Visits every queryable, at least half-visible labelled person of the split's (first `frames`)
 * labelled frames, in order, with its frame's pixels; frames are decoded 16 at a time. `task` names
 * the job in a cancel.
 */
export async function forEachLabelledPerson(
  dataset: Dataset, split: SplitName, opts: PersonVisitOptions, task: string, visit: (image: Frame, person: Person) => void,
): Promise<void> {
  let frames = framesOfSplit(dataset, split).filter((f) => f.labelled);
  if (opts.frames !== undefined) frames = frames.slice(0, opts.frames);
  if (frames.length === 0) throw new DatasetError(`${dataset.dir}: split "${split}" has no labelled frames`, { file: dataset.dir });
  for (let start = 0; start < frames.length; start += 16) {
    throwIfCancelled(opts.signal, task);
    const batch = frames.slice(start, start + 16);
    const images = await loadImageFrames(batch.map((f) => join(dataset.dir, f.image)));
    batch.forEach((frame, k) => {
      for (const person of frame.persons) {
        if (person.extra?.queryable === false || (person.visibility ?? 1) < 0.5) continue;
        visit(images[k]!, person);
      }
    });
    opts.onFrames?.(Math.min(start + 16, frames.length), frames.length);
  }
}

export async function labelledDescriptors(dataset: Dataset, split: SplitName, opts: SampleOptions = {}): Promise<LabelledDescriptor[]> {
  const rng = new Rng(opts.seed ?? 1);
  const jitters = opts.jitters ?? 2;
  const version = opts.descriptorVersion ?? DESCRIPTOR_VERSION;
  const out: LabelledDescriptor[] = [];
  await forEachLabelledPerson(dataset, split, opts, 'Fitting the re-ranker', (image, person) => {
    const [x0, y0, x1, y1] = person.box;
    const w = x1 - x0, h = y1 - y0;
    for (let j = 0; j <= jitters; j++) {
      const move = (size: number) => (j === 0 ? 0 : rng.uniform(-JITTER, JITTER) * size);
      const box = [x0 + move(w), y0 + move(h), x1 + move(w), y1 + move(h)];
      out.push({ descriptor: boxDescriptor(image, box, version), attributes: person.attributes });
    }
  });
  return out;
}
