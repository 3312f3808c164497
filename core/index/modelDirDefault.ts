/** Which model the video commands use: --model DIR, else the repository's models/default, else a clear error. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelError } from '../errors';

export const DEFAULT_MODEL_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'models', 'default');

export function resolveModelDir(flag: string | undefined): string {
  if (flag) return resolve(flag);
  if (existsSync(join(DEFAULT_MODEL_DIR, 'onnx.json'))) return DEFAULT_MODEL_DIR;
  throw new ModelError('no model: train one or pass --model');
}
