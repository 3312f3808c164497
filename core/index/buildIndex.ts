/**
 * The ingest pipeline for one video, without the database: decode (ffmpeg, its own process, which
 * also shrinks each kept frame to the model input and the thumbnail) → normalise (scaledInput.ts;
 * or core/model/preprocess.ts on full frames with inputScaling 'js') + JPEG → encoder.onnx in batches →
 * append to the index file, checkpointing at batch boundaries.
 *
 * Why the result is byte-identical after a kill and resume: records are only appended for whole
 * encoded batches, a checkpoint is the durable file length at a batch boundary, and a resumed run
 * truncates the file there, asks the decoder for the frames after the last one kept (same sampling
 * bins) and therefore feeds the encoder the same batches as an uninterrupted run.
 */
import { availableParallelism } from 'node:os';
import { CancelledError, VideoError } from '../errors';
import type { OnnxRetriever } from '../infer/onnxRetriever';
import { ProgressMeter, type ProgressListener } from '../jobs/progress';
import { preprocessFrame } from '../model/preprocess';
import { FrameStream, type DecodedFrame } from '../video/decode';
import { parseDecodeProblemState, type DecodeProblemState } from '../video/decodeProblems';
import type { VideoInfo } from '../video/probe';
import type { IndexHeader } from './format';
import { poorFitWarning, type BasisFit } from './basisFit';
import { IndexFileWriter, type IndexCheckpoint, type ThumbnailSource } from './indexWriter';
import type { FeatureDtype } from './quantize';
import { normaliseScaled, scaledGeometry } from './scaledInput';
import { jpegFromRgb, thumbnailJpeg, thumbSize } from './thumbnail';

export interface BuildIndexInput {
  videoPath: string;
  videoSha256: string;
  info: VideoInfo;
  retriever: OnnxRetriever;
  indexPath: string;
  fps: number | 'all';
  dtype: FeatureDtype;
  /** Resume from this durable point (null: start a new file). */
  resume: BuildCheckpoint | null;
  /** Called with each durable checkpoint (the caller records it, e.g. in the case database). */
  onCheckpoint?: (cp: BuildCheckpoint) => void;
  /** Checkpoint every this many batches (default 4). */
  checkpointEvery?: number;
  /**
   * 'ffmpeg' (default): ffmpeg shrinks frames to the model input and the thumbnail in C, JS only
   * normalises (scaledInput.ts); 'js': full frames through preprocessFrame (the reference path).
   */
  inputScaling?: 'ffmpeg' | 'js';
  /**
   * With 'ffmpeg' scaling: the old colour path (whole frame to RGB, then shrink; see
   * core/video/decode.ts scaledFilter). Only for bench:video's old-vs-new comparison.
   */
  scaleFromRgb?: boolean;
  /** Read ffmpeg's output on a worker thread (default true; false: on this thread, as before 30 Nov). */
  readOffThread?: boolean;
  /** ffmpeg decoder threads (DecodeOptions.decoderThreads); default ingestDecoderThreads(). */
  decoderThreads?: number;
  /** Don't decode non-reference frames (DecodeOptions.skipNonReference); default skipsNonReferenceFrames(info, fps). */
  skipNonReference?: boolean;
  /** 'pca': refit the basis at a scene change (default true; indexFile.ts IndexWriterOptions). */
  refitBasis?: boolean;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  jobId?: string;
}

/**
 * The writer's durable point plus the decode problems so far, so a resumed build reports them too:
 * the damaged stretches as data (continued by the resumed decode) and other decode warnings as text.
 * Checkpoints written before the stretches existed carry ffmpeg's raw lines in `warnings`.
 */
export type BuildCheckpoint = IndexCheckpoint & { warnings?: string[]; decodeProblems?: DecodeProblemState };

export interface BuildIndexResult {
  frames: number;
  /** Frames this run encoded (frames minus those already indexed before a resume). */
  framesThisRun: number;
  warnings: string[];
  /** How well the pca basis fits this run's frames (checked 0 for other storages). */
  basisFit: BasisFit;
  /** decodeWait and encode are time spent waiting (the encoder overlaps decode and preprocess). */
  seconds: { total: number; decodeWait: number; prepare: number; encode: number };
  checkpoint: BuildCheckpoint;
}

