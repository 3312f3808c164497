/**
 * The only module that imports onnxruntime-node: execution providers, sessions, tensors.
 * Everything else talks to onnxruntime through OnnxSession and plain typed arrays (HostTensor),
 * so no other module depends on onnxruntime's types.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
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
  /**
   * false: intra-op pool threads sleep instead of spin-waiting between ops. Spinning lowers
   * latency on an idle machine but burns the CPU a concurrent process (ffmpeg during ingest, other
   * sessions) needs; bench:onnx measures both. Default: onnxruntime's (spinning). No effect at 1 thread.
   */
  spinning?: boolean;
  /**
   * CPU only: run the session on its own worker thread. onnxruntime-node's `run` computes
   * synchronously on the calling (main) thread, so nothing else in the process — reading ffmpeg's
   * pipe, normalising the next batch — happens while it runs; ffmpeg then stalls on a full pipe
   * (64 KiB). In a worker the main thread stays free and the two really overlap. Inputs are copied
   * to the worker (~1 ms per 10 MB), outputs come back as transferred buffers.
   */
  inWorker?: boolean;
  /**
   * false: no CPU memory arena (and no memory-pattern planning): each run's tensors are freed when
   * it ends. onnxruntime's arena keeps a session's peak allocation for the session's lifetime, which
   * for a per-query head run on 256 frames of cells is tens of MB; sessions kept per query then
   * grow a long-running process without bound. Default true (onnxruntime's default).
   */
  memoryArena?: boolean;
  /** Names the model in error messages when the source is bytes. */
  label?: string;
}

/** Declared name, element type and shape (symbolic dims as strings) of a graph input/output. */
export interface ValueMeta { name: string; type: string; shape: readonly (number | string)[] }

let cudaUnavailable: string | undefined;
let workerUnavailable: string | undefined;

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

/** What OnnxSession runs on: an onnxruntime session in this thread, or one in a worker thread. */
interface Engine {
  inputs: ValueMeta[];
  outputs: ValueMeta[];
  run(feeds: Record<string, HostTensor>, fetches?: readonly string[]): Promise<Record<string, HostTensor>>;
  release(): Promise<void>;
}

function localEngine(session: ort.InferenceSession): Engine {
  return {
    inputs: metaOf(session.inputMetadata),
    outputs: metaOf(session.outputMetadata),
    async run(feeds, fetches) {
      const ortFeeds: Record<string, ort.Tensor> = {};
      for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor(t.type, t.data, t.dims);
      const results = fetches ? await session.run(ortFeeds, [...fetches]) : await session.run(ortFeeds);
      const out: Record<string, HostTensor> = {};
      for (const [name, t] of Object.entries(results)) {
        out[name] = { type: t.type as TensorElementType, data: t.data as TensorData, dims: [...t.dims] };
        t.dispose();
      }
      return out;
    },
    release: () => session.release(),
  };
}

/**
 * The worker's code, plain CommonJS evaluated in the worker (no bundling step; this module stays
 * the only importer of onnxruntime-node): create, run, release; errors go back as messages.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
let ort;
let loadError;
try { ort = require(workerData.ortPath); } catch (e) { loadError = String((e && e.message) || e); }
let session;
const meta = (list) => list.map((m) => ({ name: m.name, isTensor: m.isTensor, type: m.type, shape: m.shape ? [...m.shape] : [] }));
parentPort.on('message', async (m) => {
  try {
    if (m.op === 'create') {
      if (loadError) { parentPort.postMessage({ id: m.id, ok: false, unavailable: true, error: loadError }); return; }
      session = await ort.InferenceSession.create(m.source, m.options);
      parentPort.postMessage({ id: m.id, ok: true, inputs: meta(session.inputMetadata), outputs: meta(session.outputMetadata) });
    } else if (m.op === 'run') {
      const feeds = {};
      for (const [k, t] of Object.entries(m.feeds)) feeds[k] = new ort.Tensor(t.type, t.data, t.dims);
      const r = m.fetches ? await session.run(feeds, m.fetches) : await session.run(feeds);
      const out = {};
      const transfer = [];
      for (const [k, t] of Object.entries(r)) {
        const data = t.data.slice();
        out[k] = { type: t.type, data, dims: [...t.dims] };
        transfer.push(data.buffer);
        t.dispose();
      }
      parentPort.postMessage({ id: m.id, ok: true, out }, transfer);
    } else if (m.op === 'release') {
      if (session) await session.release();
      session = undefined;
      parentPort.postMessage({ id: m.id, ok: true });
    }
  } catch (e) {
    parentPort.postMessage({ id: m.id, ok: false, error: String((e && e.message) || e) });
  }
});
`;

/** The worker thread itself could not run onnxruntime (not a problem of the model). */
class WorkerUnavailable extends Error {}

interface WorkerReply { id: number; ok: boolean; unavailable?: boolean; error?: string; inputs?: ort.InferenceSession.ValueMetadata[]; outputs?: ort.InferenceSession.ValueMetadata[]; out?: Record<string, HostTensor> }

