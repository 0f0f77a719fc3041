import { ChunkWriter, formatNumber, quoteCells } from './csv-out.js';
import { resolveGrid } from './grid.js';
import { isPossible, makePredictors, predictedValue, xOf, type Predictor, type Predictors } from '../fit/predict.js';
import { coefficientOfVariation } from '../core/stats.js';
import {
  FITTED_METRICS,
  type ClampSummary,
  type Configuration,
  type EmitSummary,
  type ExtrapolationPolicy,
  type FittedMetric,
  type GroupFit,
  type Grid,
  type Source,
} from '../types.js';
import { errorModel, formatError, type ErrorModel } from '../fit/uncertainty.js';

/** Called for every emitted row, in output order. */
export type RowObserver = (p: number, b: number, t: number, promptTime: number, tokenTime: number, e2eTime: number) => void;

export interface EmitOptions {
  /** Bytes per yielded chunk, about; raised where needed so that a chunk holds at least four rows. */
  chunkBytes?: number;
  onRow?: RowObserver;
  /** Outside the measured range (default: each method's own extrapolation). */
  extrapolate?: ExtrapolationPolicy;
  /** Grid points further than this factor beyond the measured batch_tokens range are skipped and counted. */
  skipBeyond?: number | null;
  /** Append prompt_time_err and token_time_err after source. */
  uncertainty?: boolean;
  /** Emit predictions instead of anomalous measured rows (see anomalousRows). */
  replaceAnomalies?: boolean;
  /** Yield the same buffer each time: the consumer must be done with a chunk before the next is asked for. */
  reuseChunks?: boolean;
}

const DEFAULT_CHUNK_BYTES = 1 << 20;

/**
 * Streams one group's rows of perf_db.csv (no header) as UTF-8 chunks, in
 * output order. Every measured configuration is emitted once with its medians
 * (`measured`); every other grid point is predicted from the fits at its x
 * (batch_tokens = prompt_size * batch_size; `interpolated` inside the measured
 * batch_tokens range, `extrapolated` outside), with e2e_time = prompt_time +
 * (token_size - 1) * token_time. A prediction that extrapolates to an
 * impossible value (a time <= 0, a power < 0, or not finite) takes the value
 * at the nearest measured end instead, and is counted in the summary.
 * Returns the group's counters when done.
 */
