/** All call handlers. A new contract call adds its handler group here. */
import { caseHandlers } from './cases';
import { notYet } from './pending';
import { systemHandlers } from './system';
import type { Handlers } from './types';

export const HANDLERS: Handlers = {
  ...systemHandlers,
  ...caseHandlers,
  'evidence.list': notYet('evidence.list'),
  'evidence.add': notYet('evidence.add'),
  'evidence.verify': notYet('evidence.verify'),
  'evidence.ingest': notYet('evidence.ingest'),
  'jobs.list': notYet('jobs.list'),
  'jobs.get': notYet('jobs.get'),
  'jobs.cancel': notYet('jobs.cancel'),
  'jobs.resume': notYet('jobs.resume'),
  'query.parse': notYet('query.parse'),
  'search.run': notYet('search.run'),
  'sightings.list': notYet('sightings.list'),
  'sightings.get': notYet('sightings.get'),
  'frames.get': notYet('frames.get'),
  'training.datasets': notYet('training.datasets'),
  'training.start': notYet('training.start'),
  'training.status': notYet('training.status'),
  'models.list': notYet('models.list'),
  'models.active': notYet('models.active'),
  'models.evaluate': notYet('models.evaluate'),
  'reports.export': notYet('reports.export'),
};
