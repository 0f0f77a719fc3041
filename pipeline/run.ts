import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { aggregate } from './stages/aggregate.js';
import { headerLine } from './emit/csv-out.js';
import { dedupe } from './stages/dedupe.js';
import { emitGroup, type EmitOptions } from './emit/rows.js';
import { countRows, resolveGrid } from './emit/grid.js';
import type { MethodChoice } from './fit/methods.js';
import { PerfDbError } from './core/errors.js';
import { fit } from './stages/fit.js';
import { ingest, type IngestSource } from './stages/ingest.js';
import { groupId, groupKeyString } from './core/keys.js';
import type {
  Configuration,
  EmitSummary,
  ExtrapolationPolicy,
  FitKey,
  FittedMetric,
  GroupFit,
  GroupKey,
  GroupResult,
  Grid,
  MonotonicityViolation,
  PipelineResult,
} from './types.js';
import { checkMeasured, MonotonicityChecker } from './checks/monotonicity.js';

export interface PipelineOptions {
  grid: Grid;
  onInvalid: 'error' | 'skip';
  /** A monotonicity violation in emitted rows stops the run. */
  strict: boolean;
  /** Refuse grids that would emit more rows than this. */
  maxRows: number;
  /** Groups emitted at once, in worker threads; 1 emits in this thread. The bytes written do not depend on it. */
  concurrency: number;
  /** A folder for the workers' part files (removed as they are appended). */
  scratchDir: string;
  /** Called now and then with the rows emitted so far and the total to come. */
  onProgress?: (rows: number, total: number) => void;
  /** Fit method per metric (default linear everywhere). */
  methods?: Record<FittedMetric, MethodChoice>;
  /** token_time's x (default batch_tokens, as SplitwiseSim). */
  tokenKey?: FitKey;
  /** Outside the measured range (default linear: each method's own extrapolation). */
  extrapolate?: ExtrapolationPolicy;
  /** Grid points further than `factor` times beyond the measured range: stop the run, or skip them. */
  maxExtrapolation?: { factor: number; action: 'error' | 'skip' } | null;
  /** Leave configurations that break measured monotonicity out of the fit and emit predictions for them. */
  excludeAnomalies?: boolean;
  /** Write prompt_time_err and token_time_err after source. */
  uncertainty?: boolean;
  /** Keep exact duplicate rows in the medians, as SplitwiseSim's DatabasePerformanceModel does. */
  keepDuplicates?: boolean;
}

/** The rule --exclude-anomalies applies, as the report states it. */
export const ANOMALY_RULE = 'its measured median is below that of the nearest smaller configuration along prompt_size or batch_size (all else equal)';

/** Below this many rows, starting worker threads costs more than it saves. */
const PARALLEL_MIN_ROWS = 500_000;

export function defaultConcurrency(): number {
  return availableParallelism();
}

export type { GroupResult, PipelineResult } from './types.js';

/** Where perf_db.csv text goes; may return a promise to apply back-pressure. */
export type Sink = (chunk: string | Uint8Array) => void | Promise<void>;

/**
 * The pipeline, composed in this one place:
 * ingest -> dedupe -> aggregate -> fit -> validate (measured) -> emit + validate (emitted).
 */
