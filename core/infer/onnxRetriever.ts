/**
 * FastPR inference with onnxruntime: preprocess → encoder → head → decode, with dispose().
 *
 * Frames are encoded once (encoder.onnx, the expensive part) and the features can be queried many
 * times (head.onnx), which is how video is indexed and then searched. Preprocessing is
 * core/model/preprocess.ts (the function training uses) with the parameters stored in onnx.json;
 * decoding is core/model/decode.ts. A query's tokens [1, T] are broadcast over a batch of frames
 * inside the head graph.
 */
import { join } from 'node:path';
import { canonicalCodes } from '../attributes/codec';
import { codesToSlotArray, globalToken, SLOT_TOKEN_OFFSETS, type AttributeCodes } from '../attributes/schema';
import { CancelledError, ModelError } from '../errors';
import { preprocessFrame, type InputTransform } from '../model/preprocess';
import { currentInt8Encoder, ONNX_MANIFEST_FILE, readGraphFile, readOnnxManifest, type OnnxManifest } from '../onnx/export/manifest';
import { OnnxSession, type ProviderChoice, type ValueMeta } from '../onnx/runtime';
import { decodeFrame, type DecodeOptions, type FramePrediction, type HeadOutputs } from './decodeFrames';
import { PrefilterHead } from './prefilterHead';
import { HeadCache } from './headCache';
import { mergeMirrored, mirrorInputs, type Tta } from './flipTta';
import { FoldedHead, projectionToFeatures, readHeadWeights, type FeatureProjection, type HeadWeights } from './foldedHead';
import { checkFrame, type Frame } from './frames';

export interface RetrieverOptions {
  /** onnxruntime CPU intra-op threads (default: onnxruntime's choice, one per core). */
  threads?: number;
  provider?: ProviderChoice;
  /** Frames per encoder/head run (default 8). */
  batchSize?: number;
  /** CPU: run the encoder on a worker thread (see SessionOptions.inWorker; ingest overlaps it with decoding). */
  encoderInWorker?: boolean;
  /** Per-query heads kept (folded heads and prefilters, each; default HEAD_CACHE_LIMIT). */
  headCacheLimit?: number;
  /**
   * Which encoder graph: 'float' (encoder.onnx, the default), 'int8' (encoder.int8.onnx, made by
   * `fastpr quantize-encoder`; a ModelError when the model has none), or 'auto' (int8 when listed).
   */
  encoder?: EncoderChoice;
  /** onnxruntime memory arenas for the per-query heads (default false: SessionOptions.memoryArena; true only for bench:search-memory's comparison). */
  headMemoryArena?: boolean;
}

export type EncoderChoice = 'float' | 'int8' | 'auto';

/** Which encoder file a retriever runs: what indexes, reports and checkpoints record besides the model hash. */
export interface EncoderIdentity { precision: 'float' | 'int8'; file: string; sha256: string }

/** Encoded frames: I_en per frame plus what is needed to map boxes back to each frame. */
export interface EncodedFrames {
  count: number;
  /** [count·S·S·M], NHWC. */
  features: Float32Array;
  transforms: InputTransform[];
  sizes: { width: number; height: number }[];
  /** The mirror images' features (flip test-time augmentation), same layout. */
  mirroredFeatures?: Float32Array;
}

/**
 * Frames a per-query head is checked on against the exported head before it serves a search (the
 * folded head; the prefilter's exact cells against the folded head). A wrong graph or weight shows
 * on every cell — the same ops run on each, and two frames hold every cell position twice, each with
 * its frame's softmax over the cells — so more frames only cost time: 8 took ≈ 50 ms of a new
 * query's ≈ 330 ms setup per basis (the exported head on reconstructed features), 2 a quarter of it.
 */
export const HEAD_CHECK_FRAMES = 2;

/**
 * Query tokens in slot order from attribute codes (unknown slots get their slot's token 0). A code
 * outside the schema (or an unknown attribute) is an InputError naming it: as a token it would be
 * another slot's, or past the vocabulary (onnxruntime's "Gather … out of data bounds").
 */
export function queryTokens(codes: AttributeCodes): number[] {
  return codesToSlotArray(canonicalCodes(codes)).map((code, slot) => globalToken(slot, code));
}

