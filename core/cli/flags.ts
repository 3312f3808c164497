/** Parsing of CLI flag values shared by several commands. */
import { InputError } from '../errors';
import type { EncoderChoice } from '../infer/onnxRetriever';

/** A threshold flag: undefined when absent, else a number strictly between 0 and 1. */
export function thresholdFlag(raw: unknown, flag: string): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!(Number.isFinite(value) && value > 0 && value < 1)) {
    throw new InputError(`--${flag} must be a number between 0 and 1, got "${String(raw)}"`, { field: flag });
  }
  return value;
}

/** --encoder: which encoder graph runs (core/infer/onnxRetriever.ts EncoderChoice); undefined when absent. */
export function encoderFlag(raw: unknown): EncoderChoice | undefined {
  if (raw === undefined) return undefined;
  if (raw === 'float' || raw === 'int8' || raw === 'auto') return raw;
  throw new InputError(`--encoder must be float, int8 or auto, got "${String(raw)}"`, { field: 'encoder' });
}

/** `--rerank on|off`: crop-colour re-ranking (core/rerank) where the model has a reranker.json; undefined when absent. */
export function rerankFlag(raw: unknown): boolean | undefined {
  if (raw === undefined) return undefined;
  if (raw === 'on' || raw === 'off') return raw === 'on';
  throw new InputError(`--rerank must be on or off, got "${String(raw)}"`, { field: 'rerank' });
}

/** A whole-number flag ≥ 1: undefined when absent, else an InputError naming the flag. */
export function positiveIntFlag(raw: unknown, flag: string): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new InputError(`--${flag} must be a positive integer, got "${String(raw)}"`, { field: flag });
  return n;
}
