/** All call handlers. A new contract call adds its handler group here. */
import { caseHandlers } from './cases';
import { evidenceHandlers } from './evidence';
import { jobHandlers } from './jobs';
import { reportHandlers } from './reports';
import { searchHandlers } from './search';
import { systemHandlers } from './system';
import { trainingHandlers } from './training';
import { vocabularyHandlers } from './vocabulary';
import type { Handlers } from './types';

export const HANDLERS: Handlers = {
  ...systemHandlers,
  ...caseHandlers,
  ...evidenceHandlers,
  ...jobHandlers,
  ...searchHandlers,
  ...trainingHandlers,
  ...reportHandlers,
  ...vocabularyHandlers,
};
