import { beyondFactor } from '../core/extrapolation.js';
import { configKey } from '../core/keys.js';
import { coefficientOfVariation } from '../core/stats.js';
import { makePredictors, predictPoint, xOf, type Predictors } from '../fit/predict.js';
import { errorModel, formatError, type ErrorModel } from '../fit/uncertainty.js';
import type { Configuration, GroupFit, Source } from '../types.js';
import { EmitCounters, type EmitCounts } from './counters.js';
import { ChunkWriter, formatNumber, quoteCells } from './csv-out.js';
import { indexMeasured, unionKeys } from './measured-index.js';
import type { EmitTask } from './types.js';

/** Called for every emitted row, in output order. */
export type RowObserver = (p: number, b: number, t: number, promptTime: number, tokenTime: number, e2eTime: number) => void;

export interface ChunkOptions {
  /** Bytes per yielded chunk, about; raised where needed so that a chunk holds at least four rows. */
  chunkBytes?: number;
  /** Yield the same buffer each time: the consumer must be done with a chunk before the next is asked for. */
  reuseChunks?: boolean;
}

const DEFAULT_CHUNK_BYTES = 1 << 20;

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
  const format = rowFormat(fit, task.uncertainty);
  const out = new ChunkWriter(chunks.chunkBytes ?? DEFAULT_CHUNK_BYTES, format.lead.length + 512);
  const predictors = makePredictors(fit);
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
          onRow(p, b, t, pt, tt, e2e);
        } else {
          if (predicted === null) {
            predicted = predictRow(format, predictors, task, p, b);
            counters.point(p, b, rowTokens.length, predicted.prediction);
          }
          const e2e = writePredicted(out, predicted, t, tokenText);
          counters.row(predicted.source);
          onRow(p, b, t, predicted.promptTime, predicted.tokenTime, e2e);
        }
        if (out.full) yield out.take(reuse);
      }
    }
  }
  if (out.length > 0) yield out.take(reuse);
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
  errors: { prompt_time: ErrorModel; token_time: ErrorModel } | null;
}

function rowFormat(fit: GroupFit, uncertainty: boolean): RowFormat {
  const [model, hardware] = quoteCells([fit.model, fit.hardware]) as [string, string];
  const tp = String(fit.tensor_parallel);
  const none: ErrorModel = () => null;
  return {
    lead: new TextEncoder().encode(`${model},${hardware},`),
    tails: { measured: `,${tp},measured`, interpolated: `,${tp},interpolated`, extrapolated: `,${tp},extrapolated` },
    errors: uncertainty
      ? { prompt_time: fit.fits.prompt_time === null ? none : errorModel(fit.fits.prompt_time), token_time: fit.fits.token_time === null ? none : errorModel(fit.fits.token_time) }
      : null,
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
  if (format.errors !== null) out.ascii(`,${formatError(coefficientOfVariation(c.repetitions.prompt_time))},${formatError(coefficientOfVariation(c.repetitions.token_time))}`);
  out.ascii('\n');
  return [pt, tt, e2e];
}

interface Predicted {
  source: Source;
  prediction: ReturnType<typeof predictPoint>;
  promptTime: number;
  tokenTime: number;
  /** `,peak,avg,prompt,token,` between token_size and e2e_time. */
  middle: string;
  /** `,tp,source[,errors]\n` after e2e_time. */
  tail: string;
}

/** A (prompt, batch) point's prediction, formatted once for every token size emitted there. */
function predictRow(format: RowFormat, predictors: Predictors, task: EmitTask, p: number, b: number): Predicted {
  const prediction = predictPoint(predictors, p, b, task.extrapolate);
  const [lo, hi] = task.fit.range;
  const bt = p * b;
  const source: Source = bt >= lo && bt <= hi ? 'interpolated' : 'extrapolated';
  const { prompt_time, token_time, peak_power, average_power } = prediction.values;
  let tail = format.tails[source];
  if (format.errors !== null) {
    const err = (metric: 'prompt_time' | 'token_time') => {
      const predictor = predictors[metric];
      return predictor === null ? null : (format.errors as NonNullable<RowFormat['errors']>)[metric](xOf(predictor, p, b));
    };
    tail += `,${formatError(err('prompt_time'))},${formatError(err('token_time'))}`;
  }
  const promptTime = prompt_time as number;
  const tokenTime = token_time as number;
  return { source, prediction, promptTime, tokenTime, middle: `,${formatNumber(peak_power)},${formatNumber(average_power)},${promptTime},${tokenTime},`, tail: `${tail}\n` };
}