export async function runPipeline(sources: readonly IngestSource[], options: PipelineOptions, sink: Sink): Promise<PipelineResult> {
  const timings: [string, number][] = [];
  let mark = performance.now();
  const lap = (stage: string) => {
    const now = performance.now();
    timings.push([stage, now - mark]);
    mark = now;
  };
  const ingested = await ingest(sources, { onInvalid: options.onInvalid });
  lap('ingest');
  const deduped = dedupe(ingested.rows);
  // --keep-duplicates: SplitwiseSim's DatabasePerformanceModel keeps them in its medians.
  const kept = options.keepDuplicates === true ? ingested.rows : deduped.rows;
  const duplicates = options.keepDuplicates === true ? 0 : deduped.duplicates;
  const duplicatesByGroup = options.keepDuplicates === true ? new Map<string, number>() : deduped.duplicatesByGroup;
  lap('dedupe');
  if (kept.length === 0) {
    const first = ingested.rejected[0];
    throw new PerfDbError('E_NO_VALID_ROWS', `every one of the ${ingested.rejected.length} rows read was rejected${first === undefined ? '' : `; the first, ${first.file}:${first.line}: ${first.code} ${first.reason}`}`, {
      hint: 'fix the input; run with --on-invalid error to stop at the first bad row',
    });
  }
  const configurations = aggregate(kept);
  lap('aggregate');
  const byGroup = splitByGroup(configurations);
  const extrapolate = options.extrapolate ?? 'linear';
  const fits = fit(kept, {
    ...(options.methods === undefined ? {} : { methods: options.methods }),
    tokenKey: options.tokenKey ?? 'batch_tokens',
    extrapolate,
    exclude: options.excludeAnomalies === true ? anomalies(byGroup) : new Map(),
    queries: (group, key) => {
      const { prompts, batches } = resolveGrid(options.grid, byGroup.get(groupKeyString(group)) ?? []);
      if (key === 'batch_size') return batches;
      const xs = new Set<number>();
      for (const p of prompts) for (const b of batches) xs.add(p * b);
      return [...xs];
    },
  });
  const rowsByGroup = splitByGroup(kept);
  const planned = fits.map((g) => ({
    fit: g,
    configurations: byGroup.get(groupKeyString(g)) ?? [],
    measurements: rowsByGroup.get(groupKeyString(g)) ?? [],
  }));

  const total = planned.reduce((sum, g) => sum + countRows(options.grid, g.configurations), 0);
  if (total > options.maxRows) {
    throw new PerfDbError('E_TOO_MANY_ROWS', `the grid would emit ${total.toLocaleString('en-US')} rows, more than --max-rows ${options.maxRows.toLocaleString('en-US')}`, {
      hint: `narrow --prompts/--batches/--tokens, or raise the limit with --max-rows ${total}`,
    });
  }

  lap('fit');
  checkExtrapolation(planned, options.grid, extrapolate, options.maxExtrapolation ?? null);
  const emit: EmitTask['emit'] = {
    extrapolate,
    skipBeyond: options.maxExtrapolation?.action === 'skip' ? options.maxExtrapolation.factor : null,
    uncertainty: options.uncertainty === true,
    replaceAnomalies: options.excludeAnomalies === true,
  };
  await sink(headerLine(options.uncertainty === true));
  const tasks = planned.map((g, index): EmitTask => ({ index, fit: g.fit, configurations: g.configurations, grid: options.grid, emit }));
  const parallel = Math.min(options.concurrency, tasks.length);
  const progress = (rows: number) => options.onProgress?.(rows, total);
  const inWorkers = parallel > 1 && total >= PARALLEL_MIN_ROWS;
  const summaries = inWorkers ? await emitInWorkers(tasks, parallel, options.scratchDir, sink, options.strict, progress) : await emitHere(tasks, sink, options.strict, progress);
  lap(inWorkers ? `emit + validate + write (${parallel} workers)` : 'emit + validate + write');
  const groups: GroupResult[] = planned.map((g, i) => ({
    fit: g.fit,
    measurements: g.measurements,
    configurations: g.configurations,
    measuredMonotonicity: checkMeasured(g.fit.id, g.configurations),
    emitted: summaries[i] as EmitSummary,
  }));
  const { rows: _rows, ...ingestSummary } = ingested;
  return {
    ingest: ingestSummary,
    rowsKept: kept.length,
    duplicates,
    duplicatesByGroup,
    groups,
    rows: groups.reduce((sum, g) => sum + g.emitted.rows, 0),
    timings,
  };
}

function splitByGroup<T extends GroupKey>(items: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const c of items) {
    const key = groupKeyString(c);
    const list = out.get(key);
    if (list === undefined) out.set(key, [c]);
    else list.push(c);
  }
  return out;
}

/** One group to emit; plain data, so that it can be sent to a worker. */
export interface EmitTask {
  index: number;
  fit: GroupFit;
  configurations: Configuration[];
  grid: Grid;
  emit: Pick<EmitOptions, 'extrapolate' | 'skipBeyond' | 'uncertainty' | 'replaceAnomalies'>;
}

/**
 * Configurations --exclude-anomalies leaves out of the fit, per group id:
 * each whose prompt_time or token_time median is below that of the nearest
 * smaller configuration along prompt_size or batch_size (the larger of the
 * pair is the one flagged).
 */
