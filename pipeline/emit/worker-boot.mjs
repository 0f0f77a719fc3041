// Starts a TypeScript worker when the pipeline runs from its sources (tests, tsx):
// registers tsx's loader inside the worker, then loads the entry given in workerData.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
