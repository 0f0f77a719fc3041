import { beyondFactor } from '../core/extrapolation.js';
import { configKey } from '../core/keys.js';
import { PerfDbError } from '../core/errors.js';
import { describeConfig } from '../core/format.js';
import { makePredictors, predictPoint, type PointPrediction, type Predictors } from '../fit/predict.js';
import { formatError, measuredError, predictedError, type ErrBasis } from '../fit/uncertainty.js';
import type { Configuration, GroupFit, Source } from '../types.js';
import { EmitCounters, type EmitCounts } from './counters.js';
import { ChunkWriter, formatNumber, quoteCells } from './csv-out.js';
import { indexMeasured, unionKeys } from './measured-index.js';
import type { EmitTask } from './types.js';

/** Called for every emitted row, in output order. */
export type RowObserver = (p: number, b: number, t: number, promptTime: number, tokenTime: number, e2eTime: number, extrapolated: boolean) => void;

export interface ChunkOptions {
  /** Bytes per yielded chunk, about; raised where needed so that a chunk holds at least four rows. */
  chunkBytes?: number;
  /** Yield the same buffer each time: the consumer must be done with a chunk before the next is asked for. */
  reuseChunks?: boolean;
  /** A writer shared by the groups emitted one after the other: a group's last rows stay in it for the next group to fill on, and the caller takes the last chunk. */
  writer?: ChunkWriter;
}

export const DEFAULT_CHUNK_BYTES = 1 << 20;

/**
 * Streams one group's rows of perf_db.csv (no header) as UTF-8 chunks, in
 * output order. Every measured configuration is emitted once with its medians
 * (`measured`), unless the task replaces it; every other grid point is
 * predicted (see predictPoint) at its x: `interpolated` inside the measured
 * batch_tokens range, `extrapolated` outside, with e2e_time = prompt_time +
 * (token_size - 1) * token_time. Returns the group's counters when done;
 * monotonicity is checked by whoever observes the rows.
 */
export function* emitGroup(task: EmitTask, onRow: RowObserver, chunks: ChunkOptions = {}): Generator<Uint8Array, EmitCounts, undefined> {
  const { fit, grid, skipBeyond } = task;
  const reuse = chunks.reuseChunks === true;
  const ctx = groupContext(task);
  const format = ctx.format;
  const rowBytes = format.lead.length + 512;
  const shared = chunks.writer;
  const out = shared ?? new ChunkWriter(chunks.chunkBytes ?? DEFAULT_CHUNK_BYTES, rowBytes);
  if (shared !== undefined && shared.bound(rowBytes)) yield shared.take(reuse);
  const counters = new EmitCounters(fit.id, fit.range);
  const replaced = new Map(task.replaced);
  const gridPrompts = new Set(grid.prompts);
  const gridBatches = new Set(grid.batches);
  const tokenText = new Map(grid.tokens.map((t) => [t, String(t)]));
  const byPrompt = indexMeasured(task.configurations);
  for (const p of unionKeys(grid.prompts, byPrompt)) {
    const measuredB = byPrompt.get(p);
    const onGridP = gridPrompts.has(p);
    for (const b of onGridP ? unionKeys(grid.batches, measuredB) : unionKeys([], measuredB)) {
      const measuredT = measuredB?.get(b);
      const rowTokens = onGridP && gridBatches.has(b) ? unionKeys(grid.tokens, measuredT) : unionKeys([], measuredT);
      const beyond = skipBeyond !== null && beyondFactor(p * b, fit.range, skipBeyond);
      let predicted: Predicted | null = null;
      const sizes = `${p},${b},`;
      for (const t of rowTokens) {
        const measured = measuredT?.get(t);
        // Never skip a measured configuration, even one emitted as a prediction.
        if (measured === undefined && beyond) {
          counters.skipped();
          continue;
        }
        const c = measured === undefined || replaced.size === 0 ? measured : unlessReplaced(measured, replaced, counters);
        out.bytes(format.lead);
        out.ascii(sizes);
        if (c !== undefined) {
          const [pt, tt, e2e] = writeMeasured(out, format, c, t);
          counters.row('measured');
          onRow(p, b, t, pt, tt, e2e, false);
        } else {
          if (predicted === null) {
            predicted = predictRow(ctx, p, b, t);
            counters.point(p, b, rowTokens.length, predicted.prediction);
          }
          // A decode-model tail changes token_time with the token size: that row is predicted on its own.
          const row = predicted.prediction.perToken.length === 0 ? predicted : predictRow(ctx, p, b, t);
          const e2e = writePredicted(out, row, t, tokenText);
          counters.row(row.source);
          counters.flags(1, row.flags);
          onRow(p, b, t, row.promptTime, row.tokenTime, e2e, row.source === 'extrapolated');
        }
        if (out.full) yield out.take(reuse);
      }
    }
  }
  if (shared === undefined && out.length > 0) yield out.take(reuse);
  return counters.summary();
}

