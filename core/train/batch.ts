/**
 * Turns samples + decoded frames into the arrays of one batch: the input images, query tokens and
 * every loss target (confidence grid, responsible-cell boxes, reconstruction crop box, offset swap).
 */
import * as tf from '../tf/tf';
import { compactOutputStride, type ModelConfig } from '../model/config';
import { encodeBox, type Box, type EncodedBox } from '../model/boxes';
import { frameBoxToInput, preprocessFrame, type RawFrame } from '../model/preprocess';
import { pickSwap, swapMatrix } from '../model/regions';
import type { Rng } from '../model/rng';
import { applyColourJitter, drawAugment, NO_AUGMENT } from './augment';
import type { TrainConfig } from './config';
import { extraQueries, type QueryRow } from './extraQueries';
import type { TrainSample } from './samples';

export interface PreparedSample {
  image: Float32Array;
  tokens: number[];
  known: number[];
  /** Target box in input pixels (clipped), if present. */
  target?: Box;
  /** Matched boxes in input pixels whose centre lies inside the input. */
  matches: Box[];
  /** Labelled persons in input pixels whose centre lies inside the input (for L_attr). */
  persons: { box: Box; tokens: number[] }[];
}

const boxArea = (b: Box) => (b[2] - b[0]) * (b[3] - b[1]);

/**
 * Per grid cell, the person whose centre lies in it — the largest (nearest the camera) where several
 * share it, the first of equals — with that person's box encoded for the cell.
 */
export function cellOwners<P extends { box: Box }>(persons: readonly P[], size: number, grid: number): Map<number, { person: P; encoded: EncodedBox }> {
  const owners = new Map<number, { person: P; encoded: EncodedBox; area: number }>();
  for (const person of persons) {
    const encoded = encodeBox(person.box, size, size, grid);
    const area = boxArea(person.box);
    if (area > (owners.get(encoded.cell)?.area ?? 0)) owners.set(encoded.cell, { person, encoded, area });
  }
  return owners;
}

/** A person's global tokens as class targets (unknown → 0) and a mask (1 where known), written at `at`. */
function writeTokenTargets(tokens: readonly number[], target: Int32Array, mask: Float32Array, at: number): void {
  tokens.forEach((token, slot) => {
    target[at + slot] = token < 0 ? 0 : token;
    mask[at + slot] = token < 0 ? 0 : 1;
  });
}

const clipBox = (b: Box, size: number): Box => [
  Math.max(0, Math.min(size, b[0])), Math.max(0, Math.min(size, b[1])),
  Math.max(0, Math.min(size, b[2])), Math.max(0, Math.min(size, b[3])),
];

export function prepareSample(
  sample: TrainSample,
  frame: RawFrame,
  model: ModelConfig,
  train: TrainConfig,
  rng: Rng | undefined,
): PreparedSample {
  const size = model.inputSize;
  const aug = rng ? drawAugment(rng, train.augment, frame.width, frame.height, sample.target) : NO_AUGMENT(frame.width, frame.height);
  const { data, transform } = preprocessFrame(frame, { size, mode: train.inputMode, crop: aug.crop, flip: aug.flip });
  applyColourJitter(data, aug);
  const toInput = (b: Box) => clipBox(frameBoxToInput(transform, b), size);
  const inside = (b: Box) => {
    const cx = (b[0] + b[2]) / 2;
    const cy = (b[1] + b[3]) / 2;
    return b[2] > b[0] && b[3] > b[1] && cx > 0 && cx < size && cy > 0 && cy < size;
  };
  const matches = sample.matches.map(toInput).filter(inside);
  const persons = (sample.persons ?? []).map((p) => ({ box: toInput(p.box), tokens: p.tokens })).filter((p) => inside(p.box));
  const target = sample.target ? toInput(sample.target) : undefined;
  const usable = target && target[2] > target[0] && target[3] > target[1] ? target : undefined;
  return { image: data, tokens: sample.tokens, known: sample.known, target: usable, matches, persons };
}

export interface BatchArrays {
  /** Images in the batch (B). */
  size: number;
  /** Query rows (R = B·queriesPerImage): row r asks about image `imageOfRow[r]`. */
  rows: number;
  imageOfRow: Int32Array;
  image: Float32Array;
  tokens: Int32Array;
  known: Float32Array;
  confTarget: Float32Array;
  boxTarget: Float32Array;
  obj: Float32Array;
  present: Float32Array;
  targetCell: Float32Array;
  cropBoxes: Float32Array;
  permutation: Float32Array;
  offsetLabel: Int32Array;
  /** Per image, cell and slot: the global token of the largest person centred in the cell (0 where none). */
  attrTarget: Int32Array;
  /** 1 where attrTarget holds a known attribute. */
  attrMask: Float32Array;
  /**
   * Person-attribute proxy (when on): for each of the B·P·G sampling points its 4 bilinear
   * neighbours as rows of the batch's flattened feature map [B·h·w, C] (`index` [4, B·P·G]) and their
   * weights (`weight` [4, B·P·G]; 0 for padding people); tokens and mask [B·P, T].
   */
  roi?: { index: Int32Array; weight: Float32Array; target: Int32Array; mask: Float32Array; persons: number; points: number; cells: number };
}