export function indexHeaderFor(input: Pick<BuildIndexInput, 'info' | 'retriever' | 'fps' | 'dtype' | 'videoSha256' | 'inputScaling' | 'skipNonReference'>): IndexHeader {
  const { info, retriever } = input;
  const size = retriever.inputSize;
  // The transform depends only on the frame size; preprocess a 1-pixel-stride dummy of that size.
  const t = preprocessFrame({ data: new Uint8Array(info.width * info.height * 3), width: info.width, height: info.height, channels: 3 }, { size, mode: retriever.manifest.preprocessing.mode }).transform;
  const th = thumbSize(info.width, info.height);
  return {
    dtype: input.dtype, complete: false, everyFrame: input.fps === 'all', grid: retriever.grid, featureWidth: retriever.manifest.featureWidth,
    samplingFps: input.fps === 'all' ? 0 : input.fps, frameWidth: info.width, frameHeight: info.height, inputSize: size, frameCount: 0,
    transform: t, modelHash: retriever.manifest.modelHash, videoSha256: input.videoSha256, thumbWidth: th.width, thumbHeight: th.height,
    inputScaling: input.inputScaling ?? 'ffmpeg', referenceFramesOnly: input.skipNonReference ?? skipsNonReferenceFrames(info, input.fps),
    encoderSha256: retriever.encoderIdentity.sha256, encoderPrecision: retriever.encoderIdentity.precision,
  };
}

/**
 * ffmpeg's decoder threads during an ingest: one on a machine with two cores or fewer, else
 * ffmpeg's choice. There the encoder keeps the other core busy, so decoding is paid in CPU, not
 * wall time, and frame threading costs CPU: on the 60-s 704×576 bench clip ffmpeg took 1.66
 * CPU-s with one thread vs 2.15 with its default (−23 %), alone 1.67 vs 1.45 s wall — still
 * 36× real time, faster than the rest of ingest (bench:video prints the whole build).
 */
export function ingestDecoderThreads(cores = availableParallelism()): number | undefined {
  return cores <= 2 ? 1 : undefined;
}

/**
 * Whether an ingest at `fps` skips decoding the video's non-reference frames: when it samples at
 * most one frame in four (5 frames/s from 20 frames/s or more). Sampling keeps one frame per 1/fps
 * bin, so most decoded frames are thrown away; those no other frame refers to need not be decoded
 * at all. In x264's default output (B-pyramid) that is about half the frames and a quarter of
 * ffmpeg's CPU (the 60-s bench clip: 1.52 → 1.14 CPU-s), while every run of them is short, so a bin
 * of four or more frames always holds a decoded one. Footage without B-frames (most cameras' own
 * H.264) has nothing to skip and decodes as before. The kept frame is then the bin's first decoded
 * one, at most a frame or two after its first frame (same count, exact timestamps); an index
 * records it (header flag), and a resumed build or a rebuild keeps its index's rule (ingest.ts).
 */
export function skipsNonReferenceFrames(info: Pick<VideoInfo, 'fps'>, fps: number | 'all'): boolean {
  return fps !== 'all' && Number.isFinite(info.fps) && info.fps >= 4 * fps;
}

