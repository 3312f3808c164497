/**
 * Every CLI command, one file each, loaded lazily so a run imports only its own command's
 * dependencies (TF.js, onnxruntime, canvas… are slow to load). Add yours here (keep alphabetical);
 * `name` must equal the command's own name (a test checks it).
 */
import type { CliCommand } from '../command';

export interface CommandEntry {
  name: string;
  load: () => Promise<CliCommand>;
}

export const COMMANDS: CommandEntry[] = [
  { name: 'audit verify', load: async () => (await import('./auditVerify')).auditVerifyCommand },
  { name: 'baseline train', load: async () => (await import('./baselineTrain')).baselineTrainCommand },
  { name: 'case close', load: async () => (await import('./caseClose')).caseCloseCommand },
  { name: 'case create', load: async () => (await import('./caseCreate')).caseCreateCommand },
  { name: 'case list', load: async () => (await import('./caseList')).caseListCommand },
  { name: 'dataset check', load: async () => (await import('./datasetCheck')).datasetCheckCommand },
  { name: 'dataset sheet', load: async () => (await import('./datasetSheet')).datasetSheetCommand },
  { name: 'dataset stats', load: async () => (await import('./datasetStats')).datasetStatsCommand },
  { name: 'eval', load: async () => (await import('./eval')).evalCommand },
  { name: 'export-clip', load: async () => (await import('./exportClip')).exportClipCommand },
  { name: 'export-onnx', load: async () => (await import('./exportOnnx')).exportOnnxCommand },
  { name: 'fit-reranker', load: async () => (await import('./fitReranker')).fitRerankerCommand },
  { name: 'fit-box-refiner', load: async () => (await import('./fitBoxRefiner')).fitBoxRefinerCommand },
  { name: 'import-softbio', load: async () => (await import('./importSoftbio')).importSoftbioCommand },
  { name: 'info', load: async () => (await import('./info')).infoCommand },
  { name: 'ingest', load: async () => (await import('./ingest')).ingestCommand },
  { name: 'parse', load: async () => (await import('./parse')).parseCommand },
  { name: 'predict', load: async () => (await import('./predict')).predictCommand },
  { name: 'quantize-encoder', load: async () => (await import('./quantizeEncoder')).quantizeEncoderCommand },
  { name: 'report', load: async () => (await import('./report')).reportCommand },
  { name: 'search', load: async () => (await import('./search')).searchCommand },
  { name: 'serve', load: async () => (await import('./serve')).serveCommand },
  { name: 'synth', load: async () => (await import('./synth')).synthCommand },
  { name: 'train', load: async () => (await import('./train')).trainCommand },
];

export async function loadAllCommands(): Promise<CliCommand[]> {
  return Promise.all(COMMANDS.map((c) => c.load()));
}
