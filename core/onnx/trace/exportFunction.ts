/**
 * Exports a TF.js function to ONNX: records it at two batch sizes (2 and 3) so the batch axis can
 * be told apart from fixed axes, converts the traces, and serialises the model.
 */
import * as tf from '../../tf/tf';
import type { GraphBuilder, ModelOptions } from '../builder/graph';
import { convertTraces, type ConvertOptions } from './convert';
import { recordTrace, type Trace } from './record';

export const TRACE_BATCH_SIZES = [2, 3] as const;

export interface ExportedFunction {
  bytes: Uint8Array;
  graph: GraphBuilder;
  /** The trace at batch 2 (kernel list, shapes). */
  trace: Trace;
}

export function exportFunction(
  name: string,
  makeInputs: (batch: number) => Record<string, tf.Tensor>,
  fn: (inputs: Record<string, tf.Tensor>) => Record<string, tf.Tensor>,
  opts: ConvertOptions & ModelOptions = {},
): ExportedFunction {
  const traces = TRACE_BATCH_SIZES.map((n) => {
    const inputs = makeInputs(n);
    try {
      return recordTrace(inputs, fn).trace;
    } finally {
      tf.dispose(Object.values(inputs));
    }
  });
  const graph = convertTraces(name, traces[0]!, traces[1]!, opts);
  return { bytes: graph.serialize(opts), graph, trace: traces[0]! };
}