/** A measured configuration, or undefined when --exclude-anomalies emits the prediction instead (counted). */
function unlessReplaced(c: Configuration, replaced: ReadonlyMap<string, string>, counters: EmitCounters): Configuration | undefined {
  const rule = replaced.get(configKey(c.prompt_size, c.batch_size, c.token_size));
  if (rule === undefined) return c;
  counters.replacedRow({ prompt_size: c.prompt_size, batch_size: c.batch_size, token_size: c.token_size, rule });
  return undefined;
}

/** A predicted row after its sizes: the point's cached text around e2e_time, which depends on the token size. */
function writePredicted(out: ChunkWriter, predicted: Predicted, t: number, tokenText: ReadonlyMap<number, string>): number {
  const e2e = predicted.promptTime + (t - 1) * predicted.tokenTime;
  out.ascii(tokenText.get(t) ?? String(t));
  out.ascii(predicted.middle);
  out.ascii(String(e2e));
  out.ascii(predicted.tail);
  return e2e;
}

interface RowFormat {
  /** `model,hardware,` as UTF-8, quoted once for the group. */
  lead: Uint8Array;
  /** `,tp,source` after e2e_time, per source. */
  tails: Record<Source, string>;
  errors: EmitTask['errors'];
}

function rowFormat(fit: GroupFit, errors: EmitTask['errors']): RowFormat {
  const [model, hardware] = quoteCells([fit.model, fit.hardware]) as [string, string];
  const tp = String(fit.tensor_parallel);
  return {
    lead: new TextEncoder().encode(`${model},${hardware},`),
    tails: { measured: `,${tp},measured`, interpolated: `,${tp},interpolated`, extrapolated: `,${tp},extrapolated` },
    errors,
  };
}

/** A measured row from its medians (e2e_time empty when the input had none); returns the values the checker sees. */
function writeMeasured(out: ChunkWriter, format: RowFormat, c: Configuration, t: number): [number, number, number] {
  const pt = c.metrics.prompt_time?.median ?? NaN;
  const tt = c.metrics.token_time?.median ?? NaN;
  const e2eMedian = c.metrics.e2e_time?.median;
  const e2e = e2eMedian ?? pt + (t - 1) * tt;
  const power = (m: 'peak_power' | 'average_power') => formatNumber(c.metrics[m]?.median ?? null);
  out.ascii(`${t},${power('peak_power')},${power('average_power')},${pt},${tt},${e2eMedian === undefined ? '' : e2e}${format.tails.measured}`);
  if (format.errors !== null) {
    const { coverage } = format.errors;
    out.ascii(`,${formatError(measuredError(c.repetitions.prompt_time, coverage))},${formatError(measuredError(c.repetitions.token_time, coverage))},repetitions`);
  }
  out.ascii('\n');
  return [pt, tt, e2e];
}

interface Predicted {
  source: Source;
  prediction: PointPrediction;
  promptTime: number;
  tokenTime: number;
  /** `,peak,avg,prompt,token,` between token_size and e2e_time. */
  middle: string;
  /** `,tp,source[,errors]\n` after e2e_time. */
  tail: string;
  flags: { belowMinimum: boolean; beyondValidated: boolean; differsFromLinear: boolean };
}

/** What every predicted row of a group needs, built once. */
interface GroupContext {
  format: RowFormat;
  fit: GroupFit;
  predictors: Predictors;
  /** The same fits without tails (SplitwiseSim's line), to count the rows that differ from it; null when there are no tails. */
  own: Predictors | null;
  /** The group's smallest measured medians. */
  minimum: { prompt_time: number; token_time: number };
  validated: EmitTask['validated'];
}

