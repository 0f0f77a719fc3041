import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { EmitSummary } from './types.js';
import { emitChecked } from './checked.js';
import { ChunkWriter } from './csv-out.js';
import { DEFAULT_CHUNK_BYTES } from './rows.js';
import { rebuildError } from './messages.js';
import type { EmitTask, WorkerReply } from './types.js';

/** Where perf_db.csv bytes go; may return a promise to apply back-pressure. */
export type Sink = (chunk: string | Uint8Array) => void | Promise<void>;

/** Emits the groups one after the other in this thread, straight into the sink. */
export async function emitHere(tasks: readonly EmitTask[], sink: Sink, progress: (rows: number) => void): Promise<EmitSummary[]> {
  const summaries: EmitSummary[] = [];
  const counter = { rows: 0 };
  // One writer for all groups: many small groups share chunks instead of each allocating its own.
  const writer = new ChunkWriter(DEFAULT_CHUNK_BYTES, 1024);
  for (const task of tasks) {
    const emission = emitChecked(task, counter, { writer });
    let step = emission.next();
    while (!step.done) {
      await sink(step.value);
      progress(counter.rows);
      step = emission.next();
    }
    summaries.push(step.value);
  }
  if (writer.length > 0) await sink(writer.take());
  return summaries;
}

/**
 * Emits groups in `workers` threads, each group into a part file in
 * `scratchDir`, and appends the parts to the sink in group order as soon as
 * every earlier group is in. Nothing of the grid is held in memory.
 */
export async function emitInWorkers(tasks: readonly EmitTask[], workers: number, scratchDir: string, sink: Sink, progress: (rows: number) => void): Promise<EmitSummary[]> {
  const done: (EmitSummary | null)[] = tasks.map(() => null);
  const rowsByGroup = tasks.map(() => 0);
  const partPath = (index: number) => join(scratchDir, `part-${index}.csv`);
  let next = 0;
  let settle!: { resolve: (summaries: EmitSummary[]) => void; reject: (error: unknown) => void };
  const finished = new Promise<EmitSummary[]>((resolve, reject) => (settle = { resolve, reject }));
  const append = appender(tasks.length, done, partPath, sink, settle);
  const assign = (worker: Worker) => {
    if (next >= tasks.length) return;
    const task = tasks[next++] as EmitTask;
    worker.postMessage({ ...task, partPath: partPath(task.index) });
  };
  const pool = Array.from({ length: workers }, () => {
    const worker = startWorker();
    worker.on('message', (reply: WorkerReply) => {
      if (reply.type === 'error') return settle.reject(rebuildError(reply.error));
      if (reply.type === 'progress') {
        rowsByGroup[reply.group] = reply.rows;
        return progress(rowsByGroup.reduce((sum, n) => sum + n, 0));
      }
      done[reply.group] = reply.summary;
      assign(worker);
      void append();
    });
    worker.on('error', (error) => settle.reject(error));
    assign(worker);
    return worker;
  });
  try {
    return await finished;
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
}

/** Copies finished part files into the sink in group order, one copy at a time; resolves when the last is in. */
function appender(count: number, done: readonly (EmitSummary | null)[], partPath: (index: number) => string, sink: Sink, settle: { resolve: (s: EmitSummary[]) => void; reject: (e: unknown) => void }) {
  const summaries: EmitSummary[] = [];
  let current = 0;
  let copying = false;
  return async () => {
    if (copying) return;
    copying = true;
    try {
      for (let summary = done[current]; summary !== null && summary !== undefined; summary = done[current]) {
        for await (const chunk of createReadStream(partPath(current), { highWaterMark: 1 << 22 })) await sink(chunk as Buffer);
        await rm(partPath(current), { force: true });
        summaries.push(summary);
        current++;
      }
      if (current === count) settle.resolve(summaries);
    } catch (error) {
      settle.reject(error);
    } finally {
      copying = false;
    }
  };
}

/**
 * A small young generation keeps a worker's resident memory down (its garbage
 * is short-lived strings) at no measurable cost in speed; the old generation
 * may still grow for very wide grids.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 1024 };

/** The compiled worker next to this file; from the TypeScript sources (tests, tsx), through tsx's loader. */
function startWorker(): Worker {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    return new Worker(new URL('./worker-boot.mjs', here), { workerData: { entry: new URL('./worker.ts', here).href }, resourceLimits: WORKER_LIMITS });
  }
  return new Worker(new URL('./worker.js', here), { resourceLimits: WORKER_LIMITS });
}
