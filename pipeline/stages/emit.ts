import { MAX_ROWS } from '../core/limits.js';
import { PerfDbError } from '../core/errors.js';
import { checkReach, refusesExtrapolation } from '../core/extrapolation.js';
import { countRows, resolveGrid } from '../core/grid.js';
import { headerLine } from '../emit/csv-out.js';
import { emitHere, emitInWorkers, startEarlyWorkers, type EarlyWorkers, type Sink } from '../emit/pool.js';
import { replacedRows } from '../emit/replacements.js';
import type { EmitTask } from '../emit/types.js';
import { validatedFactors, type Trust } from '../fit/trust.js';
import { splitByGroup } from '../core/keys.js';
import type { Configuration, GroupPlan } from '../types.js';
import type { EmitSummary } from '../emit/types.js';
import type { RunOptions } from '../options/types.js';

export type { Sink } from '../emit/pool.js';

export interface EmitStageIo {
  sink: Sink;
  /** Workers started ahead (startEmitWorkers), used when the rows are emitted in workers, stopped otherwise. */
  early?: EarlyWorkers | null;
  /** Called now and then with the rows emitted so far and the total to come. */
  onProgress?: (rows: number, total: number) => void;
}

/**
 * The emit stage: refuses a grid larger than --max-rows or one that reaches
 * where --extrapolate error or --max-extrapolation forbid, then writes the
 * header and every group's rows to the sink in output order, in worker
 * threads for large grids. Returns one summary per group, in group order;
 * the bytes do not depend on the concurrency.
 */
export interface Emitted {
  /** One per group, in group order. */
  summaries: EmitSummary[];
  /** Worker threads used; 0 when the groups were emitted in this thread. */
  workers: number;
}

export async function emit(plans: readonly GroupPlan[], trust: Trust, options: RunOptions, io: EmitStageIo): Promise<Emitted> {
  let early = io.early ?? null;
  try {
    const total = rowCount(options.grid, plans.map((g) => g.configurations));
    refuseTooManyRows(total, options);
    const tasks = emitTasks(plans, trust, options);
    const parallel = inWorkers(total, options) ? options.concurrency : 0;
    // Workers start before the header is written: nothing on this thread waits for them.
    if (parallel > 0) early ??= startEarlyWorkers(parallel);
    const header = Promise.resolve(io.sink(headerLine(options.uncertainty)));
    // Awaited by the writer (or below): a failure before that is not left unhandled.
    header.catch(() => undefined);
    const progress = (rows: number) => io.onProgress?.(rows, total);
    // Workers take slices of groups, not whole groups: even one group keeps every one of them busy.
    // They are given their first slices before the header is written (the first write of a file may take a few turns of the event loop).
    if (parallel > 0) return { summaries: await emitInWorkers(tasks, parallel, io.sink, progress, early, header), workers: parallel };
    await header;
    return { summaries: await emitHere(tasks, io.sink, progress), workers: 0 };
  } finally {
    // emitInWorkers took them when it ran: this stops them only when nothing used them.
    await early?.stop();
  }
}

/** E_TOO_MANY_ROWS when `total` rows are more than --max-rows allows. */
function refuseTooManyRows(total: number, options: RunOptions): void {
  if (total <= options.maxRows) return;
  const count = Number.isSafeInteger(total) ? total.toLocaleString('en-US') : `about ${total.toExponential(2)}`;
  // Only a limit the option accepts is suggested; a grid beyond it can only be narrowed.
  const hint = total <= MAX_ROWS ? `narrow --prompts/--batches/--tokens, or raise the limit with --max-rows ${total}` : `narrow --prompts/--batches/--tokens: no run writes more than ${MAX_ROWS.toLocaleString('en-US')} rows (the most --max-rows allows)`;
  throw new PerfDbError('E_TOO_MANY_ROWS', `the grid would emit ${count} rows, more than --max-rows ${options.maxRows.toLocaleString('en-US')}`, { hint });
}

/** The rows the grid gives, over groups with these measured configurations. */
function rowCount(grid: RunOptions['grid'], groups: readonly (readonly Configuration[])[]): number {
  return groups.reduce((sum, configurations) => sum + countRows(grid, configurations), 0);
}

/** Whether the rows are emitted in worker threads: with more than one allowed, for grids of at least --worker-min-rows rows. */
function inWorkers(total: number, options: RunOptions): boolean {
  return options.concurrency > 1 && total >= options.workerMinRows && total <= options.maxRows;
}

/**
 * The emission workers, started as soon as the measured configurations are
 * known (before the fit), when the grid will be emitted in them; null when
 * it will not. emit takes them (io.early), or stops them. A grid of more
 * rows than --max-rows allows is refused here (E_TOO_MANY_ROWS).
 */
export function startEmitWorkers(configurations: readonly Configuration[], options: RunOptions): EarlyWorkers | null {
  const total = rowCount(options.grid, [...splitByGroup(configurations).values()]);
  // Refused before the fit: nothing (the charts, what to measure next) works on a grid no run would write.
  refuseTooManyRows(total, options);
  return inWorkers(total, options) ? startEarlyWorkers(options.concurrency) : null;
}

/** Each group's work order, after the extrapolation gate. */
export function emitTasks(plans: readonly GroupPlan[], trust: Trust, options: RunOptions): EmitTask[] {
  return plans.map((plan, index) => task(plan, index, trust, options));
}

function task({ fit, configurations }: GroupPlan, index: number, trust: Trust, options: RunOptions): EmitTask {
  const grid = resolveGrid(options.grid, configurations);
  const refuse = refusesExtrapolation(options.extrapolate);
  if (refuse || options.maxExtrapolation?.action === 'error') {
    // Configurations left out of the fit are emitted as predictions too (--exclude-anomalies); they are never skipped.
    for (const e of fit.excluded) checkReach({ prompt: e.prompt_size, batch: e.batch_size, what: 'configuration left out of the fit' }, fit.range, refuse, options.maxExtrapolation, fit.id, false);
    for (const p of grid.prompts) for (const b of grid.batches) checkReach({ prompt: p, batch: b, what: 'grid point' }, fit.range, refuse, options.maxExtrapolation, fit.id);
  }
  const bands = (metric: 'prompt_time' | 'token_time') => trust.metrics[metric]?.bands ?? null;
  return {
    index,
    fit,
    configurations,
    grid,
    skipBeyond: options.maxExtrapolation?.action === 'skip' ? options.maxExtrapolation.factor : null,
    validated: validatedFactors(trust),
    errors: options.uncertainty ? { coverage: options.coverage, bands: { prompt_time: bands('prompt_time'), token_time: bands('token_time') } } : null,
    replaced: options.excludeAnomalies ? [...replacedRows(fit, configurations, grid)] : [],
  };
}