function groupContext(task: EmitTask): GroupContext {
  const { fit } = task;
  const tailed = Object.values(fit.fits).some((f) => f !== null && f.tails !== null);
  const smallest = (m: 'prompt_time' | 'token_time') => Math.min(...task.configurations.flatMap((c) => (c.metrics[m] === null ? [] : [c.metrics[m].median])));
  const withoutTails = { ...fit, fits: Object.fromEntries(Object.entries(fit.fits).map(([m, f]) => [m, f === null ? null : { ...f, tails: null }])) as GroupFit['fits'] };
  return {
    format: rowFormat(fit, task.errors),
    fit,
    predictors: makePredictors(fit),
    own: tailed ? makePredictors(withoutTails) : null,
    minimum: { prompt_time: smallest('prompt_time'), token_time: smallest('token_time') },
    validated: task.validated,
  };
}

/** A (prompt, batch) point's prediction at token size t, formatted once for every token size emitted there (see perToken). */
function predictRow(ctx: GroupContext, p: number, b: number, t: number): Predicted {
  const { format, predictors } = ctx;
  const prediction = predictPoint(predictors, p, b, t);
  const [lo, hi] = ctx.fit.range;
  const bt = p * b;
  const source: Source = bt >= lo && bt <= hi ? 'interpolated' : 'extrapolated';
  const { prompt_time, token_time, peak_power, average_power } = prediction.values;
  let tail = format.tails[source];
  if (format.errors !== null) tail += errorCells(format.errors, predictors, p, b, source);
  const promptTime = prompt_time as number;
  const tokenTime = token_time as number;
  if (!Number.isFinite(promptTime + tokenTime + (peak_power ?? 0) + (average_power ?? 0))) throw notFinite(ctx.fit, p, b, t);
  return {
    source,
    prediction,
    promptTime,
    tokenTime,
    middle: `,${formatNumber(peak_power)},${formatNumber(average_power)},${promptTime},${tokenTime},`,
    tail: `${tail}\n`,
    flags: rowFlags(ctx, p, b, t, source, promptTime, tokenTime),
  };
}

/** A prediction that overflowed: never written, whatever the input (its bounds should make this impossible). */
function notFinite(fit: GroupFit, p: number, b: number, t: number): PerfDbError {
  return new PerfDbError('E_NON_FINITE', `the prediction at ${describeConfig({ prompt_size: p, batch_size: b, token_size: t })} is not a finite number; no row holds NaN or Infinity`, {
    group: fit.id,
    hint: 'the measurements of this group span too wide a range of values: check their units, or narrow the grid',
  });
}

/** Below anything measured, beyond the validated factor, or not what SplitwiseSim's line gives. */
function rowFlags(ctx: GroupContext, p: number, b: number, t: number, source: Source, promptTime: number, tokenTime: number): Predicted['flags'] {
  const belowMinimum = promptTime < ctx.minimum.prompt_time || tokenTime < ctx.minimum.token_time;
  if (source === 'interpolated') return { belowMinimum, beyondValidated: false, differsFromLinear: false };
  const bt = p * b;
  const above = bt > ctx.fit.range[1];
  const limit = above ? ctx.validated.upper : ctx.validated.lower;
  const f = above ? bt / ctx.fit.range[1] : ctx.fit.range[0] / bt;
  const own = ctx.own === null ? null : predictPoint(ctx.own, p, b, t).values;
  const differsFromLinear = own !== null && (own.prompt_time !== promptTime || own.token_time !== tokenTime);
  return { belowMinimum, beyondValidated: limit === null || f > limit * (1 + 1e-12), differsFromLinear };
}

/** `,prompt_time_err,token_time_err,err_basis` of a predicted point. */
function errorCells(errors: NonNullable<EmitTask['errors']>, predictors: Predictors, p: number, b: number, source: Source): string {
  const at = (metric: 'prompt_time' | 'token_time') => {
    const predictor = predictors[metric];
    return predictor === null ? { err: null, validated: true } : predictedError(errors.bands[metric], predictor, p, b);
  };
  const [pt, tt] = [at('prompt_time'), at('token_time')];
  const basis: ErrBasis = source === 'interpolated' ? 'leave-one-out' : pt.validated && tt.validated ? 'backtest' : 'unvalidated';
  return `,${formatError(pt.err)},${formatError(tt.err)},${basis}`;
}
