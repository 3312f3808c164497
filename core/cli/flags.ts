/** Parsing of CLI flag values shared by several commands. */
import { InputError } from '../errors';

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
export function encoderFlag(raw: unknown): 'float' | 'int8' | 'auto' | undefined {
  if (raw === undefined) return undefined;
  if (raw === 'float' || raw === 'int8' || raw === 'auto') return raw;
  throw new InputError(`--encoder must be float, int8 or auto, got "${String(raw)}"`, { field: 'encoder' });
}
