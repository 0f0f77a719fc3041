import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { EmitSummary } from './types.js';
import { emitChecked } from './checked.js';
import { ChunkWriter } from './csv-out.js';
import { DEFAULT_CHUNK_BYTES } from './rows.js';
import { rebuildError } from './messages.js';
import { mergeSummaries, sliceTasks } from './slices.js';
import type { EmitTask, WorkerReply, WorkerRequest } from './types.js';

/**
 * Where perf_db.csv bytes go; may return a promise to apply back-pressure.
 * A sink that can tell calls `written` once the chunk's bytes have left it
 * (the chunk may then be filled again); one that cannot need not.
 */
export type Sink = (chunk: string | Uint8Array, written?: () => void) => void | Promise<void>;

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
 * Emits the groups in `workers` threads, slice by slice (sliceTasks): each
 * worker hands a finished slice's bytes over (shared memory, neither copied nor transferred) and
 * the writer puts them into the sink in output order, one pass over the
 * bytes. A worker is given a new slice only while fewer than AHEAD slices
 * wait to be written, so memory stays flat however far the writer lags.
 * Returns each group's summary, merged from its slices'.
 */
export async function emitInWorkers(tasks: readonly EmitTask[], workers: number, sink: Sink, progress: (rows: number) => void, early: EarlyWorkers | null = null, header: Promise<void> = Promise.resolve()): Promise<EmitSummary[]> {
  const slices = sliceTasks(tasks);
  const ahead = workers * AHEAD_PER_WORKER;
  const results: (Finished | null)[] = slices.map(() => null);
  const idle: Worker[] = [];
  let next = 0;
  let written = 0;
  let settle!: { resolve: (summaries: EmitSummary[]) => void; reject: (error: unknown) => void };
  const finished = new Promise<EmitSummary[]>((resolve, reject) => (settle = { resolve, reject }));
  // The group each worker was last sent (its place among the tasks, as the summaries are kept): a group's task goes to a worker once for all its slices there.
  const groupOf = new Map<Worker, number>();
  const assign = (worker: Worker) => {
    if (next >= slices.length) return;
    if (next - written >= ahead) return void idle.push(worker);
    const index = next++;
    const { slice, ...group } = slices[index] as EmitTask;
    const known = groupOf.get(worker) === group.index;
    groupOf.set(worker, group.index);
    send(worker, known ? { type: 'slice', index, slice } : { type: 'slice', index, slice, group });
  };
  let closed = false;
  // Chunks the sink has written go back to the worker that filled them (shared, as they came), unless the run is over.
  const giveBack = (worker: Worker, buffers: ArrayBufferLike[]) => {
    if (!closed) send(worker, { type: 'spare', buffers });
  };
  const summaries = tasks.map((): EmitSummary[] => []);
  let rows = 0;
  // The first slice is written after what the sink was given before (the header); its failure fails the run.
  header.catch(settle.reject);
  const write = writer(results, sink, header, giveBack, (index, summary) => {
    written = index + 1;
    summaries[(slices[index] as EmitTask).index]?.push(summary);
    progress((rows += summary.rows));
    while (idle.length > 0 && next < slices.length && next - written < ahead) assign(idle.pop() as Worker);
    if (written === slices.length) settle.resolve(summaries.map(mergeSummaries));
  });
  const started = early?.take() ?? [];
  const pool = Array.from({ length: Math.min(workers, slices.length) }, (_, i) => {
    const worker = started[i]?.worker ?? startWorker(workers);
    const failed = started[i]?.failed();
    if (failed !== undefined) settle.reject(failed);
    worker.ref();
    worker.on('message', (reply: WorkerReply) => {
      if (reply.type === 'error') return settle.reject(rebuildError(reply.error));
      results[reply.index] = { summary: reply.summary, chunks: reply.chunks, from: worker };
      assign(worker);
      write().catch(settle.reject);
    });
    worker.on('error', (error) => settle.reject(error));
    assign(worker);
    return worker;
  });
  try {
    return await finished;
  } finally {
    closed = true;
    // Workers started early beyond what the slices needed go too.
    await Promise.all([...pool, ...started.slice(pool.length).map((s) => s.worker)].map((w) => w.terminate()));
  }
}

