/**
 * Emission workers started before the fit (startEmitWorkers): only when the
 * grid is emitted in workers; taken by the pool, whose bytes are those of one
 * thread, or stopped when nothing takes them; an error they failed with
 * before fails the run; the header is written first even though the workers
 * are given slices before it is.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { beforeAll, describe, expect, it } from 'vitest';
import { compilesInPlace, emitHere, emitInWorkers, startEarlyWorkers, type EarlyWorkers } from '../pipeline/emit/pool.js';
import type { EmitTask } from '../pipeline/emit/types.js';
import { runOptions } from '../pipeline/options/defaults.js';
import { aggregate } from '../pipeline/stages/aggregate.js';
import { dedupe } from '../pipeline/stages/dedupe.js';
import { emit, emitTasks, startEmitWorkers } from '../pipeline/stages/emit.js';
import { fit } from '../pipeline/stages/fit.js';
import { runPipeline } from '../pipeline/run.js';
import { ingest } from '../pipeline/stages/ingest.js';
import type { Grid, Measurement } from '../pipeline/types.js';
import { realDataPath, source } from './helpers.js';

let rows: Measurement[];
beforeAll(async () => {
  const options = runOptions();
  rows = dedupe((await ingest([source(readFileSync(realDataPath(), 'utf8'), 'perf_model.csv')], options)).rows, options).rows;
});

const range = (from: number, to: number, step: number) => Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step);
const GRID: Grid = { prompts: range(16, 2048, 16), batches: range(1, 8, 1), tokens: [128, 512] };
// 128 prompts x 8 batches x 2 tokens per group, 12 groups: 24,576 grid rows, plus the measured ones off the grid.

/** Early workers whose exits the test sees: what startEarlyWorkers gives, with each worker's exit as a promise. */
function watched(count: number): { early: EarlyWorkers; exits: Promise<number>[]; taken: () => boolean } {
  const inner = startEarlyWorkers(count);
  const workers = inner.take();
  const exits = workers.map(({ worker }) => new Promise<number>((resolve) => worker.once('exit', resolve)));
  let given = false;
  const early: EarlyWorkers = {
    take: () => {
      if (given) return [];
      given = true;
      return workers;
    },
    stop: async () => {
      if (given) return;
      given = true;
      await Promise.all(workers.map(({ worker }) => worker.terminate()));
    },
  };
  return { early, exits, taken: () => given };
}

function planned(grid: Grid, more: Parameters<typeof runOptions>[0] = {}) {
  const options = runOptions({ grid, ...more });
  return { options, ...fit(rows, aggregate(rows), options) };
}

/** The bytes a sink is given, in order. */
function collector() {
  const parts: Buffer[] = [];
  return { sink: (chunk: string | Uint8Array) => void parts.push(Buffer.from(chunk)), bytes: () => Buffer.concat(parts) };
}

describe('startEmitWorkers()', () => {
  const configurations = () => aggregate(rows);

  it('starts workers only when the grid is emitted in them: more than one allowed, at least --worker-min-rows rows; refuses a grid beyond --max-rows', async () => {
    const cases: [Parameters<typeof runOptions>[0], boolean][] = [
      [{ grid: GRID, concurrency: 2, workerMinRows: 24_576 }, true],
      [{ grid: GRID, concurrency: 2, workerMinRows: 30_000 }, false],
      [{ grid: GRID, concurrency: 1, workerMinRows: 0 }, false],
    ];
    for (const [options, expected] of cases) {
      const early = startEmitWorkers(configurations(), runOptions(options));
      expect(early !== null, JSON.stringify(options)).toBe(expected);
      await early?.stop();
    }
    // Beyond --max-rows the grid is refused then and there: no worker starts for a run that cannot write.
    expect(() => startEmitWorkers(configurations(), runOptions({ grid: GRID, concurrency: 2, workerMinRows: 0, maxRows: 20_000 }))).toThrow(expect.objectContaining({ code: 'E_TOO_MANY_ROWS' }));
  });

  it('counts each group\'s measured sizes where the grid leaves an axis to them, and its measured rows off the grid', async () => {
    const grid: Grid = { prompts: GRID.prompts, batches: null, tokens: null };
    const { plans } = planned(grid);
    const prompts = new Set(grid.prompts);
    // Per group: the grid's prompts x its measured batches x its measured tokens, plus each measured configuration whose prompt is off the grid.
    const total = plans.reduce((sum, p) => {
      const [batches, tokens] = [new Set(p.configurations.map((c) => c.batch_size)), new Set(p.configurations.map((c) => c.token_size))];
      return sum + prompts.size * batches.size * tokens.size + p.configurations.filter((c) => !prompts.has(c.prompt_size)).length;
    }, 0);
    const at = startEmitWorkers(configurations(), runOptions({ grid, concurrency: 2, workerMinRows: total }));
    const above = startEmitWorkers(configurations(), runOptions({ grid, concurrency: 2, workerMinRows: total + 1 }));
    expect([at !== null, above !== null]).toEqual([true, false]);
    await at?.stop();
  });
});

