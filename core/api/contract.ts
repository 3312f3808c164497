/**
 * The one API contract: every call's name, zod input schema and result type. The service
 * (core/api/service.ts), the Electron IPC handlers and preload, the loopback HTTP server and the
 * renderer's client all derive from this object. Adding a call = one entry here + one handler in
 * core/api/handlers/.
 *
 * No Node imports here: the renderer imports this file's types and the preload bundles it.
 */
import { z } from 'zod';
import type { ProgressListener } from '../jobs/progress';
import {
  attributeSlots, datasetRef, decisionKind, evalSplit, featureStorage, jobId, localPath, modelId, reportFormat, rowId, samplingFps,
} from './inputs';
import type {
  AuditCheck, CaseDetail, CaseSummary, DecisionItem, EvidenceAddResult, EvidenceItem, EvidenceVerification, NoteItem, ReportExportResult,
} from './types/cases';
import type { ActiveModel, DatasetItem, JobRecord, ModelSummary, StartedJob, TrainingStatus } from './types/jobs';
import type { FrameImage, ParsedQueryView, SearchRunResult, SearchWarmResult, SightingDetail, SightingSummary } from './types/search';
import type { SystemHealth, SystemInfo } from './types/system';
import type { AttributeVocabulary } from './types/vocabulary';

export type { ProgressEvent, ProgressListener } from '../jobs/progress';
export type * from './types/system';
export type * from './types/cases';
export type * from './types/search';
export type * from './types/jobs';
export type * from './types/vocabulary';
export { SYNTH_RECIPES } from './inputs';
/** Desktop-only calls (file dialogs) and menu commands: answered by Electron main, absent in the browser. */
export * from './desktopContract';

/** Type-only marker carrying a call's result type (no runtime value worth reading). */
export interface Returns<T> {
  readonly __result?: T;
}
export const returns = <T>(): Returns<T> => ({});

export interface CallSpec<S extends z.ZodType = z.ZodType, R = unknown> {
  input: S;
  result: Returns<R>;
}

/** Calls that take no arguments: `{}` (or nothing), nothing extra allowed. */
const noInput = z.strictObject({}).default({});

/**
 * Every call. A new one is one entry, e.g.
 *   'cases.create': { input: z.strictObject({ name: z.string().min(1).max(200) }), result: returns<CaseSummary>() },
 * plus its handler in core/api/handlers/ (the compiler refuses a call without one). Use strict
 * objects so unknown fields are refused with their name.
 */