export function* emitGroup(
  group: GroupFit,
  measured: readonly Configuration[],
  grid: Grid,
  options: EmitOptions = {},
): Generator<Uint8Array, EmitSummary, undefined> {
  const onRow = options.onRow;
  const policy = options.extrapolate ?? 'linear';
  const skipBeyond = options.skipBeyond ?? null;
  const replace = options.replaceAnomalies === true;
  const reuse = options.reuseChunks === true;
  const { prompts, batches, tokens } = resolveGrid(grid, measured);
  const gridPrompts = new Set(prompts);
  const gridBatches = new Set(batches);
  const [model, hardware] = quoteCells([group.model, group.hardware]) as [string, string];
  const lead = new TextEncoder().encode(`${model},${hardware},`);
  const out = new ChunkWriter(options.chunkBytes ?? DEFAULT_CHUNK_BYTES, lead.length + 512);
  const tp = String(group.tensor_parallel);
  const tokenText = new Map(tokens.map((t) => [t, String(t)]));
  const context: Context = {
    predictors: makePredictors(group),
    errors: options.uncertainty === true ? errorModels(group) : null,
    range: group.range,
    policy,
    tails: {
      measured: `,${tp},measured`,
      interpolated: `,${tp},interpolated`,
      extrapolated: `,${tp},extrapolated`,
    },
  };
  const replaced = replace ? anomalousRows(group, measured, { prompts, batches, tokens }, context) : new Map<string, string>();
  const [lo, hi] = group.range;

  const byPrompt = indexMeasured(measured);
  const summary = emptySummary(group.id);

  for (const p of unionKeys(prompts, byPrompt)) {
    const onGridP = gridPrompts.has(p);
    const measuredB = byPrompt.get(p);
    const rowBatches = onGridP ? unionKeys(batches, measuredB) : unionKeys([], measuredB);
    for (const b of rowBatches) {
      const onGridPB = onGridP && gridBatches.has(b);
      const measuredT = measuredB?.get(b);
      const rowTokens = onGridPB ? unionKeys(tokens, measuredT) : unionKeys([], measuredT);
      const bt = p * b;
      const beyond = skipBeyond !== null && (bt > hi * skipBeyond || bt * skipBeyond < lo);
      let predicted: Predicted | null = null;
      const sizes = `${p},${b},`;
      for (const t of rowTokens) {
        let c = measuredT?.get(t);
        const isMeasured = c !== undefined;
        if (c !== undefined && replaced.size > 0) {
          const rule = replaced.get(`${p},${b},${t}`);
          if (rule !== undefined) {
            summary.replaced.push({ prompt_size: p, batch_size: b, token_size: t, rule });
            c = undefined;
          }
        }
        // Never skip a measured configuration, even one emitted as a prediction.
        if (!isMeasured && beyond) {
          summary.skippedBeyondMax++;
          continue;
        }
        let pt: number;
        let tt: number;
        let e2e: number;
        out.bytes(lead);
        out.ascii(sizes);
        if (c !== undefined) {
          pt = c.metrics.prompt_time?.median ?? NaN;
          tt = c.metrics.token_time?.median ?? NaN;
          const e2eMedian = c.metrics.e2e_time?.median;
          e2e = e2eMedian ?? pt + (t - 1) * tt;
          out.ascii(`${t},${cell(c, 'peak_power')},${cell(c, 'average_power')},${pt},${tt},${e2eMedian === undefined ? '' : e2e}${context.tails.measured}`);
          if (context.errors !== null) out.ascii(`,${formatError(coefficientOfVariation(c.repetitions.prompt_time))},${formatError(coefficientOfVariation(c.repetitions.token_time))}`);
          out.ascii('\n');
          summary.bySource.measured++;
        } else {
          predicted ??= predict(context, p, b, rowTokens.length, summary);
          pt = predicted.promptTime;
          tt = predicted.tokenTime;
          e2e = pt + (t - 1) * tt;
          out.ascii(tokenText.get(t) ?? String(t));
          out.ascii(predicted.middle);
          out.ascii(String(e2e));
          out.ascii(predicted.tail);
          summary.bySource[predicted.source]++;
        }
        onRow?.(p, b, t, pt, tt, e2e);
        if (out.full) yield out.take(reuse);
      }
    }
  }
  if (out.length > 0) yield out.take(reuse);
  summary.rows = summary.bySource.measured + summary.bySource.interpolated + summary.bySource.extrapolated;
  return summary;
}

interface Context {
  predictors: Predictors;
  errors: { prompt_time: ErrorModel; token_time: ErrorModel } | null;
  range: [number, number];
  policy: ExtrapolationPolicy;
  tails: Record<Source, string>;
}

interface Predicted {
  source: Source;
  promptTime: number;
  tokenTime: number;
  /** `,peak,avg,prompt,token,` between token_size and e2e_time. */
  middle: string;
  /** `,tp,source[,errors]\n` after e2e_time. */
  tail: string;
}

function errorModels(group: GroupFit): Context['errors'] {
  const none = () => null;
  return {
    prompt_time: group.fits.prompt_time === null ? none : errorModel(group.fits.prompt_time),
    token_time: group.fits.token_time === null ? none : errorModel(group.fits.token_time),
  };
}