function anomalies(byGroup: Map<string, Configuration[]>): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const configurations of byGroup.values()) {
    const id = groupId(configurations[0] as Configuration);
    const flagged = new Map<string, string>();
    for (const v of checkMeasured(id, configurations, Infinity).first) {
      if (v.metric === 'e2e_time') continue;
      const key = `${v.to.prompt_size},${v.to.batch_size},${v.to.token_size}`;
      if (!flagged.has(key)) flagged.set(key, `${v.metric} ${v.to.value} ms is ${(v.drop * 100).toPrecision(3)}% below ${v.from.value} ms at (prompt ${v.from.prompt_size}, batch ${v.from.batch_size}, tokens ${v.from.token_size}); rule: ${ANOMALY_RULE}`);
    }
    if (flagged.size > 0) out.set(id, flagged);
  }
  return out;
}

/** With --extrapolate error, or --max-extrapolation F and the error action: stop before emitting anything. */
function checkExtrapolation(planned: readonly { fit: GroupFit; configurations: Configuration[] }[], grid: Grid, policy: ExtrapolationPolicy, max: { factor: number; action: string } | null): void {
  if (policy !== 'error' && (max === null || max.action !== 'error')) return;
  for (const { fit: group, configurations } of planned) {
    const [lo, hi] = group.range;
    const { prompts, batches } = resolveGrid(grid, configurations);
    // Configurations left out of the fit are emitted as predictions too (with --exclude-anomalies).
    const points: [number, number, boolean][] = group.excluded.map((e) => [e.prompt_size, e.batch_size, false]);
    for (const p of prompts) for (const b of batches) points.push([p, b, true]);
    for (const [p, b, onGrid] of points) {
      const bt = p * b;
      const factor = bt > hi ? bt / hi : bt < lo ? lo / bt : 1;
      if (policy === 'error' && factor > 1) {
        throw new PerfDbError('E_EXTRAPOLATION', `${onGrid ? 'grid point' : 'configuration left out of the fit'} (prompt ${p}, batch ${b}) has batch_tokens ${bt}, outside the measured range ${lo}..${hi}, and --extrapolate is error`, {
          group: group.id,
          hint: 'narrow --prompts/--batches to the measured range, or choose --extrapolate linear or clamp',
        });
      }
      if (onGrid && max !== null && factor > max.factor) {
        throw new PerfDbError('E_TOO_FAR', `grid point (prompt ${p}, batch ${b}) has batch_tokens ${bt}, ${factor.toPrecision(3)} times beyond the measured range ${lo}..${hi}; --max-extrapolation is ${max.factor}`, {
          group: group.id,
          hint: 'narrow the grid, raise --max-extrapolation, or pass --max-extrapolation-action skip to leave such rows out',
        });
      }
    }
  }
}

export type WorkerReply =
  | { type: 'progress'; group: number; rows: number }
  | { type: 'done'; group: number; summary: EmitSummary }
  | { type: 'error'; group: number; error: { message: string; stack?: string; code?: string; place?: object; hint?: string; exitCode?: number } };

/**
 * emit with the emitted-row monotonicity check attached: the per-group unit of
 * work. `counter.rows` counts the rows emitted so far, for progress reports.
 */
export function* emitGroupChecked(task: EmitTask, counter: { rows: number } = { rows: 0 }, reuseChunks = false): Generator<Uint8Array, EmitSummary, undefined> {
  const checker = new MonotonicityChecker(task.fit.id);
  const onRow = (p: number, b: number, t: number, pt: number, tt: number, e2e: number) => {
    counter.rows++;
    checker.observe(p, b, t, pt, tt, e2e);
  };
  const summary = yield* emitGroup(task.fit, task.configurations, task.grid, { ...task.emit, onRow, reuseChunks });
  return { ...summary, monotonicity: checker.summary() };
}

