/**
 * `ingest` with the case database: probe and test-decode the file BEFORE anything is recorded
 * (a broken file changes nothing in the case), hash it, add it as evidence (or find it again),
 * build its index — resuming a previous run's checkpoint — and record the result.
 * A cancel (AbortSignal) or a kill leaves the index 'building' with a durable checkpoint, so the
 * same command resumes it.
 */
import { existsSync, rmSync, statSync } from 'node:fs';
import { coefficientCache } from './coefficientCache';
import { dirname, join } from 'node:path';
import { InputError, VideoError } from '../errors';
import { OnnxRetriever, type EncoderChoice, type EncoderIdentity } from '../infer/onnxRetriever';
import type { ProgressListener } from '../jobs/progress';
import { ensureDataDir } from '../platform/dataDir';
import {
  addEvidence, finishIndex, findIndex, getEvidence, hashFile, listEvidence, noteIndexContinued, noteIndexStopped, replaceIndexFile, requireOpenCase, saveIndexCheckpoint, saveRebuildCheckpoint,
  setEvidenceState, startIndex,
  type EvidenceRecord, type IndexRecord, type Store,
} from '../store/index';
import { FrameStream, DEFAULT_SAMPLING_FPS } from '../video/decode';
import { probeVideo, type VideoInfo } from '../video/probe';
import { parseDecodeProblemState } from '../video/decodeProblems';
import { buildIndex, skipsNonReferenceFrames, type BuildCheckpoint, type BuildIndexInput, type BuildIndexResult } from './buildIndex';
import { BasisFitMonitor } from './basisFit';
import { readIndexHeader } from './format';
import type { FeatureDtype } from './quantize';

/**
 * float16 by measurement (bench:video): against float32 it changes confidences by ≤ 6e-4 and keeps
 * the best cell and its box (IoU 0.999); int8 (half the size) moved boxes by ~3% IoU and confidences
 * by up to 0.024 on the same frames. Switch to int8 once R@1 on a trained model shows it holds.
 */
export const DEFAULT_DTYPE: FeatureDtype = 'pca';

