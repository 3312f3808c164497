// Starts a training replica's TypeScript entry in a worker thread during development: worker
// threads do not inherit the tsx loader of the process that started them, so register it here.
// (Packaged builds run the pre-bundled trainReplica.mjs instead and never load this file.)
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
