/**
 * Result shapes of the cases.*, evidence.*, notes.*, decisions.*, audit.* and reports.* calls.
 * Plain types, no runtime code and no imports of Node modules, so the renderer can import them.
 * Ids are the case database's integers; times are ISO-8601 UTC strings.
 */

export type CaseStatus = 'open' | 'closed';

export interface CaseSummary {
  id: number;
  name: string;
  status: CaseStatus;
  createdAt: string;
  closedAt: string | null;
  evidenceCount: number;
  searchCount: number;
  /** Sightings whose latest decision is 'confirm'. */
  confirmedCount: number;
  /** True for the embedded demo case created at first start. */
  demo: boolean;
}

export type EvidenceState = 'imported' | 'indexing' | 'indexed' | 'failed';
export type VerifyStatus = 'match' | 'mismatch' | 'missing' | 'unreadable';

/** How an index stores its features: compressed ('pca'), 8-bit, or exact (float16/float32). Mirrors core/index's FeatureDtype. */
export type IndexStorageName = 'pca' | 'int8' | 'float16' | 'float32';

/** The evidence's index for the active model (null when there is no active model or no index yet). */
export interface EvidenceIndexStatus {
  indexId: number;
  modelHash: string;
  samplingFps: number;
  state: 'building' | 'complete' | 'failed' | 'cancelled';
  frames: number;
  framesTotal: number | null;
  /**
   * What the build warned about, in full: decode errors of a damaged or cut file (only the frames
   * that decoded are indexed), a poor fit of the index's compression basis to later scenes. A
   * search finding nobody where these apply is weak evidence of absence. [] = none, or none
   * recorded (indexes finished before this was stored: the case log's 'index.built' entry).
   */
  warnings: string[];
  /**
   * The build warned that later scenes fit its compression basis poorly: indexing again with exact
   * (float16) features (`evidence.ingest` with `dtype: 'float16'`) stores them exactly.
   */
  exactFeaturesAdvised: boolean;
  /** How the index file stores its features (its header); null when the file cannot be read. */
  storage: IndexStorageName | null;
  /**
   * Frames no other frame refers to were not decoded, so each sampled frame is its 1/fps interval's
   * first decoded frame (the header; false when it says otherwise or cannot be read).
   */
  referenceFramesOnly: boolean;
}

/**
 * Mirrors core/store's EvidenceRecord on purpose, plus view fields: contract types stay free of
 * Node-side modules because the renderer type-checks them.
 */
export interface EvidenceItem {
  id: number;
  caseId: number;
  videoPath: string;
  /** File name only, for display. */
  fileName: string;
  sha256: string;
  sizeBytes: number;
  durationS: number | null;
  width: number | null;
  height: number | null;
  fps: number | null;
  cameraLabel: string | null;
  timeOffsetS: number;
  importedAt: string;
  state: EvidenceState;
  verifiedAt: string | null;
  verifyStatus: VerifyStatus | null;
  index: EvidenceIndexStatus | null;
  /** The running or resumable ingest job of this evidence, if any. */
  jobId: string | null;
}

export interface EvidenceAddResult {
  evidence: EvidenceItem;
  /** Set when `ingest: true` was asked and an active model exists. */
  jobId: string | null;
}

export interface EvidenceVerification {
  evidenceId: number;
  status: VerifyStatus;
  expectedSha256: string;
  actualSha256?: string;
  actualSizeBytes?: number;
  checkedAt: string;
  message: string;
}

export interface NoteItem {
  id: number;
  caseId: number;
  text: string;
  author: string;
  createdAt: string;
}

export type DecisionKind = 'confirm' | 'reject' | 'unsure';

export interface DecisionItem {
  id: number;
  sightingId: number;
  decision: DecisionKind;
  note: string;
  reviewer: string;
  decidedAt: string;
}

export interface SearchSummary {
  id: number;
  caseId: number;
  queryText: string;
  /** Attribute key → code, exactly as the model received it. */
  querySlots: Record<string, number>;
  modelHash: string;
  thresholds: Record<string, number>;
  scope: 'all' | number[];
  actor: string;
  createdAt: string;
  sightingCount: number;
  /**
   * What the search read for each evidence item of its scope: the index (rate, frames, how its
   * features are stored), or null = not searched (no complete index for the model). null for the
   * whole list: not recorded (searches run before schema 6).
   */
  evidenceSearched: SearchedEvidenceItem[] | null;
}

/** Mirrors core/store's SearchedEvidence. */
export interface SearchedEvidenceItem {
  evidenceId: number;
  index: {
    id: number; samplingFps: number; frames: number; storage: IndexStorageName; storageDims?: { kept: number; of: number };
    /** The encoder that made the features (absent in searches recorded before 1 Dec 2026). */
    encoder?: { precision: 'float' | 'int8'; sha256: string };
    /** Non-reference frames were not decoded: each sampled frame is its bin's first decoded one (absent before 2 Dec 2026). */
    referenceFramesOnly?: boolean;
    /** The crop-colour re-ranker that reordered this evidence's sightings (absent when none did). */
    reranker?: { sha256: string; alpha: number; top: number; cropNet?: { sha256: string; weight: number }; boxRefiner?: { sha256: string } };
  } | null;
}

export interface ExportItem {
  id: number;
  caseId: number;
  kind: string;
  path: string;
  sha256: string;
  sizeBytes: number;
  actor: string;
  createdAt: string;
}

/** Everything the case screen shows when a case is opened. */
export interface CaseDetail {
  case: CaseSummary;
  evidence: EvidenceItem[];
  searches: SearchSummary[];
  notes: NoteItem[];
  exports: ExportItem[];
}

export interface AuditCheck {
  ok: boolean;
  entries: number;
  headSeq: number;
  headHash: string;
  brokenAt?: { seq: number; reason: string };
}

export type ReportFormat = 'pdf' | 'html' | 'csv' | 'json' | 'avss';

export interface ReportExportResult {
  jobId: string;
  format: ReportFormat;
  scope: 'confirmed' | 'all';
  /** One file, or one CSV per video for 'avss'. */
  files: Array<{ path: string; sha256: string; sizeBytes: number }>;
  sightings: number;
  evidenceOk: boolean;
  auditHeadHash: string;
}
