/**
 * Worker thread: emits slices of groups for the parent, each into memory,
 * and hands the bytes over (shared memory: neither copied nor transferred) when the slice is done;
 * the parent writes them into perf_db.csv in output order, and gives the
 * chunks back once written. Loads only the emit code, never the rest of the
 * pipeline.
 */
import { parentPort } from 'node:worker_threads';
import { emitChecked } from './checked.js';
import { ChunkPool } from './chunk-pool.js';
import { prepareGroup, type PreparedGroup } from './group.js';
import { serializeError } from './messages.js';
import { DEFAULT_CHUNK_BYTES } from './rows.js';
import type { EmitTask, WorkerReply, WorkerRequest } from './types.js';

const port = parentPort;
if (port === null) throw new Error('emit/worker.ts must run in a worker thread');

/** Chunks the parent has written, filled again by the next slices (a slice fills about four); shared memory, never transferred (see ChunkPool). */
const spare = new ChunkPool(DEFAULT_CHUNK_BYTES, 6, true);
/** The group of the last slice. */
let group: { task: EmitTask; prepared: PreparedGroup } | null = null;

port.on('message', (request: WorkerRequest) => {
  if (request.type === 'spare') {
    for (const buffer of request.buffers) spare.give(buffer);
    return;
  }
  const { index, slice } = request;
  try {
    // A group's slices come one after the other: its task and what they share are kept for the next.
    if (request.group !== undefined) group = { task: request.group, prepared: prepareGroup(request.group) };
    if (group === null) throw new Error('a slice was sent before its group');
    const task = slice === undefined ? group.task : { ...group.task, slice };
    const chunks: Uint8Array[] = [];
    const emission = emitChecked(task, undefined, { spare }, group.prepared);
    let step = emission.next();
    for (; !step.done; step = emission.next()) chunks.push(step.value);
    // Shared chunks are shared by the message; any other would be copied.
    post({ type: 'done', index, summary: step.value, chunks });
  } catch (error) {
    post({ type: 'error', index, error: serializeError(error) });
  }
});

function post(reply: WorkerReply): void {
  port?.postMessage(reply);
}
