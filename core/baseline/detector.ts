/**
 * Stage 1: a small anchor-free one-stage person detector (YOLO-v1-like, one box per grid cell).
 *
 * Output per cell: objectness logit, centre x/y within the cell (sigmoid), √w and √h relative to
 * the input side. The cell holding a person's box centre is responsible for it; when two centres
 * share a cell the larger person wins (the usual YOLO-v1 limitation, small at a 26×26 grid).
 * Trained on every annotated person, not only query targets.
 */
import type { Box } from '../dataset/format';
import * as tf from '../tf/tf';
import { detectorStride, type DetectorConfig } from './config';
import { nonMaxSuppression, type Detection } from './nms';
import { conv, ParamBuilder, type Params } from './params';

export function buildDetector(cfg: DetectorConfig, seed: number): Params {
  const b = new ParamBuilder(seed);
  let cin = 3;
  cfg.layers.forEach((l, i) => { b.conv(`det.conv${i}`, l.k, cin, l.out); cin = l.out; });
  b.conv('det.head', 1, cin, 5, 1);
  return b.params;
}

/** images: [N, S, S, 3] normalised to −1..1 → raw head output [N, G, G, 5]. */
export function detectorForward(params: Params, cfg: DetectorConfig, images: tf.Tensor4D): tf.Tensor4D {
  let x = images;
  cfg.layers.forEach((l, i) => { x = conv(params, `det.conv${i}`, x, l.stride); });
  return conv(params, 'det.head', x, 1, false);
}

export function gridSize(cfg: DetectorConfig): number {
  return Math.ceil(cfg.inputSize / detectorStride(cfg));
}

/** Training targets for one image: boxes in input pixels → [G, G, 5] (objectness, x, y, √w, √h). */
export function encodeDetectorTargets(boxes: Box[], cfg: DetectorConfig): Float32Array {
  const g = gridSize(cfg);
  const stride = detectorStride(cfg);
  const s = cfg.inputSize;
  const out = new Float32Array(g * g * 5);
  const areaAt = new Float32Array(g * g);
  for (const [l, t, r, b] of boxes) {
    const w = Math.min(r, s) - Math.max(l, 0);
    const h = Math.min(b, s) - Math.max(t, 0);
    if (w <= 1 || h <= 1) continue;
    const cx = (Math.max(l, 0) + Math.min(r, s)) / 2;
    const cy = (Math.max(t, 0) + Math.min(b, s)) / 2;
    const gx = Math.min(g - 1, Math.floor(cx / stride));
    const gy = Math.min(g - 1, Math.floor(cy / stride));
    const cell = gy * g + gx;
    if (areaAt[cell]! >= w * h) continue;
    areaAt[cell] = w * h;
    out.set([1, cx / stride - gx, cy / stride - gy, Math.sqrt(w / s), Math.sqrt(h / s)], cell * 5);
  }
  return out;
}

/**
 * Loss: objectness BCE averaged separately over positive and negative cells (balances the few
 * people against hundreds of empty cells) + boxLossWeight × squared error of (x, y, √w, √h) on
 * positive cells.
 */
export function detectorLoss(output: tf.Tensor4D, targets: tf.Tensor4D, cfg: DetectorConfig): tf.Scalar {
  return tf.tidy(() => {
    const [objLogit, xy, wh] = tf.split(output, [1, 2, 2], 3) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
    const [tObj, tXy, tWh] = tf.split(targets, [1, 2, 2], 3) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
    // Numerically stable BCE with logits: max(z,0) − z·y + log(1 + e^−|z|).
    const bce = tf.add(tf.sub(tf.relu(objLogit), tf.mul(objLogit, tObj)), tf.log1p(tf.exp(tf.neg(tf.abs(objLogit)))));
    const pos = tObj;
    const neg = tf.sub(1, tObj);
    const nPos = tf.maximum(tf.sum(pos), 1);
    const nNeg = tf.maximum(tf.sum(neg), 1);
    const objLoss = tf.add(tf.div(tf.sum(tf.mul(bce, pos)), nPos), tf.div(tf.sum(tf.mul(bce, neg)), nNeg));
    const boxErr = tf.add(
      tf.sum(tf.mul(tf.square(tf.sub(tf.sigmoid(xy), tXy)), pos)),
      tf.sum(tf.mul(tf.square(tf.sub(wh, tWh)), pos)),
    );
    return tf.add(objLoss, tf.mul(cfg.boxLossWeight, tf.div(boxErr, nPos))) as tf.Scalar;
  });
}

/** Decodes one image's head output ([G, G, 5] values) into boxes in input pixels, after NMS. */
export function decodeDetections(values: Float32Array, cfg: DetectorConfig): Detection[] {
  const g = gridSize(cfg);
  const stride = detectorStride(cfg);
  const s = cfg.inputSize;
  const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
  const dets: Detection[] = [];
  for (let cell = 0; cell < g * g; cell++) {
    const o = cell * 5;
    const score = sigmoid(values[o]!);
    if (score < cfg.scoreThreshold) continue;
    const gx = cell % g;
    const gy = Math.floor(cell / g);
    const cx = (gx + sigmoid(values[o + 1]!)) * stride;
    const cy = (gy + sigmoid(values[o + 2]!)) * stride;
    const w = Math.max(0, values[o + 3]!) ** 2 * s;
    const h = Math.max(0, values[o + 4]!) ** 2 * s;
    if (w < 1 || h < 1) continue;
    dets.push({ score, box: [Math.max(0, cx - w / 2), Math.max(0, cy - h / 2), Math.min(s, cx + w / 2), Math.min(s, cy + h / 2)] });
  }
  return nonMaxSuppression(dets, cfg.nmsIoU, cfg.maxDetections);
}
