/**
 * Frame pixels for the baseline: decode (through core/image/canvas), normalise to −1..1, stretch
 * to the detector's square input, and cut person crops with bilinear crop-and-resize.
 */
import type { Box } from '../dataset/format';
import { loadRgba } from '../image/canvas';
import * as tf from '../tf/tf';
import type { ClassifierConfig, DetectorConfig } from './config';

/** A decoded frame as a normalised [H, W, 3] tensor (caller disposes). */
export async function loadFrameTensor(path: string): Promise<tf.Tensor3D> {
  const img = await loadRgba(path);
  return rgbaToTensor(img.data, img.width, img.height);
}

export function rgbaToTensor(rgba: ArrayLike<number>, width: number, height: number): tf.Tensor3D {
  const rgb = new Float32Array(width * height * 3);
  for (let i = 0, j = 0; i < width * height; i++, j += 3) {
    rgb[j] = rgba[i * 4]! / 127.5 - 1;
    rgb[j + 1] = rgba[i * 4 + 1]! / 127.5 - 1;
    rgb[j + 2] = rgba[i * 4 + 2]! / 127.5 - 1;
  }
  return tf.tensor3d(rgb, [height, width, 3]);
}

/** Frames stretched to the detector input: [N, S, S, 3]. */
export function detectorInput(frames: tf.Tensor3D[], cfg: DetectorConfig): tf.Tensor4D {
  return tf.tidy(() => tf.stack(frames.map((f) => tf.image.resizeBilinear(f, [cfg.inputSize, cfg.inputSize]))) as tf.Tensor4D);
}

/** Frame-pixel box → detector-input pixels (stretch) and back. */
export function frameToInputBox(box: Box, width: number, height: number, size: number): Box {
  return [box[0] * size / width, box[1] * size / height, box[2] * size / width, box[3] * size / height];
}
export function inputToFrameBox(box: Box, width: number, height: number, size: number): Box {
  return [box[0] * width / size, box[1] * height / size, box[2] * width / size, box[3] * height / size];
}

/**
 * Crops boxes (frame pixels) out of one frame at the classifier's crop size: [boxes, h, w, 3].
 * cropAndResize samples pixel centres: a box [l, r) spans sample coordinates l .. r−1.
 */
export function cropBoxes(frame: tf.Tensor3D, boxes: Box[], cfg: ClassifierConfig, flip = false): tf.Tensor4D {
  const [h, w] = [frame.shape[0], frame.shape[1]];
  return tf.tidy(() => {
    const norm = boxes.map(([l, t, r, b]) => [
      t / Math.max(1, h - 1), l / Math.max(1, w - 1), Math.max(t, b - 1) / Math.max(1, h - 1), Math.max(l, r - 1) / Math.max(1, w - 1),
    ]);
    const crops = tf.image.cropAndResize(
      tf.expandDims(frame, 0) as tf.Tensor4D,
      tf.tensor2d(norm.flat(), [boxes.length, 4]),
      tf.tensor1d(boxes.map(() => 0), 'int32'),
      cfg.cropSize,
    );
    return flip ? tf.reverse(crops, 2) : crops;
  });
}
