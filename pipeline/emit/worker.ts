/**
 * Worker thread: emits slices of groups for the parent, each into memory,
 * and hands the bytes over (transferred, not copied) when the slice is done;
 * the parent writes them into perf_db.csv in output order. Loads only the
 * emit code, never the rest of the pipeline.
 */
import { parentPort } from 'node:worker_threads';
import { emitChecked } from './checked.js';
import { serializeError } from './messages.js';
import type { EmitTask, WorkerReply } from './types.js';

const port = parentPort;
if (port === null) throw new Error('emit/worker.ts must run in a worker thread');

port.on('message', ({ index, task }: { index: number; task: EmitTask }) => {
  try {
    const chunks: Uint8Array[] = [];
    const emission = emitChecked(task);
    let step = emission.next();
    for (; !step.done; step = emission.next()) chunks.push(step.value);
    const buffers = [...new Set(chunks.map((c) => c.buffer as ArrayBuffer))];
    post({ type: 'done', index, summary: step.value, chunks }, buffers);
  } catch (error) {
    post({ type: 'error', index, error: serializeError(error) });
  }
});

function post(reply: WorkerReply, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(reply, transfer);
}