function sameShape(got: readonly (number | string)[], want: readonly (number | string)[]): boolean {
  return got.length === want.length && want.every((d, i) => typeof d === 'string' || got[i] === d);
}

function checkValues(file: string, kind: 'input' | 'output', got: readonly ValueMeta[], want: OnnxManifest['encoder']['inputs']): void {
  for (const w of want) {
    const g = got.find((x) => x.name === w.name);
    if (!g) throw new ModelError(`${file}: has no ${kind} "${w.name}" (has ${got.map((x) => x.name).join(', ') || 'none'})`, { file });
    if (!sameShape(g.shape, w.shape)) {
      throw new ModelError(`${file}: ${kind} "${w.name}" has shape [${g.shape.join(', ')}], expected [${w.shape.join(', ')}]`, { file });
    }
  }
}

/** Largest |Δ| in confidence or box outputs at which the folded head counts as the same head. */
export const FOLDED_HEAD_TOLERANCE = 1e-4;

/**
 * Folded heads and prefilters kept per retriever, each (headCache.ts): one per query and pca basis
 * (a video has one basis, more after scene changes). 32 keeps a few queries over a case of videos;
 * each is ~13 MB here (grid 14).
 */
export const HEAD_CACHE_LIMIT = 32;

export class OnnxRetriever {
  private disposed = false;
  private headWeights: HeadWeights | null | undefined;
  /** Per query (token list) and basis: its verified folded head, or null when the exported head must be used. */
  private readonly folded: HeadCache<FoldedHead>;
  private readonly prefilters: HeadCache<PrefilterHead>;

  private constructor(
    readonly modelDir: string,
    readonly manifest: OnnxManifest,
    private readonly encoder: OnnxSession,
    private readonly head: OnnxSession,
    readonly batchSize: number,
    readonly encoderIdentity: EncoderIdentity,
    private readonly headBytes: Uint8Array,
    private readonly threads: number | undefined,
    headCacheLimit: number,
    private readonly headMemoryArena: boolean,
  ) {
    this.folded = new HeadCache<FoldedHead>(headCacheLimit);
    this.prefilters = new HeadCache<PrefilterHead>(headCacheLimit);
  }

  /** Opens MODEL_DIR's onnx.json, encoder.onnx and head.onnx; any problem is a ModelError naming the file. */
  static async open(modelDir: string, opts: RetrieverOptions = {}): Promise<OnnxRetriever> {
    const m = readOnnxManifest(modelDir);
    if (m.slotTokenOffsets.some((o, i) => o !== SLOT_TOKEN_OFFSETS[i])) {
      throw new ModelError(`${join(modelDir, 'onnx.json')}: exported for another attribute vocabulary (schema v${m.attributeSchemaVersion})`, { file: join(modelDir, 'onnx.json') });
    }
    const s = { provider: opts.provider, intraOpThreads: opts.threads };
    const choice = opts.encoder ?? 'float';
    const int8 = currentInt8Encoder(m);
    if (choice === 'int8' && !int8) {
      const file = join(modelDir, ONNX_MANIFEST_FILE);
      throw new ModelError(`${file}: ${m.encoderInt8 ? 'the int8 encoder listed was made from another export of encoder.onnx' : 'lists no int8 encoder'}: run \`fastpr quantize-encoder ${modelDir} --data DATASET\` first`, { file });
    }
    const graph = choice !== 'float' && int8 ? int8 : m.encoder;
    const encoderIdentity: EncoderIdentity = { precision: graph === m.encoder ? 'float' : 'int8', file: graph.file, sha256: graph.sha256 };
    const encFile = join(modelDir, graph.file);
    const headFile = join(modelDir, m.head.file);
    const encoder = await OnnxSession.create(readGraphFile(modelDir, graph), { ...s, label: encFile, inWorker: opts.encoderInWorker });
    let head: OnnxSession;
    let headBytes: Uint8Array;
    try {
      headBytes = readGraphFile(modelDir, m.head);
      head = await OnnxSession.create(headBytes, { ...s, label: headFile });
    } catch (err) {
      await encoder.dispose();
      throw err;
    }
    try {
      const size = m.preprocessing.size;
      checkValues(encFile, 'input', encoder.inputs, [{ name: 'image', dtype: 'float32', shape: ['N', size, size, 3] }]);
      checkValues(encFile, 'output', encoder.outputs, [{ name: 'encoded', dtype: 'float32', shape: ['N', m.grid, m.grid, m.featureWidth] }]);
      checkValues(headFile, 'input', head.inputs, [
        { name: 'encoded', dtype: 'float32', shape: ['N', m.grid, m.grid, m.featureWidth] },
        { name: 'tokens', dtype: 'int64', shape: ['Q', m.slots] },
      ]);
      checkValues(headFile, 'output', head.outputs, [
        { name: 'confidence', dtype: 'float32', shape: ['N', m.grid, m.grid] },
        { name: 'boxes', dtype: 'float32', shape: ['N', m.grid, m.grid, 4] },
        { name: 'attention', dtype: 'float32', shape: ['N', m.slots, m.grid, m.grid] },
      ]);
    } catch (err) {
      await encoder.dispose();
      await head.dispose();
      throw err;
    }
    return new OnnxRetriever(modelDir, m, encoder, head, Math.max(1, opts.batchSize ?? 8), encoderIdentity, headBytes, opts.threads, opts.headCacheLimit ?? HEAD_CACHE_LIMIT, opts.headMemoryArena === true);
  }

