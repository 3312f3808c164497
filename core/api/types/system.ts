/**
 * Result shapes of the system.* calls. Plain types, no runtime code, so the renderer can import them.
 */

/** One TF.js backend candidate in preference order (tfjs-node-gpu → tfjs-node → wasm → cpu). */
export interface TfBackendCandidate {
  name: string;
  available: boolean;
  reason: string;
}

export interface TfBackendInfo {
  /** The backend that would be used for training and embedding. */
  chosen: string;
  /** Why it was chosen (and why better ones were not). */
  reason: string;
  candidates: TfBackendCandidate[];
}

export interface OrtProviderInfo {
  /** Execution provider name as onnxruntime-node spells it: cpu, cuda, tensorrt, webgpu… */
  name: string;
  /** Compiled into the shipped binding (cpu) or an add-on library installed separately (cuda…). */
  bundled: boolean;
  /** The provider can actually be requested: bundled, or its shared library is installed. */
  available: boolean;
  /** What was checked, in words. */
  detail: string;
}

export interface BinaryInfo {
  found: boolean;
  path?: string;
  /** 'environment' | 'ffmpeg-static' | 'bundled package' | 'system' */
  source?: string;
  version?: string;
}

export interface ElectronInfo {
  /** The electron npm package is installed. */
  packageInstalled: boolean;
  packageVersion?: string;
  /** Its downloaded binary exists, so `npm start` can open a desktop window. */
  binaryPresent: boolean;
  binaryPath?: string;
}

export interface SystemInfo {
  app: { name: string; version: string };
  tfjs: TfBackendInfo;
  /** `problem` when the binding could not be loaded. */
  onnxruntime: { version: string; providers: OrtProviderInfo[]; problem?: string };
  ffmpeg: BinaryInfo;
  ffprobe: BinaryInfo;
  /** `problem` when better-sqlite3 could not be loaded (e.g. built for another Node/Electron ABI). */
  sqlite: { version: string; problem?: string };
  electron: ElectronInfo;
  node: { version: string; platform: string; arch: string; cpus: number; totalMemoryBytes: number };
  dataDir: string;
}

export interface SystemHealth {
  ok: boolean;
  uptimeSeconds: number;
  dataDir: string;
  dataDirWritable: boolean;
  /** When dataDirWritable is false: why. */
  problem?: string;
}
