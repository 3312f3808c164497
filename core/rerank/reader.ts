/**
 * The crop attribute reader: log P(value | box) for each attribute from a box's descriptor
 * (descriptor.ts, the version the reader was fitted on) — one softmax per attribute over either the
 * descriptor itself (linear) or a shared hidden layer of ReLU units. A query's log-likelihood at a box is the sum over its stated attributes
 * (naive Bayes: the attributes are read independently).
 */
import { ATTRIBUTES, type AttributeCodes, type AttributeKey } from '../attributes/schema';
import { descriptorLength, type DescriptorVersion } from './descriptor';

export interface AttributeClassifier {
  key: AttributeKey;
  /** Number of values (the schema's codes 0..classes−1). */
  classes: number;
  /** [(F + 1) × classes], row-major, F = the reader's feature width; the last row is the bias. */
  weights: Float32Array;
}

/** A shared hidden layer: relu(descriptor · weights + bias). */
export interface HiddenLayer {
  width: number;
  /** [descriptor length × width], row-major. */
  weights: Float32Array;
  bias: Float32Array;
}

export interface CropAttributeReader {
  /** The descriptor version it reads (descriptor.ts). */
  descriptorVersion: DescriptorVersion;
  hidden?: HiddenLayer;
  classifiers: AttributeClassifier[];
}

/** Width of the features the classifiers read: the hidden layer's, else the descriptor's. */
export function featureWidth(reader: Pick<CropAttributeReader, 'hidden' | 'descriptorVersion'>): number {
  return reader.hidden?.width ?? descriptorLength(reader.descriptorVersion);
}

/** Number of weights of one attribute's classifier over F features. */
export function classifierSize(classes: number, features: number): number {
  return (features + 1) * classes;
}

/** The features the classifiers read: the hidden layer's activations, or the descriptor itself. */
export function readerFeatures(reader: Pick<CropAttributeReader, 'hidden'>, descriptor: Float32Array): Float32Array {
  const h = reader.hidden;
  if (!h) return descriptor;
  const D = h.weights.length / h.width;
  if (descriptor.length !== D) throw new Error(`the reader's hidden layer reads ${D} descriptor values, got ${descriptor.length}`);
  const out = Float32Array.from(h.bias);
  for (let d = 0; d < D; d++) {
    const x = descriptor[d]!;
    if (x === 0) continue; // histograms are sparse
    const row = d * h.width;
    for (let j = 0; j < h.width; j++) out[j]! += x * h.weights[row + j]!;
  }
  for (let j = 0; j < h.width; j++) if (out[j]! < 0) out[j] = 0;
  return out;
}

/** log P(value | box) for every value of one attribute, from the reader's features of the box. */
export function attributeLogProbabilities(c: AttributeClassifier, features: Float32Array): Float64Array {
  const K = c.classes, F = features.length, w = c.weights;
  if (w.length !== (F + 1) * K) throw new Error(`classifier "${c.key}" reads ${w.length / K - 1} features, got ${F}`);
  const logits = new Float64Array(K);
  for (let k = 0; k < K; k++) logits[k] = w[F * K + k]!;
  for (let f = 0; f < F; f++) {
    const x = features[f]!;
    if (x === 0) continue;
    const row = f * K;
    for (let k = 0; k < K; k++) logits[k]! += x * w[row + k]!;
  }
  let max = -Infinity;
  for (const v of logits) max = Math.max(max, v);
  let sum = 0;
  for (const v of logits) sum += Math.exp(v - max);
  const lse = max + Math.log(sum);
  for (let k = 0; k < K; k++) logits[k]! -= lse;
  return logits;
}

/**
 * Σ over the query's stated attributes (codes ≥ 0) that the reader has a classifier for of
 * log P(stated value | box); 0 for a query that states none of them.
 */
export function queryLogLikelihood(reader: CropAttributeReader, descriptor: Float32Array, codes: AttributeCodes): number {
  let sum = 0;
  let features: Float32Array | undefined;
  for (const c of reader.classifiers) {
    const code = codes[c.key];
    if (code === undefined || code < 0 || code >= c.classes) continue;
    features ??= readerFeatures(reader, descriptor);
    sum += attributeLogProbabilities(c, features)[code]!;
  }
  return sum;
}

/** Classes of each attribute in the schema (a reader must match them). */
export function schemaClasses(key: AttributeKey): number {
  return ATTRIBUTES.find((a) => a.key === key)!.values.length;
}