  get provider(): string { return this.encoder.provider; }
  get inputSize(): number { return this.manifest.preprocessing.size; }
  get grid(): number { return this.manifest.grid; }
  get slots(): number { return this.manifest.slots; }
  private get cellFeatures(): number { return this.grid * this.grid * this.manifest.featureWidth; }

  private live(): void {
    if (this.disposed) throw new Error('OnnxRetriever used after dispose()');
  }

  /** Preprocessing exactly as in training (core/model/preprocess.ts). */
  preprocess(frames: readonly Frame[]): { data: Float32Array; transforms: InputTransform[] } {
    const size = this.inputSize;
    const per = size * size * 3;
    const data = new Float32Array(frames.length * per);
    const transforms = frames.map((f, i) => {
      checkFrame(f, `frame ${i}`);
      const p = preprocessFrame(f, { size, mode: this.manifest.preprocessing.mode });
      data.set(p.data, i * per);
      return p.transform;
    });
    return { data, transforms };
  }

  /** Runs the encoder on already-preprocessed NHWC input [n·size·size·3]. */
  async encodePreprocessed(data: Float32Array, n: number, signal?: AbortSignal): Promise<Float32Array> {
    this.live();
    const size = this.inputSize;
    const per = size * size * 3;
    const out = new Float32Array(n * this.cellFeatures);
    for (let start = 0; start < n; start += this.batchSize) {
      if (signal?.aborted) throw new CancelledError('encoding cancelled');
      const b = Math.min(this.batchSize, n - start);
      const { encoded } = await this.encoder.run({ image: { type: 'float32', data: data.subarray(start * per, (start + b) * per), dims: [b, size, size, 3] } });
      out.set(encoded!.data as Float32Array, start * this.cellFeatures);
    }
    return out;
  }

  /**
   * Preprocess + encoder. `tta: 'flip'` also encodes the mirror image of every input (flipTta.ts):
   * `mirroredFeatures`, which query() merges with the plain outputs.
   */
  async encode(frames: readonly Frame[], signal?: AbortSignal, opts: { tta?: Tta } = {}): Promise<EncodedFrames> {
    const { data, transforms } = this.preprocess(frames);
    const features = await this.encodePreprocessed(data, frames.length, signal);
    const mirroredFeatures = opts.tta === 'flip' ? await this.encodePreprocessed(mirrorInputs(data, frames.length, this.inputSize), frames.length, signal) : undefined;
    return { count: frames.length, features, transforms, sizes: frames.map((f) => ({ width: f.width, height: f.height })), ...(mirroredFeatures ? { mirroredFeatures } : {}) };
  }

