/**
 * Worker thread: emits whole groups for the parent, each into its own part
 * file, which the parent appends to perf_db.csv in output order. The rows go
 * to disk as they are made, so memory does not grow with the grid. Loads
 * only the emit code, never the rest of the pipeline.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { emitChecked } from './checked.js';
import { outputPathError } from '../io/file-errors.js';
import { displayPath } from '../io/paths.js';
import { serializeError } from './messages.js';
import type { EmitTask, WorkerReply } from './types.js';

const port = parentPort;
if (port === null) throw new Error('emit/worker.ts must run in a worker thread');

port.on('message', (task: EmitTask & { partPath: string }) => {
  try {
    const fd = openSync(task.partPath, 'w');
    try {
      const counter = { rows: 0 };
      // Each chunk is written synchronously before the next is made, so one buffer serves them all.
      const emission = emitChecked(task, counter, { reuseChunks: true });
      let step = emission.next();
      while (!step.done) {
        for (let written = 0; written < step.value.length; ) written += writeSync(fd, step.value, written);
        post({ type: 'progress', group: task.index, rows: counter.rows });
        step = emission.next();
      }
      post({ type: 'done', group: task.index, summary: step.value });
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    // A full disk or a vanished folder while opening or writing the part file is the user's to fix: one line, naming it.
    // Any other error, whatever its code, stays a bug.
    const e = error as NodeJS.ErrnoException;
    const onPart = e.path === task.partPath || ((e.syscall === 'write' || e.syscall === 'close') && e.path === undefined);
    post({ type: 'error', group: task.index, error: serializeError(onPart ? outputPathError(error, displayPath(task.partPath)) : error) });
  }
});

function post(reply: WorkerReply): void {
  port?.postMessage(reply);
}