function predict(context: Context, p: number, b: number, rows: number, summary: EmitSummary): Predicted {
  const [lo, hi] = context.range;
  const bt = p * b;
  const inside = bt >= lo && bt <= hi;
  if (!inside) {
    const factor = bt > hi ? bt / hi : lo / bt;
    if (summary.maxExtrapolation === null || factor > summary.maxExtrapolation.factor) {
      summary.maxExtrapolation = { factor, prompt_size: p, batch_size: b };
    }
  }
  const { predictors } = context;
  const promptTime = predictMetric(context, predictors.prompt_time, 'prompt_time', p, b, rows, summary) as number;
  const tokenTime = predictMetric(context, predictors.token_time, 'token_time', p, b, rows, summary) as number;
  const peak = formatNumber(predictMetric(context, predictors.peak_power, 'peak_power', p, b, rows, summary));
  const average = formatNumber(predictMetric(context, predictors.average_power, 'average_power', p, b, rows, summary));
  const source: Source = inside ? 'interpolated' : 'extrapolated';
  let tail = context.tails[source];
  if (context.errors !== null) {
    const ptErr = predictors.prompt_time === null ? null : context.errors.prompt_time(xOf(predictors.prompt_time, p, b));
    const ttErr = predictors.token_time === null ? null : context.errors.token_time(xOf(predictors.token_time, p, b));
    tail += `,${formatError(ptErr)},${formatError(ttErr)}`;
  }
  return { source, promptTime, tokenTime, middle: `,${peak},${average},${promptTime},${tokenTime},`, tail: `${tail}\n` };
}

/** One metric's prediction; an extrapolation that was impossible and clamped to the nearest end is counted. */
function predictMetric(context: Context, predictor: Predictor | null, metric: FittedMetric, p: number, b: number, rows: number, summary: EmitSummary): number | null {
  if (predictor === null) return null;
  const x = xOf(predictor, p, b);
  const v = predictedValue(predictor, metric, x, context.policy);
  const [lo, hi] = predictor.range;
  if ((x >= lo && x <= hi) || context.policy === 'clamp') return v;
  const raw = predictor.f(x);
  if (isPossible(metric, raw)) return v;
  const clamp = summary.clamped[metric];
  clamp.points++;
  clamp.rows += rows;
  clamp.first ??= { prompt_size: p, batch_size: b, linear: raw, clampedTo: v };
  return v;
}

/**
 * The measured configurations whose row is a prediction under
 * --exclude-anomalies, keyed `prompt,batch,token`, with the reason:
 * - those the fit left out (group.excluded);
 * - then, repeatedly until none is left, each whose row would break
 *   monotonicity against a row next to it in the database: prompt_time lower
 *   than the row before it or higher than the row after it along prompt_size
 *   or batch_size, token_time likewise along batch_size, e2e_time likewise
 *   along token_size. Replacing such a row by the (monotone) prediction can
 *   only remove violations, so the loop ends; with a monotone fit the
 *   database then has none.
 */
