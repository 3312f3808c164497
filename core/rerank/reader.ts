/**
 * The crop attribute reader: one softmax regression per attribute over a box's colour descriptor
 * (descriptor.ts), giving log P(value | box). A query's log-likelihood at a box is the sum over its
 * stated attributes (naive Bayes: the attributes are read independently).
 */
import { ATTRIBUTES, type AttributeCodes, type AttributeKey } from '../attributes/schema';
import { DESCRIPTOR_LENGTH } from './descriptor';

export interface AttributeClassifier {
  key: AttributeKey;
  /** Number of values (the schema's codes 0..classes−1). */
  classes: number;
  /** [(DESCRIPTOR_LENGTH + 1) × classes], row-major; the last row is the bias. */
  weights: Float32Array;
}

export interface CropAttributeReader {
  classifiers: AttributeClassifier[];
}

/** Number of weights of one attribute's classifier. */
export function classifierSize(classes: number): number {
  return (DESCRIPTOR_LENGTH + 1) * classes;
}

/** log P(value | descriptor) for every value of one attribute. */
export function attributeLogProbabilities(c: AttributeClassifier, descriptor: Float32Array): Float64Array {
  const K = c.classes, D = DESCRIPTOR_LENGTH, w = c.weights;
  const logits = new Float64Array(K);
  for (let k = 0; k < K; k++) logits[k] = w[D * K + k]!;
  for (let d = 0; d < D; d++) {
    const x = descriptor[d]!;
    if (x === 0) continue; // histograms are sparse
    const row = d * K;
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
  for (const c of reader.classifiers) {
    const code = codes[c.key];
    if (code === undefined || code < 0 || code >= c.classes) continue;
    sum += attributeLogProbabilities(c, descriptor)[code]!;
  }
  return sum;
}

/** Classes of each attribute in the schema (a reader must match them). */
export function schemaClasses(key: AttributeKey): number {
  return ATTRIBUTES.find((a) => a.key === key)!.values.length;
}