/**
 * Emission workers started before the rows are due (runPipeline starts them
 * once the measured configurations show that the grid is emitted in
 * workers), so that their start-up overlaps with the fit. Until emitInWorkers takes them they do not keep the
 * process alive, and an error they fail with meanwhile is kept for it.
 */
export interface EarlyWorkers {
  /** The workers, once: emitInWorkers owns them from then on (a second call gives none). */
  take: () => { worker: Worker; failed: () => unknown }[];
  /** Stops the workers if nobody took them (the run failed before its rows). */
  stop: () => Promise<void>;
}

export function startEarlyWorkers(count: number, start: () => Worker = () => startWorker(count)): EarlyWorkers {
  let started: { worker: Worker; failed: () => unknown }[] | null = Array.from({ length: count }, () => {
    const worker = start();
    worker.unref();
    let error: unknown;
    const onError = (e: unknown) => (error = e);
    worker.on('error', onError);
    return {
      worker,
      failed: () => {
        worker.off('error', onError);
        return error;
      },
    };
  });
  return {
    take: () => {
      const taken = started ?? [];
      started = null;
      return taken;
    },
    stop: async () => {
      const left = started ?? [];
      started = null;
      await Promise.all(left.map((s) => s.worker.terminate()));
    },
  };
}

/** A slice's bytes, from the worker that emitted them. */
interface Finished {
  summary: EmitSummary;
  chunks: Uint8Array[];
  from: Worker;
}

function send(worker: Worker, request: WorkerRequest): void {
  worker.postMessage(request);
}

/** Slices emitted ahead of the writer, per worker, at most. */
const AHEAD_PER_WORKER = 2;

/**
 * Writes the finished slices into the sink in order, one at a time, once
 * `before` (the sink's earlier writes) settled;
 * `onWritten` hears of each, its bytes let go. Once the sink says every chunk
 * of a slice has been written, their full-size buffers go to `giveBack`.
 */
function writer(results: (Finished | null)[], sink: Sink, before: Promise<void>, giveBack: (worker: Worker, buffers: ArrayBufferLike[]) => void, onWritten: (index: number, summary: EmitSummary) => void): () => Promise<void> {
  let current = 0;
  let writing = false;
  return async () => {
    if (writing) return;
    writing = true;
    try {
      await before;
      for (let result = results[current]; result !== null && result !== undefined; result = results[current]) {
        const { chunks, from } = result;
        let left = chunks.length;
        // The buffers go back once every chunk of the slice is written.
        const written = () => {
          if (--left === 0) giveBack(from, [...new Set(chunks.map((c) => c.buffer))].filter((b) => b.byteLength === DEFAULT_CHUNK_BYTES));
        };
        for (const chunk of chunks) await sink(chunk, written);
        results[current] = null;
        onWritten(current++, result.summary);
      }
    } finally {
      writing = false;
    }
  };
}

/**
 * A small young generation keeps a worker's resident memory down (its garbage
 * is short-lived strings) at no measurable cost in speed; the old generation
 * may still grow for very wide grids.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 1024 };

/**
 * Whether emission workers started from now on compile their optimised code
 * in their own thread: yes when they take every core. V8 compiles on
 * background threads by default, and with every core emitting rows those
 * threads take time from the rows; a background compile also costs more
 * CPU than the same compile in place (a medium grid's two workers: 0.35 s
 * of background compiling against 0.13 s more in each worker; the run 5%
 * faster). The flag is V8's and process-wide, but an isolate reads it once,
 * when it starts: this thread and a plot worker started before keep their
 * background compiles (this thread's would block it, and a default run is
 * 15% slower with them in place).
 */
export function compilesInPlace(workers: number, cores: number = availableParallelism()): boolean {
  return workers >= cores;
}

/** The compiled worker next to this file, one of `workers` emitting at once; from the TypeScript sources (tests, tsx), through tsx's loader. */
function startWorker(workers: number): Worker {
  if (compilesInPlace(workers)) setFlagsFromString('--no-concurrent-recompilation');
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    return new Worker(new URL('./worker-boot.mjs', here), { workerData: { entry: new URL('./worker.ts', here).href }, resourceLimits: WORKER_LIMITS });
  }
  return new Worker(new URL('./worker.js', here), { resourceLimits: WORKER_LIMITS });
}
