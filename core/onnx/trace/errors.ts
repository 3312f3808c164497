/** Errors and dtype mapping shared by the trace converter and its kernel tables. */
import type { OnnxDType } from '../builder/proto';

/** A TF.js kernel or usage pattern that has no ONNX export. */
export class UnsupportedOpError extends Error { override name = 'UnsupportedOpError'; }

export function onnxType(dtype: string): OnnxDType {
  if (dtype === 'float32') return 'float32';
  if (dtype === 'int32') return 'int32';
  if (dtype === 'bool') return 'bool';
  throw new UnsupportedOpError(`dtype ${dtype} cannot be exported`);
}