export async function buildIndex(input: BuildIndexInput): Promise<BuildIndexResult> {
  const t0 = performance.now();
  const header = indexHeaderFor(input);
  const writerOpts = { refitBasis: input.refitBasis };
  const writer = input.resume ? IndexFileWriter.resume(input.indexPath, header, input.resume, writerOpts) : IndexFileWriter.create(input.indexPath, header, writerOpts);
  const startFrames = writer.frameCount;
  const B = input.retriever.batchSize;
  const size = input.retriever.inputSize;
  const per = size * size * 3;
  const cellFloats = input.retriever.grid * input.retriever.grid * input.retriever.manifest.featureWidth;
  const total = input.fps === 'all' ? input.info.frameCount ?? Math.round(input.info.durationS * input.info.fps) : Math.max(1, Math.ceil(input.info.durationS * input.fps));
  const meter = new ProgressMeter(input.jobId ?? `ingest-${input.videoSha256.slice(0, 12)}`, 'ingest', input.onProgress ?? (() => {}), 'frames', startFrames);
  const mode = input.retriever.manifest.preprocessing.mode;
  const byFfmpeg = header.inputScaling === 'ffmpeg';
  const geom = scaledGeometry(header.frameWidth, header.frameHeight, size, mode);
  const stream = FrameStream.start(input.videoPath, {
    fps: input.fps, afterS: input.resume?.lastPtsUs != null ? input.resume.lastPtsUs / 1e6 : undefined, signal: input.signal,
    resumeProblems: parseDecodeProblemState(input.resume?.decodeProblems),
    // The encoder's synchronous run would otherwise stall ffmpeg on a full pipe (decode.ts).
    readOffThread: input.readOffThread ?? true,
    decoderThreads: input.decoderThreads ?? ingestDecoderThreads(),
    skipNonReference: header.referenceFramesOnly,
    scaled: byFfmpeg ? { width: geom.width, height: geom.height, thumbWidth: header.thumbWidth, thumbHeight: header.thumbHeight, rgbFirst: input.scaleFromRgb } : undefined,
  });
  const secs = { decodeWait: 0, prepare: 0, encode: 0 };
  let batchesSinceCp = 0;
  // Decode warnings of earlier runs are kept (the damaged stretches continue in the stream's own
  // log; other warnings as text, each once).
  const earlierWarnings = input.resume?.warnings ?? [];
  const warningsSoFar = (): string[] => [...new Set([...stream.summary.warnings, ...earlierWarnings])];
  const durable = (): BuildCheckpoint => {
    const summary = stream.summary;
    return { ...writer.checkpoint(), warnings: [...new Set([...earlierWarnings, ...summary.notes])], decodeProblems: summary.problems };
  };
  let cp: BuildCheckpoint = writer.checkpoint();
  const saveCheckpoint = () => {
    cp = durable();
    input.onCheckpoint?.(cp);
    batchesSinceCp = 0;
  };
  // While the encoder runs on batch k (on its worker thread when the retriever was opened with
  // encoderInWorker, as ingest does), batch k+1 is decoded and preprocessed here; records are
  // still appended strictly in order, one whole batch at a time.
  let inflight: { frames: DecodedFrame[]; thumbs: ThumbnailSource[]; features: Promise<Float32Array> } | null = null;
  // Two input buffers, alternating: batch k+1 is filled while the encoder reads batch k's (a fresh
  // 4.8-MB array per batch kept the garbage collector busy). Every frame's region is overwritten.
  const inputBuffers = [new Float32Array(B * per), new Float32Array(B * per)];
  let inputTurn = 0;
  const land = async () => {
    if (!inflight) return;
    const { frames, thumbs, features } = inflight;
    inflight = null;
    const tw = performance.now();
    const out = await features;
    secs.encode += performance.now() - tw;
    frames.forEach((f, i) => writer.append(f.ptsUs, out.subarray(i * cellFloats, (i + 1) * cellFloats), thumbs[i]!));
    meter.update(writer.frameCount, Math.max(total, writer.frameCount), { phase: 'encode' });
    if (++batchesSinceCp >= (input.checkpointEvery ?? 4)) saveCheckpoint();
  };
  try {
    let ended = false;
    while (!ended) {
      if (input.signal?.aborted) throw new CancelledError(`ingest of ${input.videoPath} was cancelled`, { file: input.videoPath });
      const batch: DecodedFrame[] = [];
      let tw = performance.now();
      while (batch.length < B) {
        const f = await stream.next();
        if (!f) { ended = true; break; }
        batch.push(f);
      }
      secs.decodeWait += performance.now() - tw;
      if (batch.length === 0) break;
      tw = performance.now();
      inputTurn ^= 1;
      const data = inputBuffers[inputTurn]!.subarray(0, batch.length * per);
      const thumbs = batch.map((f, i) => {
        if (f.width !== header.frameWidth || f.height !== header.frameHeight) {
          throw new VideoError(`${input.videoPath}: frame at ${f.timeS}s is ${f.width}×${f.height}, the video started at ${header.frameWidth}×${header.frameHeight}`, { file: input.videoPath });
        }
        if (byFfmpeg) {
          normaliseScaled(f.data, geom, data, i * per);
          return () => jpegFromRgb(f.thumb!, header.thumbWidth, header.thumbHeight);
        }
        data.set(preprocessFrame({ data: f.data, width: f.width, height: f.height, channels: 3 }, { size, mode }).data, i * per);
        return () => thumbnailJpeg(f.data, f.width, f.height);
      });
      secs.prepare += performance.now() - tw;
      await land();
      const features = input.retriever.encodePreprocessed(data, batch.length);
      features.catch(() => { /* awaited in land(); a failure surfaces there */ });
      inflight = { frames: batch, thumbs, features };
    }
    await land();
    const warnings = warningsSoFar();
    if (writer.frameCount === 0) throw new VideoError(`${input.videoPath}: no frame could be decoded${warnings.length ? ` (${warnings[0]})` : ''}`, { file: input.videoPath });
    saveCheckpoint();
    const fit = writer.basisFit();
    const poorFit = poorFitWarning(input.videoPath, fit);
    if (poorFit) warnings.push(poorFit);
    cp = writer.finish();
    meter.finish('done', writer.frameCount, writer.frameCount);
    return {
      frames: writer.frameCount, framesThisRun: writer.frameCount - startFrames, warnings, basisFit: fit,
      seconds: { total: (performance.now() - t0) / 1000, decodeWait: secs.decodeWait / 1000, prepare: secs.prepare / 1000, encode: secs.encode / 1000 },
      checkpoint: cp,
    };
  } catch (err) {
    stream.stop();
    inflight = null; // its records are not written: the resume point stays at a whole batch
    // Keep what is durable: a later run resumes from the last whole batch written.
    try { if (writer.frameCount > 0) input.onCheckpoint?.(durable()); } catch { /* the original error matters more */ }
    writer.close();
    meter.finish(err instanceof CancelledError || (err as Error).name === 'CancelledError' ? 'cancelled' : 'failed', writer.frameCount, total, (err as Error).message);
    throw err;
  }
}