export interface AssembleOptions {
  /**
   * 'matches' (paper): L_loc trains the box head on the cells of the people the query matches.
   * 'all' (ours): also on the centre cell of every other labelled person (the largest where several
   * share a cell), so the box head learns from every person in the frame, not one or two.
   */
  boxTargets?: 'matches' | 'all';
  /** Queries per image (default 1): the dataset's, then extra ones drawn with `queryRng` (core/train/extraQueries.ts). */
  queriesPerImage?: number;
  queryRng?: Rng;
}

export function assembleBatch(parts: PreparedSample[], model: ModelConfig, swapRng: Rng, options: AssembleOptions = {}): BatchArrays {
  const B = parts.length;
  const Q = options.queriesPerImage ?? 1;
  if (Q > 1 && !options.queryRng) throw new Error('assembleBatch: queriesPerImage > 1 needs a queryRng');
  const R = B * Q;
  const S = model.grid;
  const cells = S * S;
  const T = model.slots;
  const size = model.inputSize;
  const px = size * size * 3;
  const a: BatchArrays = {
    size: B,
    rows: R,
    imageOfRow: new Int32Array(R),
    image: new Float32Array(B * px),
    tokens: new Int32Array(R * T),
    known: new Float32Array(R * T),
    confTarget: new Float32Array(R * cells),
    boxTarget: new Float32Array(R * cells * 4),
    obj: new Float32Array(R * cells),
    present: new Float32Array(R),
    targetCell: new Float32Array(R * cells),
    cropBoxes: new Float32Array(R * 4),
    permutation: new Float32Array(R * cells * cells),
    offsetLabel: new Int32Array(R),
    attrTarget: new Int32Array(B * cells * T),
    attrMask: new Float32Array(B * cells * T),
  };
  if (model.proxies.personAttributes) a.roi = personSampling(parts, model);
  parts.forEach((p, b) => {
    a.image.set(p.image, b * px);
    const owners = cellOwners(p.persons, size, S);
    // L_attr targets: each cell's owner labels it.
    for (const [cell, { person }] of owners) writeTokenTargets(person.tokens, a.attrTarget, a.attrMask, (b * cells + cell) * T);
    const own: QueryRow = { tokens: p.tokens, known: p.known, target: p.target, matches: p.matches };
    const queries = [own, ...(Q > 1 ? extraQueries(p.persons, p.target, own, Q - 1, options.queryRng!) : [])];
    queries.forEach((q, j) => writeQueryRow(a, b * Q + j, b, q, owners, model, swapRng, options));
  });
  return a;
}

/** Row `r` (a query about image `b`): tokens and every per-query target (confidence, boxes, crop, offset swap). */
function writeQueryRow(
  a: BatchArrays, r: number, b: number, q: QueryRow, owners: ReadonlyMap<number, { encoded: EncodedBox }>,
  model: ModelConfig, swapRng: Rng, options: AssembleOptions,
): void {
  const S = model.grid;
  const cells = S * S;
  const T = model.slots;
  const size = model.inputSize;
  a.imageOfRow[r] = b;
  a.tokens.set(q.tokens, r * T);
  a.known.set(q.known, r * T);
  if (options.boxTargets === 'all') {
    // Every person's cell first; the matches below overwrite theirs.
    for (const [cell, { encoded: e }] of owners) {
      a.obj[r * cells + cell] = 1;
      a.boxTarget.set([e.x, e.y, e.w, e.h], (r * cells + cell) * 4);
    }
  }
  // Every matched person lights its centre cell; the target is encoded last so it wins a shared cell.
  const positives = q.target ? [...q.matches, q.target] : [];
  for (const box of positives) {
    const e = encodeBox(box, size, size, S);
    a.confTarget[r * cells + e.cell] = 1;
    a.obj[r * cells + e.cell] = 1;
    a.boxTarget.set([e.x, e.y, e.w, e.h], (r * cells + e.cell) * 4);
  }
  let swap;
  if (q.target) {
    const e = encodeBox(q.target, size, size, S);
    a.present[r] = 1;
    a.targetCell[r * cells + e.cell] = 1;
    a.cropBoxes.set([q.target[1] / size, q.target[0] / size, q.target[3] / size, q.target[2] / size], r * 4);
    swap = pickSwap(e.cell, S, swapRng);
    a.offsetLabel[r] = swap.label;
  } else {
    a.cropBoxes.set([0, 0, 1, 1], r * 4);
  }
  a.permutation.set(swapMatrix(cells, swap), r * cells * cells);
}

/**
 * The person-attribute proxy's inputs: for each frame's (up to maxPersons, largest first) labelled
 * people, a rows×columns grid of points inside the box, each as its 4 bilinear neighbours among the
 * cells of compact stage `fromStage` (cell centres at (i + 0.5)·stride, edges clamped), and their
 * tokens. Sparse (4 rows per point) so that sampling is one gather, not a [P·G, h·w] matrix product.
 */
