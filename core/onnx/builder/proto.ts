/**
 * The ONNX protobuf classes (generated protobufjs code shipped by `onnx-proto`, ONNX v1.10 schema).
 * onnx-proto is CommonJS; this is the one place that unwraps it.
 */
import pkg from 'onnx-proto';

export const onnx = pkg.onnx;
export type { onnx as OnnxTypes } from 'onnx-proto';

/** ONNX TensorProto.DataType codes for the element types we emit. */
export const ONNX_DTYPE = {
  float32: 1,
  uint8: 2,
  int8: 3,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
} as const;

export type OnnxDType = keyof typeof ONNX_DTYPE;

/** IR version written into every model (IR 7 pairs with opset 13 and is read by every onnxruntime ≥1.6). */
export const IR_VERSION = 7;
/** Default opset: single-axis Softmax, Resize with sizes, Squeeze/Unsqueeze/ReduceSum axes as inputs. */
export const DEFAULT_OPSET = 13;