  /** queryFeatures on encoded frames, merged with their mirror images' outputs when they were encoded too. */
  async queryEncoded(encoded: Pick<EncodedFrames, 'count' | 'features' | 'mirroredFeatures'>, tokens: readonly number[] | readonly (readonly number[])[], signal?: AbortSignal): Promise<HeadOutputs> {
    const out = await this.queryFeatures(encoded.features, encoded.count, tokens, signal);
    if (!encoded.mirroredFeatures) return out;
    return mergeMirrored(out, await this.queryFeatures(encoded.mirroredFeatures, encoded.count, tokens, signal), this.grid, this.slots);
  }

  /**
   * Runs the head on encoded features [n·S·S·M] with one query (tokens of length T, broadcast over
   * the frames) or one query per frame (n token rows).
   */
  async queryFeatures(features: Float32Array, n: number, tokens: readonly number[] | readonly (readonly number[])[], signal?: AbortSignal): Promise<HeadOutputs> {
    this.live();
    const T = this.slots;
    const S = this.grid;
    const perFrame = Array.isArray(tokens[0]);
    const rows = perFrame ? (tokens as number[][]) : [tokens as number[]];
    if (perFrame && rows.length !== n) throw new Error(`${rows.length} token rows for ${n} frames`);
    if (rows.some((r) => r.length !== T)) throw new Error(`query tokens must have ${T} slots`);
    const allTokens = BigInt64Array.from(rows.flat(), (v) => BigInt(v));
    const cells = S * S;
    const out: HeadOutputs = { confidence: new Float32Array(n * cells), boxes: new Float32Array(n * cells * 4), attention: new Float32Array(n * T * cells) };
    for (let start = 0; start < n; start += this.batchSize) {
      if (signal?.aborted) throw new CancelledError('query cancelled');
      const b = Math.min(this.batchSize, n - start);
      const tok = perFrame
        ? { type: 'int64' as const, data: allTokens.subarray(start * T, (start + b) * T), dims: [b, T] }
        : { type: 'int64' as const, data: allTokens, dims: [1, T] };
      const r = await this.head.run({
        encoded: { type: 'float32', data: features.subarray(start * this.cellFeatures, (start + b) * this.cellFeatures), dims: [b, S, S, this.manifest.featureWidth] },
        tokens: tok,
      });
      out.confidence.set(r.confidence!.data as Float32Array, start * cells);
      out.boxes.set(r.boxes!.data as Float32Array, start * cells * 4);
      out.attention.set(r.attention!.data as Float32Array, start * T * cells);
    }
    return out;
  }

  /**
   * The folded head for this query (foldedHead.ts), verified on `sample` (the first frames of a
   * search) against the exported head: null when it cannot be built or differs by more than
   * FOLDED_HEAD_TOLERANCE, in which case callers use queryFeatures. Cached per query and basis (the
   * HEAD_CACHE_LIMIT most recently used; a search holds its heads with withCachedHeads).
   */
  async foldedHeadFor(tokens: readonly number[], sample: Float32Array, n: number, projection?: FeatureProjection & { key: string }): Promise<FoldedHead | null> {
    this.live();
    const key = tokens.join(',') + (projection ? `|${projection.key}` : '');
    return this.folded.get(key, async () => {
      if (this.headWeights === undefined) this.headWeights = readHeadWeights(this.headBytes);
      if (!this.headWeights || this.provider !== 'cpu') return null;
      const f = await FoldedHead.create(this.headWeights, tokens, { threads: this.threads, label: join(this.modelDir, this.manifest.head.file), projection, memoryArena: this.headMemoryArena });
      if (!f) return null;
      const k = Math.max(1, Math.min(n, HEAD_CHECK_FRAMES));
      const width = projection ? projection.d : this.manifest.featureWidth;
      const input = sample.subarray(0, k * this.grid * this.grid * width);
      const x = projection ? projectionToFeatures(projection, input, k * this.grid * this.grid) : input;
      const ref = await this.queryFeatures(x, k, tokens);
      const got = await f.run(input, k, this.grid, width);
      if (!(headOutputDiff(ref, got) <= FOLDED_HEAD_TOLERANCE)) { await f.dispose(); return null; }
      return f;
    });
  }