async function workerEngine(source: string | Uint8Array, options: ort.InferenceSession.SessionOptions): Promise<Engine> {
  let worker: Worker;
  try {
    worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ortPath: createRequire(import.meta.url).resolve('onnxruntime-node') } });
  } catch (err) {
    throw new WorkerUnavailable((err as Error).message);
  }
  const pending = new Map<number, { resolve: (r: WorkerReply) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let dead: Error | undefined;
  worker.unref(); // kept alive only while a request is pending (below)
  const failAll = (e: Error) => {
    dead = e;
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  worker.on('message', (r: WorkerReply) => {
    const p = pending.get(r.id);
    if (!p) return;
    pending.delete(r.id);
    if (pending.size === 0) worker.unref();
    if (r.ok) p.resolve(r);
    else p.reject(r.unavailable ? new WorkerUnavailable(r.error) : new Error(r.error));
  });
  worker.on('error', (e) => failAll(new WorkerUnavailable(e.message)));
  worker.on('exit', (code) => failAll(new WorkerUnavailable(`onnxruntime worker thread exited (code ${code})`)));
  const call = (msg: Record<string, unknown>, transfer: ArrayBuffer[] = []) => new Promise<WorkerReply>((resolve, reject) => {
    if (dead) { reject(dead); return; }
    const id = nextId++;
    pending.set(id, { resolve, reject });
    worker.ref();
    worker.postMessage({ ...msg, id }, transfer);
  });
  try {
    const created = await call({ op: 'create', source, options });
    return {
      inputs: metaOf(created.inputs!),
      outputs: metaOf(created.outputs!),
      async run(feeds, fetches) {
        const copies: Record<string, HostTensor> = {};
        const transfer: ArrayBuffer[] = [];
        for (const [name, t] of Object.entries(feeds)) {
          const data = t.data.slice() as TensorData; // the caller keeps its array
          copies[name] = { type: t.type, data, dims: [...t.dims] };
          transfer.push(data.buffer as ArrayBuffer);
        }
        return (await call({ op: 'run', feeds: copies, fetches: fetches ? [...fetches] : undefined }, transfer)).out!;
      },
      async release() {
        try {
          if (!dead) await call({ op: 'release' });
        } finally {
          await worker.terminate();
        }
      },
    };
  } catch (err) {
    await worker.terminate();
    throw err;
  }
}

export class OnnxSession {
  readonly inputs: ValueMeta[];
  readonly outputs: ValueMeta[];
  private disposed = false;

  private constructor(private readonly engine: Engine, readonly provider: 'cpu' | 'cuda', readonly label: string) {
    this.inputs = engine.inputs;
    this.outputs = engine.outputs;
  }

  /** Loads a model from a file path or bytes. A missing, truncated or invalid file → ModelError naming it. */
  static async create(source: string | Uint8Array, opts: SessionOptions = {}): Promise<OnnxSession> {
    const label = opts.label ?? (typeof source === 'string' ? source : 'in-memory model');
    const base: ort.InferenceSession.SessionOptions = {
      graphOptimizationLevel: 'all',
      ...(opts.intraOpThreads ? { intraOpNumThreads: opts.intraOpThreads } : {}),
      interOpNumThreads: 1,
      executionMode: 'sequential',
      ...(opts.spinning === false ? { extra: { session: { intra_op: { allow_spinning: '0' } } } } : {}),
      ...(opts.memoryArena === false ? { enableCpuMemArena: false, enableMemPattern: false } : {}),
    };
    const envChoice = process.env.FASTPR_ORT_PROVIDER as ProviderChoice | undefined;
    const choice = opts.provider && opts.provider !== 'auto' ? opts.provider : envChoice ?? 'auto';
    const load = (eps: string[]) => (typeof source === 'string'
      ? ort.InferenceSession.create(source, { ...base, executionProviders: eps })
      : ort.InferenceSession.create(source, { ...base, executionProviders: eps }));
    const wantCuda = choice === 'cuda' || (choice === 'auto' && !cudaUnavailable && listExecutionProviders().some((p) => p.name === 'cuda') && cudaProviderInstalled());
    if (wantCuda) {
      try {
        return new OnnxSession(localEngine(await load(['cuda'])), 'cuda', label);
      } catch (err) {
        cudaUnavailable = (err as Error).message;
        if (choice === 'cuda') throw new ModelError(`${basename(label)}: the CUDA execution provider is not usable here: ${cudaUnavailable}`, { file: label });
      }
    }
    try {
      if (opts.inWorker) {
        try {
          return new OnnxSession(await workerEngine(source, { ...base, executionProviders: ['cpu'] }), 'cpu', label);
        } catch (err) {
          // A worker that cannot load onnxruntime (an unusual packaging) must not stop ingest: run here.
          if (!(err instanceof WorkerUnavailable)) throw err;
          workerUnavailable = err.message;
        }
      }
      return new OnnxSession(localEngine(await load(['cpu'])), 'cpu', label);
    } catch (err) {
      const msg = (err as Error).message.split('\n')[0];
      throw new ModelError(`${label}: not a loadable ONNX model (${msg})`, { file: label });
    }
  }

  /** Why CUDA was not used in this process (undefined if it was never tried or it worked). */
  static cudaUnavailableReason(): string | undefined { return cudaUnavailable; }

  /** Why an `inWorker` session ran on the calling thread instead (undefined if never). */
  static workerUnavailableReason(): string | undefined { return workerUnavailable; }

  input(name: string): ValueMeta | undefined { return this.inputs.find((m) => m.name === name); }
  output(name: string): ValueMeta | undefined { return this.outputs.find((m) => m.name === name); }

  async run(feeds: Record<string, HostTensor>, fetches?: readonly string[]): Promise<Record<string, HostTensor>> {
    if (this.disposed) throw new Error(`${this.label}: session already disposed`);
    try {
      return await this.engine.run(feeds, fetches);
    } catch (err) {
      throw new ModelError(`${basename(this.label)}: inference failed: ${(err as Error).message.split('\n')[0]}`, { file: this.label });
    }
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.engine.release();
  }
}