export const API = {
  'system.info': { input: noInput, result: returns<SystemInfo>() },
  'system.health': { input: noInput, result: returns<SystemHealth>() },

  // Cases. `cases.open` returns everything the case screen shows.
  'cases.list': { input: z.strictObject({ status: z.enum(['open', 'closed', 'all']).default('all') }).prefault({}), result: returns<CaseSummary[]>() },
  'cases.create': { input: z.strictObject({ name: z.string().min(1).max(200) }), result: returns<CaseSummary>() },
  'cases.open': { input: z.strictObject({ caseId: rowId }), result: returns<CaseDetail>() },
  'cases.close': { input: z.strictObject({ caseId: rowId }), result: returns<CaseSummary>() },
  /** Cases whose name contains `text` (case-insensitive). */
  'cases.search': { input: z.strictObject({ text: z.string().max(200) }), result: returns<CaseSummary[]>() },

  // Evidence. `evidence.add` probes (core/video) and hashes (SHA-256) the file before recording it;
  // a file that is not a decodable video changes nothing. `ingest: true` also starts its ingest job.
  'evidence.list': { input: z.strictObject({ caseId: rowId }), result: returns<EvidenceItem[]>() },
  'evidence.add': {
    input: z.strictObject({
      caseId: rowId, path: localPath, cameraLabel: z.string().max(100).optional(), timeOffsetS: z.number().finite().optional(),
      ingest: z.boolean().default(false), fps: samplingFps.default(5),
    }),
    result: returns<EvidenceAddResult>(),
  },
  /** Re-hashes the file and records the outcome (audit entry). */
  'evidence.verify': { input: z.strictObject({ evidenceId: rowId }), result: returns<EvidenceVerification>() },
  /** Starts (or resumes, when one is interrupted) the evidence's ingest job with the active model. */
  /** `dtype` given and unlike a complete index's storage: that index is rebuilt with it (the old one serves until then). */
  'evidence.ingest': { input: z.strictObject({ evidenceId: rowId, fps: samplingFps.default(5), dtype: featureStorage.optional() }), result: returns<StartedJob>() },

  // Jobs (ingest, train, export, evaluate): progress arrives on the one progress stream (jobId).
  'jobs.list': {
    input: z.strictObject({ caseId: rowId.optional(), kind: z.enum(['ingest', 'train', 'export', 'evaluate', 'synth']).optional() }).prefault({}),
    result: returns<JobRecord[]>(),
  },
  'jobs.get': { input: z.strictObject({ jobId }), result: returns<JobRecord>() },
  'jobs.cancel': { input: z.strictObject({ jobId }), result: returns<JobRecord>() },
  /** Resumes a cancelled or interrupted ingest/train job from its checkpoint (same jobId). */
  'jobs.resume': { input: z.strictObject({ jobId }), result: returns<JobRecord>() },

  // Query and search.
  /** Free text → slots and ignored words, for the live parse display; never throws for nonsense (see `problem`). */
  'query.parse': { input: z.strictObject({ text: z.string().max(2000) }), result: returns<ParsedQueryView>() },
  /** The 16 attributes in slot order: codes, display names, groups and colour swatches (the search form). */
  'query.vocabulary': { input: noInput, result: returns<AttributeVocabulary>() },
  /** Give `text` (free text or slot=value list) or `slots` (the form); `text` wins when both are given. */
  'search.run': {
    input: z.strictObject({
      caseId: rowId, text: z.string().max(2000).optional(), slots: attributeSlots.optional(),
      evidenceIds: z.union([z.literal('all'), z.array(rowId).min(1).max(1000)]).default('all'),
      threshold: z.number().min(0).max(1).optional(), extendConfidence: z.number().min(0).max(1).optional(),
      linkIou: z.number().min(0).max(1).optional(), linkSpeed: z.number().min(0).max(100).optional(),
      maxGapS: z.number().min(0).max(60).optional(), maxSightings: z.number().int().min(1).max(5000).default(500),
      exhaustive: z.boolean().default(false),
    }).refine((v) => v.text !== undefined || v.slots !== undefined, { message: 'give text or slots', path: ['text'] }),
    result: returns<SearchRunResult>(),
  },
  /**
   * Decodes the case's indexes (active model) into the search cache while the investigator types,
   * so the first search reads them decoded; resolves when done. A later call for another case stops
   * an unfinished one. Errors here only mean the first search decodes as it goes.
   */
  'search.warm': { input: z.strictObject({ caseId: rowId }), result: returns<SearchWarmResult>() },
  'sightings.list': {
    input: z.strictObject({
      searchId: rowId, decision: z.enum(['confirm', 'reject', 'unsure', 'undecided']).optional(), evidenceId: rowId.optional(),
      minScore: z.number().min(0).max(1).optional(), sort: z.enum(['rank', 'score', 'time', 'video']).default('rank'),
      order: z.enum(['asc', 'desc']).optional(), limit: z.number().int().min(1).max(5000).default(500), offset: z.number().int().min(0).default(0),
    }),
    result: returns<SightingSummary[]>(),
  },
  /** Per indexed frame: the track's box, confidence map and (attention: true) per-slot attention maps. */
  'sightings.get': {
    input: z.strictObject({ sightingId: rowId, attention: z.boolean().default(true), padS: z.number().min(0).max(10).default(1) }),
    result: returns<SightingDetail>(),
  },
  'decisions.record': { input: z.strictObject({ sightingId: rowId, decision: decisionKind, note: z.string().max(10_000).default('') }), result: returns<DecisionItem>() },
  'notes.add': { input: z.strictObject({ caseId: rowId, text: z.string().min(1).max(20_000) }), result: returns<NoteItem>() },
  'notes.list': { input: z.strictObject({ caseId: rowId }), result: returns<NoteItem[]>() },
  /** The video frame at `timeS` as a JPEG data URL, `width` pixels wide (the player's still frames). */
  'frames.get': {
    input: z.strictObject({ evidenceId: rowId, timeS: z.number().min(0).max(1e7), width: z.number().int().min(32).max(3840).optional() }),
    result: returns<FrameImage>(),
  },

  // Training and models.
  'training.datasets': { input: noInput, result: returns<DatasetItem[]>() },
  /** Trains into DATA_DIR/models/<name> (default: a name from the dataset and time). Resume with jobs.resume. */
  'training.start': {
    input: z.strictObject({
      dataset: datasetRef, name: modelId.optional(), backbone: z.enum(['compact', 'resnet50', 'tiny']).default('compact'),
      steps: z.number().int().min(1).max(10_000_000).optional(), epochs: z.number().int().min(1).max(10_000).optional(),
      batchSize: z.number().int().min(1).max(256).optional(),
      // Data-parallel replicas (one per core); 'auto' (the default) uses every core the batch divides into.
      replicas: z.union([z.literal('auto'), z.number().int().min(1).max(256)]).optional(),
    }),
    result: returns<StartedJob & { modelId: string }>(),
  },
  'training.status': { input: z.strictObject({ jobId }), result: returns<TrainingStatus>() },
  'models.list': { input: noInput, result: returns<ModelSummary[]>() },
  /** The model ingest and search use: models/default if shipped, else the newest exported trained model, else none. */
  'models.active': { input: noInput, result: returns<ActiveModel>() },
  /** Starts an evaluation job; its EvalTable is the job's `result` (jobs.get). */
  'models.evaluate': {
    input: z.strictObject({ modelId, dataset: datasetRef, split: evalSplit.default('test'), limit: z.number().int().min(1).max(1_000_000).optional() }),
    result: returns<StartedJob>(),
  },

  // Reports and audit.
  /** Runs as an export job (progress on the stream) and answers when the files are written. */
  'reports.export': {
    input: z.strictObject({ caseId: rowId, format: reportFormat, scope: z.enum(['confirmed', 'all']).default('confirmed'), out: localPath.optional() }),
    result: returns<ReportExportResult>(),
  },
  'audit.verify': {
    input: z.strictObject({ anchors: z.array(z.strictObject({ seq: rowId, hash: z.string().regex(/^[0-9a-fA-F]{64}$/) })).max(1000).default([]) }).prefault({}),
    result: returns<AuditCheck>(),
  },
} satisfies Record<string, CallSpec>;

