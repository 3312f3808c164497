/** Every CLI command, one file each. Add yours here (keep alphabetical). */
import type { CliCommand } from '../command';
import { auditVerifyCommand } from './auditVerify';
import { baselineTrainCommand } from './baselineTrain';
import { caseCloseCommand } from './caseClose';
import { caseCreateCommand } from './caseCreate';
import { caseListCommand } from './caseList';
import { datasetCheckCommand } from './datasetCheck';
import { datasetSheetCommand } from './datasetSheet';
import { datasetStatsCommand } from './datasetStats';
import { evalCommand } from './eval';
import { exportClipCommand } from './exportClip';
import { exportOnnxCommand } from './exportOnnx';
import { importSoftbioCommand } from './importSoftbio';
import { infoCommand } from './info';
import { ingestCommand } from './ingest';
import { parseCommand } from './parse';
import { predictCommand } from './predict';
import { reportCommand } from './report';
import { searchCommand } from './search';
import { serveCommand } from './serve';
import { synthCommand } from './synth';
import { trainCommand } from './train';

export const COMMANDS: CliCommand[] = [
  auditVerifyCommand,
  baselineTrainCommand,
  caseCloseCommand,
  caseCreateCommand,
  caseListCommand,
  datasetCheckCommand,
  datasetSheetCommand,
  datasetStatsCommand,
  evalCommand,
  exportClipCommand,
  exportOnnxCommand,
  importSoftbioCommand,
  infoCommand,
  ingestCommand,
  parseCommand,
  predictCommand,
  reportCommand,
  searchCommand,
  serveCommand,
  synthCommand,
  trainCommand,
];