  /**
   * The proxy prefilter for this query on this basis (prefilterHead.ts), fitted on `sample`
   * (coefficients of the first frames of a search) for `threshold`, and checked there: its exact
   * cells must give the verified folded head's confidences (FOLDED_HEAD_TOLERANCE), else null.
   * Cached per query, basis and threshold (like foldedHeadFor).
   */
  async prefilterFor(tokens: readonly number[], sample: Float32Array, n: number, projection: FeatureProjection & { key: string }, threshold: number, folded: FoldedHead): Promise<PrefilterHead | null> {
    this.live();
    const key = `${tokens.join(',')}|${projection.key}|${threshold}`;
    return this.prefilters.get(key, async () => {
      if (this.headWeights === undefined) this.headWeights = readHeadWeights(this.headBytes);
      if (!this.headWeights || this.provider !== 'cpu') return null;
      const pf = await PrefilterHead.create(this.headWeights, tokens, projection, { threads: this.threads, label: join(this.modelDir, this.manifest.head.file), memoryArena: this.headMemoryArena });
      if (!pf) return null;
      const k = Math.max(1, Math.min(n, 64));
      const y = sample.subarray(0, k * this.grid * this.grid * projection.d);
      const exact = await pf.fit(y, k, threshold);
      // The check: its exact cells give the folded head's outputs (HEAD_CHECK_FRAMES frames, as above).
      const c = Math.min(k, HEAD_CHECK_FRAMES);
      const cells = c * this.grid * this.grid;
      const ref = await folded.run(y.subarray(0, cells * projection.d), c, this.grid, projection.d);
      if (!(headOutputDiff(ref, { confidence: exact.confidence.subarray(0, cells), boxes: exact.boxes.subarray(0, cells * 4) }) <= FOLDED_HEAD_TOLERANCE)) {
        await pf.dispose();
        return null;
      }
      return pf;
    });
  }

  /** Per-query heads held now (diagnostics, tests). */
  get cachedHeads(): { folded: number; prefilters: number; pendingDisposal: number } {
    return { folded: this.folded.size, prefilters: this.prefilters.size, pendingDisposal: this.folded.pendingDisposal + this.prefilters.pendingDisposal };
  }

  /**
   * Runs `fn`, a search that fetches cached per-query heads and keeps using them: heads evicted
   * meanwhile (by it or a concurrent search) are disposed only after every such use has ended.
   */
  async withCachedHeads<T>(fn: () => Promise<T>): Promise<T> {
    this.folded.begin();
    this.prefilters.begin();
    try {
      return await fn();
    } finally {
      await this.folded.end();
      await this.prefilters.end();
    }
  }

  /** Queries encoded frames and decodes each frame's result (boxes in frame pixels). */
  async query(encoded: EncodedFrames, codes: AttributeCodes, opts: DecodeOptions & { signal?: AbortSignal } = {}): Promise<FramePrediction[]> {
    const out = await this.queryEncoded(encoded, queryTokens(codes), opts.signal);
    return Array.from({ length: encoded.count }, (_, b) =>
      decodeFrame(out, b, this.grid, this.slots, this.inputSize, encoded.transforms[b]!, encoded.sizes[b]!.width, encoded.sizes[b]!.height,
        { ...opts, threshold: opts.threshold ?? this.manifest.threshold }));
  }

  /** encode + query in one call (`tta: 'flip'`: merged with the mirror images' outputs, twice the cost). */
  async predict(frames: readonly Frame[], codes: AttributeCodes, opts: DecodeOptions & { signal?: AbortSignal; tta?: Tta } = {}): Promise<FramePrediction[]> {
    return this.query(await this.encode(frames, opts.signal, { tta: opts.tta }), codes, opts);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.folded.clear();
    await this.prefilters.clear();
    await this.encoder.dispose();
    await this.head.dispose();
  }
}

/** Largest |difference| between two head outputs' confidences and boxes (the folded heads' acceptance check). */
function headOutputDiff(ref: { confidence: ArrayLike<number>; boxes: ArrayLike<number> }, got: { confidence: ArrayLike<number>; boxes: ArrayLike<number> }): number {
  let d = 0;
  for (let i = 0; i < ref.confidence.length; i++) d = Math.max(d, Math.abs(ref.confidence[i]! - got.confidence[i]!));
  for (let i = 0; i < ref.boxes.length; i++) d = Math.max(d, Math.abs(ref.boxes[i]! - got.boxes[i]!));
  return d;
}
