/**
 * Training checkpoints: ONE file (`checkpoint/checkpoint.ckpt`) written atomically (temp, fsync,
 * rename), so a kill at any moment leaves either the previous or the new checkpoint, never a mix.
 *
 * Layout: "FPRCKPT1" (8 bytes) | header length (uint32 LE) | header JSON (UTF-8) | zero padding to
 * 4 bytes | float32 data. The header holds the training state and two weight-file headers (model
 * weights, Adam moments) whose offsets are relative to their own data block.
 */
import { closeSync, mkdirSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { ModelError } from '../errors';
import { writeFileAtomic } from '../model/atomicFile';
import { packArrays, unpackArrays, type NamedArray, type WeightsHeader } from '../model/weightsFile';

const MAGIC = 'FPRCKPT1';
export const CHECKPOINT_DIR = 'checkpoint';
export const CHECKPOINT_FILE = 'checkpoint.ckpt';

export interface TrainingState {
  /** Steps completed. The next step to run is `step`. */
  step: number;
  totalSteps: number;
  stepsPerEpoch: number;
  /** Per-weight Adam step counts. */
  adamSteps: Record<string, number>;
  /**
   * Randomness: every stream is derived from (seed, epoch/step, sample) — shuffles from (seed, epoch),
   * augmentation from (seed, epoch, position), offset swaps from (seed, step) — so the seed and the
   * step are the whole RNG state, and the data order position is step mod stepsPerEpoch.
   */
  seed: number;
  sampleCount: number;
  elapsedSeconds: number;
  /** Anything the trainer wants back verbatim (configs, data hashes). */
  meta: Record<string, unknown>;
}

interface Header {
  state: TrainingState;
  weights: WeightsHeader;
  adam: WeightsHeader;
}

export function checkpointPath(outDir: string): string {
  return join(outDir, CHECKPOINT_DIR, CHECKPOINT_FILE);
}

export function writeCheckpoint(outDir: string, state: TrainingState, weights: NamedArray[], adam: NamedArray[]): void {
  const w = packArrays(weights);
  const a = packArrays(adam);
  const header: Header = { state, weights: w.header, adam: a.header };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const pad = (4 - ((12 + json.byteLength) % 4)) % 4;
  const out = Buffer.alloc(12 + json.byteLength + pad + w.bin.byteLength + a.bin.byteLength);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(json.byteLength, 8);
  json.copy(out, 12);
  const dataStart = 12 + json.byteLength + pad;
  out.set(w.bin, dataStart);
  out.set(a.bin, dataStart + w.bin.byteLength);
  mkdirSync(join(outDir, CHECKPOINT_DIR), { recursive: true });
  writeFileAtomic(checkpointPath(outDir), out);
}

export interface LoadedCheckpoint {
  state: TrainingState;
  weights: NamedArray[];
  adam: NamedArray[];
}

/** The magic, the header length and the header of a checkpoint's first bytes (`buf` may hold just those). */
function parseHeader(file: string, buf: Buffer, fileBytes: number): { header: Header; len: number } {
  if (buf.byteLength < 12 || buf.toString('latin1', 0, 8) !== MAGIC) throw new ModelError(`${file}: not a FastPR checkpoint`, { file });
  const len = buf.readUInt32LE(8);
  if (12 + len > fileBytes || 12 + len > buf.byteLength) throw new ModelError(`${file}: truncated header`, { file });
  try {
    return { header: JSON.parse(buf.toString('utf8', 12, 12 + len)) as Header, len };
  } catch (e) {
    throw new ModelError(`${file}: header is not valid JSON (${(e as Error).message})`, { file });
  }
}

/**
 * The training state alone (configs, step, meta) from the header, without reading the weights and
 * Adam moments (tens of MB): what a resume needs to decide how to run; Trainer.resume reads the rest.
 */
export function readCheckpointState(outDir: string): TrainingState {
  const file = checkpointPath(outDir);
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    throw new ModelError(`${file}: no checkpoint to resume from`, { file });
  }
  try {
    const head = Buffer.alloc(12);
    const got = readSync(fd, head, 0, 12, 0);
    const len = got === 12 && head.toString('latin1', 0, 8) === MAGIC ? head.readUInt32LE(8) : 0;
    const buf = Buffer.alloc(12 + len);
    const n = readSync(fd, buf, 0, buf.byteLength, 0);
    return parseHeader(file, buf.subarray(0, n), n).header.state;
  } finally {
    closeSync(fd);
  }
}

export function readCheckpoint(outDir: string): LoadedCheckpoint {
  const file = checkpointPath(outDir);
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch {
    throw new ModelError(`${file}: no checkpoint to resume from`, { file });
  }
  const { header, len } = parseHeader(file, buf, buf.byteLength);
  const pad = (4 - ((12 + len) % 4)) % 4;
  const dataStart = 12 + len + pad;
  const wLen = header.weights?.byteLength ?? -1;
  const aLen = header.adam?.byteLength ?? -1;
  if (wLen < 0 || aLen < 0 || dataStart + wLen + aLen !== buf.byteLength) throw new ModelError(`${file}: data size does not match its header`, { file });
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  return {
    state: header.state,
    weights: unpackArrays(header.weights, bytes.subarray(dataStart, dataStart + wLen), file),
    adam: unpackArrays(header.adam, bytes.subarray(dataStart + wLen), file),
  };
}