function anomalousRows(group: GroupFit, measured: readonly Configuration[], grid: { prompts: number[]; batches: number[]; tokens: number[] }, context: Context): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of group.excluded) out.set(`${e.prompt_size},${e.batch_size},${e.token_size}`, `left out of the fit: ${e.rule}`);
  const gp = new Set(grid.prompts);
  const gb = new Set(grid.batches);
  const gt = new Set(grid.tokens);
  const byKey = new Map(measured.map((c) => [`${c.prompt_size},${c.batch_size},${c.token_size}`, c]));
  const scratch = emptySummary('');
  const predictions = new Map<string, Predicted>();
  const value = (p: number, b: number, t: number): [number, number, number] => {
    const key = `${p},${b},${t}`;
    const c = byKey.get(key);
    if (c !== undefined && !out.has(key)) {
      const pt = c.metrics.prompt_time?.median ?? NaN;
      const tt = c.metrics.token_time?.median ?? NaN;
      return [pt, tt, c.metrics.e2e_time?.median ?? pt + (t - 1) * tt];
    }
    let predicted = predictions.get(`${p},${b}`);
    if (predicted === undefined) predictions.set(`${p},${b}`, (predicted = predict(context, p, b, 0, scratch)));
    return [predicted.promptTime, predicted.tokenTime, predicted.promptTime + (t - 1) * predicted.tokenTime];
  };
  /** Sizes along one axis that have a row, with the others fixed. */
  const along = (axis: 0 | 1 | 2, fixed: [number, number, number]): number[] => {
    const onGrid = [gp, gb, gt].every((set, i) => i === axis || set.has(fixed[i] as number));
    const values = new Set(onGrid ? [grid.prompts, grid.batches, grid.tokens][axis] : []);
    for (const c of measured) {
      const sizes = [c.prompt_size, c.batch_size, c.token_size];
      if (sizes.every((v, i) => i === axis || v === fixed[i])) values.add(sizes[axis] as number);
    }
    return [...values].sort((x, y) => x - y);
  };
  const metricsAlong: Record<0 | 1 | 2, [number, string][]> = { 0: [[0, 'prompt_time']], 1: [[0, 'prompt_time'], [1, 'token_time']], 2: [[2, 'e2e_time']] };
  const axisName = ['prompt_size', 'batch_size', 'token_size'];
  for (let changed = true; changed; ) {
    changed = false;
    for (const c of measured) {
      const key = `${c.prompt_size},${c.batch_size},${c.token_size}`;
      if (out.has(key)) continue;
      const sizes: [number, number, number] = [c.prompt_size, c.batch_size, c.token_size];
      const own = value(...sizes);
      for (const axis of [0, 1, 2] as const) {
        const line = along(axis, sizes);
        const i = line.indexOf(sizes[axis]);
        const neighbour = (j: number): [number, number, number] | null => {
          const v = line[j];
          if (v === undefined) return null;
          const at: [number, number, number] = [...sizes];
          at[axis] = v;
          return value(...at);
        };
        const [before, after] = [neighbour(i - 1), neighbour(i + 1)];
        for (const [m, name] of metricsAlong[axis]) {
          const reason =
            before !== null && (own[m] as number) < (before[m] as number)
              ? `measured ${name} ${own[m]} is below the row at the next smaller ${axisName[axis]} (${before[m]})`
              : after !== null && (own[m] as number) > (after[m] as number)
                ? `measured ${name} ${own[m]} is above the row at the next larger ${axisName[axis]} (${after[m]})`
                : null;
          if (reason !== null && !out.has(key)) {
            out.set(key, `${reason}; rule: a measured row that breaks monotonicity against its neighbours is replaced by the prediction`);
            changed = true;
          }
        }
      }
    }
  }
  return out;
}

/** A group's counters before its first row. */
function emptySummary(group: string): EmitSummary {
  return {
    group,
    rows: 0,
    bySource: { measured: 0, interpolated: 0, extrapolated: 0 },
    monotonicity: { count: 0, first: [] },
    maxExtrapolation: null,
    clamped: Object.fromEntries(FITTED_METRICS.map((m) => [m, { points: 0, rows: 0, first: null }])) as Record<FittedMetric, ClampSummary>,
    skippedBeyondMax: 0,
    replaced: [],
  };
}

function cell(c: Configuration, metric: 'peak_power' | 'average_power'): string {
  return formatNumber(c.metrics[metric]?.median ?? null);
}

type MeasuredIndex = Map<number, Map<number, Map<number, Configuration>>>;

function indexMeasured(measured: readonly Configuration[]): MeasuredIndex {
  const index: MeasuredIndex = new Map();
  for (const c of measured) {
    let byBatch = index.get(c.prompt_size);
    if (byBatch === undefined) index.set(c.prompt_size, (byBatch = new Map()));
    let byToken = byBatch.get(c.batch_size);
    if (byToken === undefined) byBatch.set(c.batch_size, (byToken = new Map()));
    byToken.set(c.token_size, c);
  }
  return index;
}

/** Sorted grid values united with the keys of a measured index level. */
function unionKeys(grid: readonly number[], measured: Map<number, unknown> | undefined): readonly number[] {
  if (measured === undefined) return grid;
  let extra = false;
  const set = new Set(grid);
  for (const k of measured.keys()) if (!set.has(k)) (extra = true), set.add(k);
  return extra ? [...set].sort((a, b) => a - b) : grid;
}