function strictCheck(summary: EmitSummary, strict: boolean): void {
  if (!strict || summary.monotonicity.count === 0) return;
  const v = summary.monotonicity.first[0] as MonotonicityViolation;
  const at = (s: MonotonicityViolation['to']) => `(prompt ${s.prompt_size}, batch ${s.batch_size}, tokens ${s.token_size})`;
  throw new PerfDbError(
    'E_MONOTONICITY',
    `${summary.monotonicity.count} emitted rows break monotonicity; the first: ${v.metric} falls from ${v.from.value} at ${at(v.from)} to ${v.to.value} at ${at(v.to)}`,
    { group: summary.group, hint: 'drop --strict to write the rows anyway and read the findings in the quality report' },
  );
}

async function emitHere(tasks: readonly EmitTask[], sink: Sink, strict: boolean, progress: (rows: number) => void): Promise<EmitSummary[]> {
  const summaries: EmitSummary[] = [];
  const counter = { rows: 0 };
  for (const task of tasks) {
    const emission = emitGroupChecked(task, counter);
    let step = emission.next();
    while (!step.done) {
      await sink(step.value);
      progress(counter.rows);
      step = emission.next();
    }
    strictCheck(step.value, strict);
    summaries.push(step.value);
  }
  return summaries;
}

/**
 * Emits groups in `workers` threads, each group into a part file in
 * `scratchDir`, and appends the parts to the sink in group order as soon as
 * every earlier group is in. Nothing of the grid is held in memory.
 */
async function emitInWorkers(
  tasks: readonly EmitTask[],
  workers: number,
  scratchDir: string,
  sink: Sink,
  strict: boolean,
  progress: (rows: number) => void,
): Promise<EmitSummary[]> {
  const done: (EmitSummary | null)[] = tasks.map(() => null);
  const rowsByGroup = tasks.map(() => 0);
  const summaries: EmitSummary[] = [];
  const pool: Worker[] = [];
  const partPath = (index: number) => join(scratchDir, `part-${index}.csv`);
  let next = 0;
  let current = 0;
  let copying = false;
  let settle!: { resolve: () => void; reject: (error: unknown) => void };
  const finished = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));

  const assign = (worker: Worker) => {
    if (next >= tasks.length) return;
    const task = tasks[next++] as EmitTask;
    worker.postMessage({ ...task, partPath: partPath(task.index) });
  };

  const append = async () => {
    if (copying) return;
    copying = true;
    try {
      for (let summary = done[current]; summary !== null && summary !== undefined; summary = done[current]) {
        strictCheck(summary, strict);
        for await (const chunk of createReadStream(partPath(current), { highWaterMark: 1 << 22 })) await sink(chunk as Buffer);
        await rm(partPath(current), { force: true });
        summaries.push(summary);
        current++;
      }
      if (current === tasks.length) settle.resolve();
    } catch (error) {
      settle.reject(error);
    } finally {
      copying = false;
    }
  };

  for (let i = 0; i < workers; i++) {
    const worker = startWorker();
    pool.push(worker);
    worker.on('message', (reply: WorkerReply) => {
      if (reply.type === 'error') {
        settle.reject(rebuildError(reply.error));
        return;
      }
      if (reply.type === 'progress') {
        rowsByGroup[reply.group] = reply.rows;
        progress(rowsByGroup.reduce((sum, n) => sum + n, 0));
        return;
      }
      done[reply.group] = reply.summary;
      assign(worker);
      void append();
    });
    worker.on('error', (error) => settle.reject(error));
    assign(worker);
  }
  try {
    await finished;
    return summaries;
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
}

/**
 * A small young generation keeps a worker's resident memory down (its garbage
 * is short-lived strings) at no measurable cost in speed; the old generation
 * may still grow for very wide grids.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 1024 };

function startWorker(): Worker {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    return new Worker(new URL('./emit/worker-boot.mjs', here), { workerData: { entry: new URL('./emit/worker.ts', here).href }, resourceLimits: WORKER_LIMITS });
  }
  return new Worker(new URL('./emit/worker.js', here), { resourceLimits: WORKER_LIMITS });
}

function rebuildError(e: Extract<WorkerReply, { type: 'error' }>['error']): Error {
  if (e.code !== undefined) {
    return new PerfDbError(e.code, e.message, { ...(e.place ?? {}), ...(e.hint === undefined ? {} : { hint: e.hint }), ...(e.exitCode === undefined ? {} : { exitCode: e.exitCode }) });
  }
  const error = new Error(e.message);
  if (e.stack !== undefined) error.stack = e.stack;
  return error;
}