export function personSampling(parts: PreparedSample[], model: ModelConfig): NonNullable<BatchArrays['roi']> {
  const pa = model.personAttributes;
  const [rows, cols] = pa.grid;
  const G = rows * cols;
  const P = pa.maxPersons;
  const T = model.slots;
  const stride = compactOutputStride(model.compact.stages, pa.fromStage);
  const side = Math.ceil(model.inputSize / stride);
  const cells = side * side;
  const points = parts.length * P * G;
  const index = new Int32Array(4 * points);
  const weight = new Float32Array(4 * points);
  const target = new Int32Array(parts.length * P * T);
  const mask = new Float32Array(parts.length * P * T);
  const clampCell = (v: number) => Math.max(0, Math.min(side - 1, v));
  parts.forEach((part, b) => {
    const people = [...part.persons].sort((x, y) => boxArea(y.box) - boxArea(x.box)).slice(0, P);
    people.forEach((person, k) => {
      const [l, t, r, bt] = person.box;
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) {
          const fx = (l + ((j + 0.5) / cols) * (r - l)) / stride - 0.5;
          const fy = (t + ((i + 0.5) / rows) * (bt - t)) / stride - 0.5;
          const x0 = Math.floor(fx), y0 = Math.floor(fy);
          const ax = fx - x0, ay = fy - y0;
          const point = (b * P + k) * G + i * cols + j;
          const corners = [[y0, x0, (1 - ay) * (1 - ax)], [y0, x0 + 1, (1 - ay) * ax], [y0 + 1, x0, ay * (1 - ax)], [y0 + 1, x0 + 1, ay * ax]] as const;
          corners.forEach(([yy, xx, w], n) => {
            index[n * points + point] = b * cells + clampCell(yy) * side + clampCell(xx);
            weight[n * points + point] = w;
          });
        }
      }
      writeTokenTargets(person.tokens, target, mask, (b * P + k) * T);
    });
  });
  return { index, weight, target, mask, persons: P, points: G, cells };
}

export interface BatchTensors {
  image: tf.Tensor4D;
  tokens: tf.Tensor2D;
  known: tf.Tensor2D;
  confTarget: tf.Tensor2D;
  boxTarget: tf.Tensor3D;
  obj: tf.Tensor2D;
  present: tf.Tensor1D;
  targetCell: tf.Tensor2D;
  cropBoxes: tf.Tensor2D;
  boxIndex: tf.Tensor1D;
  /** Present when several query rows share an image. */
  imageOfRow?: tf.Tensor1D;
  permutation: tf.Tensor3D;
  offsetLabel: tf.Tensor1D;
  attrTarget: tf.Tensor3D;
  attrMask: tf.Tensor3D;
  roiIndex?: tf.Tensor1D;
  roiWeight?: tf.Tensor2D;
  roiTarget?: tf.Tensor2D;
  roiMask?: tf.Tensor2D;
}

export function batchTensors(a: BatchArrays, model: ModelConfig): BatchTensors {
  const B = a.size;
  const R = a.rows;
  const S = model.grid;
  const cells = S * S;
  return {
    image: tf.tensor4d(a.image, [B, model.inputSize, model.inputSize, 3]),
    tokens: tf.tensor2d(a.tokens, [R, model.slots], 'int32'),
    known: tf.tensor2d(a.known, [R, model.slots]),
    confTarget: tf.tensor2d(a.confTarget, [R, cells]),
    boxTarget: tf.tensor3d(a.boxTarget, [R, cells, 4]),
    obj: tf.tensor2d(a.obj, [R, cells]),
    present: tf.tensor1d(a.present),
    targetCell: tf.tensor2d(a.targetCell, [R, cells]),
    cropBoxes: tf.tensor2d(a.cropBoxes, [R, 4]),
    // cropAndResize's box → image index: the row's image.
    boxIndex: tf.tensor1d(a.imageOfRow, 'int32'),
    ...(R !== B ? { imageOfRow: tf.tensor1d(a.imageOfRow, 'int32') } : {}),
    permutation: tf.tensor3d(a.permutation, [R, cells, cells]),
    offsetLabel: tf.tensor1d(a.offsetLabel, 'int32'),
    attrTarget: tf.tensor3d(a.attrTarget, [B, cells, model.slots], 'int32'),
    attrMask: tf.tensor3d(a.attrMask, [B, cells, model.slots]),
    ...(a.roi
      ? {
          roiIndex: tf.tensor1d(a.roi.index, 'int32'),
          roiWeight: tf.tensor2d(a.roi.weight, [4, B * a.roi.persons * a.roi.points]),
          roiTarget: tf.tensor2d(a.roi.target, [B * a.roi.persons, model.slots], 'int32'),
          roiMask: tf.tensor2d(a.roi.mask, [B * a.roi.persons, model.slots]),
        }
      : {}),
  };
}

export function disposeBatch(t: BatchTensors): void {
  for (const x of Object.values(t)) (x as tf.Tensor).dispose();
}
