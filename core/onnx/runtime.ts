/**
 * The only module that imports onnxruntime-node: execution providers, sessions, tensors.
 * Everything else talks to onnxruntime through OnnxSession and plain typed arrays (HostTensor),
 * so no other module depends on onnxruntime's types.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { ModelError } from '../errors';

export interface ExecutionProviderInfo {
  name: string;
  /** Shipped inside the npm package (cpu) or installed separately (cuda, tensorrt). */
  bundled: boolean;
}

export function listExecutionProviders(): ExecutionProviderInfo[] {
  const list = (ort as unknown as { listSupportedBackends?: () => ExecutionProviderInfo[] }).listSupportedBackends?.();
  return list ? list.map((b) => ({ name: b.name, bundled: b.bundled })) : [{ name: 'cpu', bundled: true }];
}

export function onnxRuntimeVersion(): string {
  return (ort.env as { versions?: { node?: string } }).versions?.node ?? 'unknown';
}

export type TensorElementType = 'float32' | 'int64' | 'int32' | 'uint8' | 'bool';
export type TensorData = Float32Array | BigInt64Array | Int32Array | Uint8Array;

/** A tensor in host memory, row-major. */
export interface HostTensor { type: TensorElementType; data: TensorData; dims: readonly number[] }

export function hostTensor(type: 'float32', data: Float32Array, dims: readonly number[]): HostTensor;
export function hostTensor(type: 'int64', data: BigInt64Array, dims: readonly number[]): HostTensor;
export function hostTensor(type: TensorElementType, data: TensorData, dims: readonly number[]): HostTensor {
  const n = dims.reduce((a, b) => a * b, 1);
  if (n !== data.length) throw new Error(`tensor of shape [${dims.join(',')}] needs ${n} values, got ${data.length}`);
  return { type, data, dims };
}

/** int64 tensor from plain numbers (query tokens). */
export function int64Tensor(values: readonly number[], dims: readonly number[]): HostTensor {
  return hostTensor('int64', BigInt64Array.from(values, (v) => BigInt(v)), dims);
}

export type ProviderChoice = 'auto' | 'cpu' | 'cuda';

export interface SessionOptions {
  /** 'auto' (default): CUDA when its provider loads, else CPU. Env FASTPR_ORT_PROVIDER overrides 'auto'. */
  provider?: ProviderChoice;
  /** CPU intra-op threads (0 or undefined = onnxruntime's default, one per core). */
  intraOpThreads?: number;
  /** Names the model in error messages when the source is bytes. */
  label?: string;
}

/** Declared name, element type and shape (symbolic dims as strings) of a graph input/output. */
export interface ValueMeta { name: string; type: string; shape: readonly (number | string)[] }

let cudaUnavailable: string | undefined;

/**
 * onnxruntime-node lists 'cuda' as a supported backend even when its provider library (installed
 * separately with the CUDA runtime) is absent; trying it then logs a loud native error. Look first.
 */
function cudaProviderInstalled(): boolean {
  try {
    const pkg = dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
    const bin = join(pkg, 'bin', 'napi-v6', process.platform, process.arch);
    return existsSync(join(bin, process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so'));
  } catch {
    return false;
  }
}

function metaOf(list: readonly ort.InferenceSession.ValueMetadata[]): ValueMeta[] {
  return list.map((m) => (m.isTensor
    ? { name: m.name, type: String(m.type), shape: m.shape.map((d) => (typeof d === 'number' ? d : String(d))) }
    : { name: m.name, type: 'non-tensor', shape: [] }));
}

export class OnnxSession {
  readonly inputs: ValueMeta[];
  readonly outputs: ValueMeta[];
  private disposed = false;

  private constructor(private readonly session: ort.InferenceSession, readonly provider: 'cpu' | 'cuda', readonly label: string) {
    this.inputs = metaOf(session.inputMetadata);
    this.outputs = metaOf(session.outputMetadata);
  }

  /** Loads a model from a file path or bytes. A missing, truncated or invalid file → ModelError naming it. */
  static async create(source: string | Uint8Array, opts: SessionOptions = {}): Promise<OnnxSession> {
    const label = opts.label ?? (typeof source === 'string' ? source : 'in-memory model');
    const base: ort.InferenceSession.SessionOptions = {
      graphOptimizationLevel: 'all',
      ...(opts.intraOpThreads ? { intraOpNumThreads: opts.intraOpThreads } : {}),
      interOpNumThreads: 1,
      executionMode: 'sequential',
    };
    const envChoice = process.env.FASTPR_ORT_PROVIDER as ProviderChoice | undefined;
    const choice = opts.provider && opts.provider !== 'auto' ? opts.provider : envChoice ?? 'auto';
    const load = (eps: string[]) => (typeof source === 'string'
      ? ort.InferenceSession.create(source, { ...base, executionProviders: eps })
      : ort.InferenceSession.create(source, { ...base, executionProviders: eps }));
    const wantCuda = choice === 'cuda' || (choice === 'auto' && !cudaUnavailable && listExecutionProviders().some((p) => p.name === 'cuda') && cudaProviderInstalled());
    if (wantCuda) {
      try {
        return new OnnxSession(await load(['cuda']), 'cuda', label);
      } catch (err) {
        cudaUnavailable = (err as Error).message;
        if (choice === 'cuda') throw new ModelError(`${basename(label)}: the CUDA execution provider is not usable here: ${cudaUnavailable}`, { file: label });
      }
    }
    try {
      return new OnnxSession(await load(['cpu']), 'cpu', label);
    } catch (err) {
      const msg = (err as Error).message.split('\n')[0];
      throw new ModelError(`${label}: not a loadable ONNX model (${msg})`, { file: label });
    }
  }

  /** Why CUDA was not used in this process (undefined if it was never tried or it worked). */
  static cudaUnavailableReason(): string | undefined { return cudaUnavailable; }

  input(name: string): ValueMeta | undefined { return this.inputs.find((m) => m.name === name); }
  output(name: string): ValueMeta | undefined { return this.outputs.find((m) => m.name === name); }

  async run(feeds: Record<string, HostTensor>, fetches?: readonly string[]): Promise<Record<string, HostTensor>> {
    if (this.disposed) throw new Error(`${this.label}: session already disposed`);
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor(t.type, t.data, t.dims);
    let results: ort.InferenceSession.ReturnType;
    try {
      results = fetches ? await this.session.run(ortFeeds, [...fetches]) : await this.session.run(ortFeeds);
    } catch (err) {
      throw new ModelError(`${basename(this.label)}: inference failed: ${(err as Error).message.split('\n')[0]}`, { file: this.label });
    }
    const out: Record<string, HostTensor> = {};
    for (const [name, t] of Object.entries(results)) {
      out[name] = { type: t.type as TensorElementType, data: t.data as TensorData, dims: [...t.dims] };
      t.dispose();
    }
    return out;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.session.release();
  }
}