describe('emit() with early workers', () => {
  it('gives them to the pool, which writes the bytes of one thread, header first', async () => {
    const { options, plans, trust } = planned(GRID, { concurrency: 2, workerMinRows: 0 });
    const single = collector();
    await emit(plans, trust, { ...options, concurrency: 1 }, { sink: single.sink });
    const { early, exits, taken } = watched(2);
    const workers = collector();
    const result = await emit(plans, trust, options, { sink: workers.sink, early });
    expect(taken()).toBe(true);
    expect(result.workers).toBe(2);
    expect(workers.bytes().equals(single.bytes())).toBe(true);
    expect(workers.bytes().subarray(0, 6).toString()).toBe('model,');
    await Promise.all(exits);
  }, 60_000);

  it('stops them when the rows are emitted in this thread, and when the grid is refused', async () => {
    const { options, plans, trust } = planned(GRID, { workerMinRows: 0 });
    const here = watched(2);
    const result = await emit(plans, trust, { ...options, concurrency: 1 }, { sink: collector().sink, early: here.early });
    expect(result.workers).toBe(0);
    await Promise.all(here.exits);
    const refused = watched(2);
    await expect(emit(plans, trust, { ...options, concurrency: 2, maxRows: 100 }, { sink: collector().sink, early: refused.early })).rejects.toThrow(/more than --max-rows/);
    await Promise.all(refused.exits);
  }, 60_000);

  it('never writes a slice while the header\'s write is still under way, however long it takes', async () => {
    const { options, plans, trust } = planned(GRID, { concurrency: 2, workerMinRows: 0 });
    const parts: Buffer[] = [];
    let busy = false;
    const sink = async (chunk: string | Uint8Array) => {
      if (busy) throw new Error('a write began before the one before it ended');
      busy = true;
      // The header's write is slow (a file's first write may take several turns of the event loop); the workers' slices are done meanwhile.
      await new Promise((resolve) => setTimeout(resolve, parts.length === 0 ? 1500 : 0));
      parts.push(Buffer.from(chunk));
      busy = false;
    };
    // Started first, so that they have booted (while the single thread emits) and finish a slice long before the header is written.
    const { early, exits } = watched(2);
    const single = collector();
    await emit(plans, trust, { ...options, concurrency: 1 }, { sink: single.sink });
    await emit(plans, trust, options, { sink, early });
    await Promise.all(exits);
    expect(Buffer.concat(parts).equals(single.bytes())).toBe(true);
  }, 60_000);

  it('fails the run with the header write\'s error, workers or not', async () => {
    const { options, plans, trust } = planned(GRID, { workerMinRows: 0 });
    const failing = async (chunk: string | Uint8Array) => {
      if (typeof chunk === 'string' && chunk.startsWith('model,')) throw new Error('disk full at the header');
    };
    for (const concurrency of [1, 2]) await expect(emit(plans, trust, { ...options, concurrency }, { sink: failing })).rejects.toThrow('disk full at the header');
  }, 60_000);
});

describe('emitInWorkers() with early workers', () => {
  const tasks = (): EmitTask[] => {
    const { options, plans, trust } = planned({ prompts: [128, 256], batches: [1, 2], tokens: [10] });
    return emitTasks(plans, trust, options).slice(0, 1);
  };

  it('terminates the early workers the slices do not need', async () => {
    const one = tasks();
    const single = collector();
    await emitHere(one, single.sink, () => undefined);
    const { early, exits } = watched(3);
    const out = collector();
    await emitInWorkers(one, 3, out.sink, () => undefined, early);
    expect(out.bytes().equals(single.bytes())).toBe(true);
    // One small group is one slice: one worker emits it, and all three exit.
    expect(await Promise.all(exits)).toHaveLength(3);
  }, 60_000);

  it('keeps the error a worker failed with before it was taken, and rejects with it', async () => {
    let started: Worker | undefined;
    const early = startEarlyWorkers(1, () => (started = new Worker("throw new Error('the worker failed at its start')", { eval: true })));
    await new Promise((resolve) => started?.once('error', resolve));
    await expect(emitInWorkers(tasks(), 1, collector().sink, () => undefined, early)).rejects.toThrow('the worker failed at its start');
  }, 60_000);

  it('rejects with the error an early worker failed with before it was taken (given as failed)', async () => {
    const { early: inner, exits } = watched(1);
    const [started] = inner.take();
    const failedEarly: EarlyWorkers = { take: () => [{ worker: started!.worker, failed: () => new Error('worker failed to start') }], stop: async () => undefined };
    await expect(emitInWorkers(tasks(), 1, collector().sink, () => undefined, failedEarly)).rejects.toThrow('worker failed to start');
    await Promise.all(exits);
  }, 60_000);
});

describe('runPipeline() with early workers', () => {
  /** This process's threads (Linux): each worker thread is one. */
  const threads = () => readdirSync('/proc/self/task').length;

  it('stops them when the run fails between the fit and emit (a failing onFitted)', async () => {
    const options = runOptions({ grid: GRID, concurrency: 2, workerMinRows: 0 });
    const before = threads();
    let during = 0;
    const onFitted = () => {
      during = threads();
      throw new Error('the plots could not start');
    };
    await expect(runPipeline([source(readFileSync(realDataPath(), 'utf8'), 'perf_model.csv')], options, () => undefined, { onFitted })).rejects.toThrow('the plots could not start');
    // Two workers were running when it failed, and none is left after.
    expect(during).toBeGreaterThanOrEqual(before + 2);
    for (let waited = 0; threads() > before && waited < 5_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(threads()).toBeLessThanOrEqual(before);
  }, 60_000);
});

describe('compilesInPlace()', () => {
  it('has the workers compile in their own thread only when they take every core', () => {
    expect(compilesInPlace(2, 2)).toBe(true);
    expect(compilesInPlace(3, 2)).toBe(true);
    // A core to spare: V8's background compiles run there.
    expect(compilesInPlace(1, 2)).toBe(false);
    expect(compilesInPlace(2, 8)).toBe(false);
  });
});