export type ApiCalls = typeof API;
export type ApiCallName = keyof ApiCalls;
/** What a caller passes (before zod defaults are applied). */
export type ApiInput<K extends ApiCallName> = z.input<ApiCalls[K]['input']>;
/** What a handler receives (after validation and defaults). */
export type ApiParsedInput<K extends ApiCallName> = z.output<ApiCalls[K]['input']>;
export type ApiResult<K extends ApiCallName> = ApiCalls[K]['result'] extends Returns<infer R> ? R : never;

/** A call whose input has a default (`.default({})`) is callable with no argument. */
export type ApiMethod<K extends ApiCallName> = undefined extends ApiInput<K>
  ? (input?: ApiInput<K>) => Promise<ApiResult<K>>
  : (input: ApiInput<K>) => Promise<ApiResult<K>>;

/** The typed client every transport provides: one method per call + the progress stream. */
export type ApiClient = { [K in ApiCallName]: ApiMethod<K> } & {
  /** Subscribes to the single progress stream of all jobs; returns the disposer. */
  onProgress(listener: ProgressListener): () => void;
};

export const API_CALL_NAMES = Object.keys(API) as ApiCallName[];

export function isApiCall(name: string): name is ApiCallName {
  return Object.prototype.hasOwnProperty.call(API, name);
}

/** The envelope that crosses IPC and HTTP. */
export type ApiEnvelope<T> = { result: T } | { error: { name: string; message: string } };