export interface IngestOptions {
  fps?: number | 'all';
  /**
   * Feature storage (default 'pca'). Given explicitly and different from the storage of a complete
   * index of the same video, model and rate, the index is rebuilt with it (outcome 'rebuilt'): the
   * old file serves searches until the new one is complete, then is replaced and deleted. A
   * cancelled or killed rebuild leaves the old index as it was and resumes when asked again.
   */
  dtype?: FeatureDtype;
  /**
   * Frames per encoder run (default 8). One batch is in flight while the next is decoded, so a
   * smaller batch shortens the start (the first batch waits for its frames) and the end (the last
   * is encoded alone); onnxruntime's CPU per image is the same at 8 and 16 (bench:onnx). Measured
   * interleaved on the 12-s bench clip: batch 8 built faster than 16 in 4 of 4 pairs.
   */
  batchSize?: number;
  /**
   * onnxruntime intra-op threads for the encoder (default 1; 0: onnxruntime's own default, one per core). ffmpeg's decode needs ~2.5× the
   * encoder's CPU at 5 frames/s (core/index/README.md), so one encoder thread keeps up and leaves
   * the other core to ffmpeg; a second pool thread only adds spin-waiting and contention.
   */
  threads?: number;
  /**
   * Which encoder graph makes the features (OnnxRetriever's EncoderChoice). Default 'auto': the
   * model's int8 encoder when it lists one (`fastpr quantize-encoder`; the shipped model's: 2.65×
   * less CPU per image in bench:onnx, recall within half a point of the float encoder's on two test sets —
   * models/default/MODEL_CARD.md), else encoder.onnx. The index header, the case log and every
   * search record which one it was.
   */
  encoder?: EncoderChoice;
  checkpointEvery?: number;
  /** See BuildIndexInput.inputScaling (default 'ffmpeg'). */
  inputScaling?: 'ffmpeg' | 'js';
  /** See BuildIndexInput.scaleFromRgb (bench:video's old path only). */
  scaleFromRgb?: boolean;
  /** See BuildIndexInput.refitBasis (default true; false builds an index as builds before refitting did). */
  refitBasis?: boolean;
  /**
   * Skip decoding frames no other frame refers to (false decodes every frame and keeps each bin's
   * first). Default: as the index being resumed or rebuilt was started (its header), else when
   * sampling at most one frame in four (buildIndex.ts skipsNonReferenceFrames). Given and different
   * from an interrupted build's, that build starts over.
   */
  skipNonReference?: boolean;
  /**
   * Run the encoder on a worker thread, so the main thread keeps draining ffmpeg's pipe and
   * preparing the next batch meanwhile (1.2–1.35× faster ingest in bench:video). Off by default:
   * onnxruntime-node 1.30 in worker threads aborted a test process ("terminate called after
   * throwing an instance of 'Napi::Error'") once in a full `npm test` run (microsoft/onnxruntime
   * #24486: more than one ORT instance per process is not safe), and an abort takes the whole
   * ingest — or the workstation's service — down with it.
   */
  encoderInWorker?: boolean;
  /** See BuildIndexInput.readOffThread (default true: ffmpeg's pipe read on a worker thread, no onnxruntime there). */
  readOffThread?: boolean;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

export interface IngestResult {
  evidence: EvidenceRecord;
  index: IndexRecord;
  info: VideoInfo;
  /** 'built' (now), 'resumed' (finished a previous run), 'existing' (already complete) or 'rebuilt' (with another storage). */
  outcome: 'built' | 'resumed' | 'existing' | 'rebuilt';
  build?: BuildIndexResult;
  /** This build's warnings (stored with the index); for 'existing', the ones stored when it was built. */
  warnings: string[];
}

/** Checks a file is a decodable video without touching the case: probe + decode one frame. */
export async function preflightVideo(file: string, signal?: AbortSignal): Promise<VideoInfo> {
  const info = await probeVideo(file, signal);
  const s = FrameStream.start(file, { fps: 'all', maxFrames: 1, signal });
  try {
    const f = await s.next();
    if (!f) throw new VideoError(`${file}: no frame could be decoded${s.summary.warnings[0] ? ` (${s.summary.warnings[0]})` : ''}`, { file });
    if (f.width !== info.width || f.height !== info.height) {
      throw new VideoError(`${file}: decoded frames are ${f.width}×${f.height} but the stream states ${info.width}×${info.height}`, { file });
    }
  } finally {
    s.stop();
  }
  return info;
}

function fpsLabel(fps: number | 'all'): string {
  return fps === 'all' ? 'all' : String(fps).replace('.', 'p');
}

/**
 * One file per evidence row: the same video imported into two cases gets two index files, so
 * (re-)ingesting it in one case can never truncate the other case's index.
 */
export function indexFileName(evidenceId: number, sha256: string, modelHash: string, fps: number | 'all', dtype: FeatureDtype): string {
  return `e${evidenceId}_${sha256.slice(0, 16)}_${modelHash.slice(0, 12)}_${fpsLabel(fps)}_${dtype}.fpi`;
}

/**
 * Which pixels the frames of an index were made from, saved with each checkpoint: a resume must
 * not append frames made another way (the index header tells 'js' from 'ffmpeg', not the ffmpeg
 * colour path, which changed from RGB-first to YUV shrinking). A checkpoint without it, or with
 * another one, is not resumed: the build starts over and still gives the uninterrupted run's index.
 * `referenceFramesOnly`: the decoder skipped non-reference frames, so other frames were sampled.
 */
export function pixelPath(inputScaling: 'ffmpeg' | 'js' = 'ffmpeg', scaleFromRgb = false, encoder?: EncoderIdentity, referenceFramesOnly = false): string {
  const pixels = (inputScaling === 'js' ? 'js' : scaleFromRgb ? 'ffmpeg-rgb' : 'ffmpeg-yuv') + (referenceFramesOnly ? '+noref' : '');
  // The float encoder adds nothing, so checkpoints saved before the int8 encoder existed still resume.
  return encoder?.precision === 'int8' ? `${pixels}+int8:${encoder.sha256.slice(0, 16)}` : pixels;
}

/** The storage an index file is named for (indexFileName), or null for a name it did not make. */
function dtypeOfIndexFile(file: string): FeatureDtype | null {
  const m = /_(pca|float16|int8|float32)\.fpi$/.exec(file);
  return m ? (m[1] as FeatureDtype) : null;
}

/** A saved checkpoint back from the database's JSON (null when absent, from another format or another pixel path). */
function readCheckpoint(idx: IndexRecord, pixels: string): BuildCheckpoint | null {
  const c = idx.checkpoint as (Partial<BuildCheckpoint> & { pixels?: unknown }) | null;
  if (!c || typeof c.bytes !== 'number' || typeof c.frames !== 'number' || c.frames === 0) return null;
  if (c.pixels !== pixels) return null;
  const warnings = Array.isArray(c.warnings) ? c.warnings.filter((w): w is string => typeof w === 'string') : [];
  const basisFit = BasisFitMonitor.parseState(c.basisFit);
  const decodeProblems = parseDecodeProblemState(c.decodeProblems);
  return {
    bytes: c.bytes, frames: c.frames, lastPtsUs: typeof c.lastPtsUs === 'number' ? c.lastPtsUs : null, warnings,
    ...(basisFit ? { basisFit } : {}), ...(decodeProblems ? { decodeProblems } : {}),
  };
}

/**
 * Rebuilds a complete index with another storage into `newPath`, beside the live file, which serves
 * searches meanwhile; then one transaction points the row at the new file and the old one is
 * deleted. The complete row keeps the rebuild's checkpoint (tagged with its file), so a cancelled or
 * killed rebuild resumes like a build; anything else found at that path starts over.
 */
async function rebuildIndex(
  store: Store, existing: IndexRecord, stored: FeatureDtype | null, newPath: string,
  p: { videoPath: string; videoSha256: string; info: VideoInfo; retriever: OnnxRetriever; fps: number | 'all'; dtype: FeatureDtype; pixels: string; skipNonReference: boolean; opts: IngestOptions },
): Promise<{ index: IndexRecord; build: BuildIndexResult }> {
  if (newPath === existing.filePath) newPath = newPath.replace(/\.fpi$/, '.rebuilt.fpi'); // never the live file
  const saved = existing.checkpoint as { rebuild?: { filePath?: unknown } } | null;
  let resume = saved?.rebuild?.filePath === newPath ? readCheckpoint({ ...existing, checkpoint: saved.rebuild }, p.pixels) : null;
  if (resume && (!existsSync(newPath) || statSync(newPath).size < resume.bytes)) resume = null;
  if (!resume) rmSync(newPath, { force: true });
  const { opts } = p;
  const build = await loggedBuild(store, existing.id, {
    videoPath: p.videoPath, videoSha256: p.videoSha256, info: p.info, retriever: p.retriever, indexPath: newPath, fps: p.fps, dtype: p.dtype, resume,
    onCheckpoint: (cp) => saveRebuildCheckpoint(store, existing.id, { rebuild: { ...cp, pixels: p.pixels, filePath: newPath } }), checkpointEvery: opts.checkpointEvery,
    inputScaling: opts.inputScaling, scaleFromRgb: opts.scaleFromRgb, readOffThread: opts.readOffThread, refitBasis: opts.refitBasis,
    skipNonReference: p.skipNonReference, signal: opts.signal, onProgress: opts.onProgress, jobId: `ingest-${existing.id}`,
  }, true);
  const index = replaceIndexFile(store, existing.id, { filePath: newPath, frames: build.frames, warnings: build.warnings, storage: p.dtype, previousStorage: stored });
  rmSync(existing.filePath, { force: true });
  coefficientCache.forget(existing.filePath); // its decoded blocks would hold memory for a file that is gone
  return { index, build };
}

/**
 * buildIndex for index `indexId`; if it stops (cancelled or failed), the case log records it with the
 * frames its last checkpoint kept, and the error is rethrown unchanged (a failure to record does not
 * hide it). `rebuild`: another storage of a complete index.
 */
async function loggedBuild(store: Store, indexId: number, input: BuildIndexInput, rebuild = false): Promise<BuildIndexResult> {
  let framesKept = input.resume?.frames ?? 0;
  try {
    return await buildIndex({ ...input, onCheckpoint: (cp) => { input.onCheckpoint?.(cp); framesKept = cp.frames; } });
  } catch (err) {
    try {
      noteIndexStopped(store, indexId, { framesKept, error: err, rebuild });
    } catch { /* the build's error is what the caller needs */ }
    throw err;
  }
}

export async function ingestVideo(store: Store, caseId: number, videoPath: string, modelDir: string, opts: IngestOptions = {}): Promise<IngestResult> {
  const fps = opts.fps ?? DEFAULT_SAMPLING_FPS;
  if (fps !== 'all' && !(fps > 0 && fps <= 120)) throw new InputError(`sampling rate must be in (0, 120] frames/s or 'all', got ${fps}`, { field: 'fps' });
  const dtype = opts.dtype ?? DEFAULT_DTYPE;
  requireOpenCase(store, caseId);
  const info = await preflightVideo(videoPath, opts.signal);
  const hash = await hashFile(videoPath, { signal: opts.signal });
  const retriever = await OnnxRetriever.open(modelDir, {
    threads: opts.threads ?? 1, batchSize: opts.batchSize ?? 8, encoderInWorker: opts.encoderInWorker === true, encoder: opts.encoder ?? 'auto',
  });
  try {
    const modelHash = retriever.manifest.modelHash;
    const dbFps = fps === 'all' ? info.fps : fps;
    let evidence = listEvidence(store, caseId).find((e) => e.sha256 === hash.sha256)
      ?? addEvidence(store, caseId, videoPath, hash, { durationS: info.durationS, width: info.width, height: info.height, fps: info.fps });
    const existing = findIndex(store, evidence.id, modelHash, dbFps);
    // An interrupted build finishes, and a rebuild re-stores, the frames its index was started with
    // (as it keeps its storage and codec settings): unless asked otherwise, whether non-reference
    // frames are decoded comes from that index's header (false in files from before 2 Dec 2026).
    // The existing index's header (null: none, or unreadable — a rebuild replaces it).
    const existingHeader = existing ? readIndexHeader(existing.filePath) : null;
    const skipNonReference = opts.skipNonReference ?? existingHeader?.referenceFramesOnly ?? skipsNonReferenceFrames(info, fps);
    const pixels = pixelPath(opts.inputScaling, opts.scaleFromRgb, retriever.encoderIdentity, skipNonReference);
    // An index built before: its warnings as stored when it was built (none recorded before schema 5).
    if (existing?.state === 'complete') {
      const stored = existingHeader?.dtype ?? null; // the storage it was written with
      if (opts.dtype === undefined || opts.dtype === stored) return { evidence, index: existing, info, outcome: 'existing', warnings: existing.warnings ?? [] };
      const newPath = join(dirname(existing.filePath), indexFileName(evidence.id, hash.sha256, modelHash, fps, dtype));
      const { index, build } = await rebuildIndex(store, existing, stored, newPath, {
        videoPath, videoSha256: hash.sha256, info, retriever, fps, dtype, pixels, skipNonReference, opts,
      });
      return { evidence, index, info, outcome: 'rebuilt', build, warnings: build.warnings };
    }
    if (existing && existing.state !== 'building') {
      throw new InputError(`index #${existing.id} of evidence #${evidence.id} is '${existing.state}' and cannot be resumed by this build; delete it to re-ingest`);
    }
    const indexesDir = ensureDataDir(dirname(store.file)).indexes;
    const encoder = { precision: retriever.encoderIdentity.precision, sha256: retriever.encoderIdentity.sha256 };
    const index = existing ?? startIndex(store, {
      evidenceId: evidence.id, modelHash, samplingFps: dbFps, filePath: join(indexesDir, indexFileName(evidence.id, hash.sha256, modelHash, fps, dtype)),
      encoder,
      framesTotal: fps === 'all' ? info.frameCount ?? undefined : Math.ceil(info.durationS * fps),
    });
    if (evidence.state !== 'indexing') evidence = setEvidenceState(store, evidence.id, 'indexing');
    let resume = existing ? readCheckpoint(existing, pixels) : null;
    // A checkpoint whose file is gone or shorter than recorded cannot be trusted: start over.
    if (resume && (!existsSync(index.filePath) || statSync(index.filePath).size < resume.bytes)) resume = null;
    if (existing) noteIndexContinued(store, index.id, { fromFrame: resume?.frames ?? 0, encoder });
    // An interrupted build finishes in the storage it was started with (its file is named by it);
    // another storage asked for is then a rebuild of the complete index (below).
    const buildDtype = existing ? dtypeOfIndexFile(existing.filePath) ?? dtype : dtype;
    const build = await loggedBuild(store, index.id, {
      videoPath, videoSha256: hash.sha256, info, retriever, indexPath: index.filePath, fps, dtype: buildDtype, resume,
      onCheckpoint: (cp) => saveIndexCheckpoint(store, index.id, cp.frames, { ...cp, pixels }), checkpointEvery: opts.checkpointEvery,
      inputScaling: opts.inputScaling, scaleFromRgb: opts.scaleFromRgb, readOffThread: opts.readOffThread, refitBasis: opts.refitBasis,
      skipNonReference, signal: opts.signal, onProgress: opts.onProgress, jobId: `ingest-${index.id}`,
    });
    const done = finishIndex(store, index.id, 'complete', build.frames, build.warnings);
    evidence = setEvidenceState(store, evidence.id, 'indexed');
    const result: IngestResult = { evidence: getEvidence(store, evidence.id), index: done, info, outcome: resume ? 'resumed' : 'built', build, warnings: build.warnings };
    if (opts.dtype === undefined || opts.dtype === buildDtype) return result;
  } finally {
    await retriever.dispose();
  }
  // Finished in its first storage; now the rebuild asked for.
  return ingestVideo(store, caseId, videoPath, modelDir, opts);
}

