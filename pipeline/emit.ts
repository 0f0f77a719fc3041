import { ChunkWriter, formatNumber, quoteCells } from './csv-out.js';
import { resolveGrid } from './grid.js';
import { isPossible, makePredictors, predictedValue, type Predictors } from './predict.js';
import {
  FITTED_METRICS,
  type ClampSummary,
  type Configuration,
  type EmitSummary,
  type FittedMetric,
  type GroupFit,
  type Grid,
  type Source,
} from './types.js';

/** Called for every emitted row, in output order. */
export type RowObserver = (p: number, b: number, t: number, promptTime: number, tokenTime: number, e2eTime: number) => void;

export interface EmitOptions {
  /** Bytes per yielded chunk (at most). */
  chunkBytes?: number;
  onRow?: RowObserver;
}

const DEFAULT_CHUNK_BYTES = 1 << 20;

/**
 * Streams one group's rows of perf_db.csv (no header) as UTF-8 chunks, in
 * output order. Every measured configuration is emitted once with its medians
 * (`measured`); every other grid point is predicted from the fits at
 * batch_tokens = prompt_size * batch_size (`interpolated` inside the measured
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
  const { prompts, batches, tokens } = resolveGrid(grid, measured);
  const gridPrompts = new Set(prompts);
  const gridBatches = new Set(batches);
  const [model, hardware] = quoteCells([group.model, group.hardware]) as [string, string];
  const lead = new TextEncoder().encode(`${model},${hardware},`);
  const out = new ChunkWriter(options.chunkBytes ?? DEFAULT_CHUNK_BYTES, lead.length + 512);
  const tp = String(group.tensor_parallel);
  const tails: Record<Source, string> = {
    measured: `,${tp},measured\n`,
    interpolated: `,${tp},interpolated\n`,
    extrapolated: `,${tp},extrapolated\n`,
  };
  const tokenText = new Map(tokens.map((t) => [t, String(t)]));
  const predictors = makePredictors(group);
  const [lo, hi] = group.range;

  const byPrompt = indexMeasured(measured);
  const summary: EmitSummary = {
    group: group.id,
    rows: 0,
    bySource: { measured: 0, interpolated: 0, extrapolated: 0 },
    monotonicity: { count: 0, first: [] },
    maxExtrapolation: null,
    clamped: Object.fromEntries(FITTED_METRICS.map((m) => [m, { points: 0, rows: 0, first: null }])) as Record<FittedMetric, ClampSummary>,
  };

  for (const p of unionKeys(prompts, byPrompt)) {
    const onGridP = gridPrompts.has(p);
    const measuredB = byPrompt.get(p);
    const rowBatches = onGridP ? unionKeys(batches, measuredB) : unionKeys([], measuredB);
    for (const b of rowBatches) {
      const onGridPB = onGridP && gridBatches.has(b);
      const measuredT = measuredB?.get(b);
      const rowTokens = onGridPB ? unionKeys(tokens, measuredT) : unionKeys([], measuredT);
      const bt = p * b;
      let predicted: Predicted | null = null;
      const sizes = `${p},${b},`;
      for (const t of rowTokens) {
        const c = measuredT?.get(t);
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
          out.ascii(`${t},${cell(c, 'peak_power')},${cell(c, 'average_power')},${pt},${tt},${e2eMedian === undefined ? '' : e2e}${tails.measured}`);
          summary.bySource.measured++;
        } else {
          predicted ??= predict(predictors, bt, lo, hi, p, b, rowTokens.length, summary);
          pt = predicted.promptTime;
          tt = predicted.tokenTime;
          e2e = pt + (t - 1) * tt;
          out.ascii(tokenText.get(t) ?? String(t));
          out.ascii(predicted.middle);
          out.ascii(String(e2e));
          out.ascii(tails[predicted.source]);
          summary.bySource[predicted.source]++;
        }
        onRow?.(p, b, t, pt, tt, e2e);
        if (out.full) yield out.take();
      }
    }
  }
  if (out.length > 0) yield out.take();
  summary.rows = summary.bySource.measured + summary.bySource.interpolated + summary.bySource.extrapolated;
  return summary;
}

interface Predicted {
  source: Source;
  promptTime: number;
  tokenTime: number;
  /** `,peak,avg,prompt,token,` between token_size and e2e_time. */
  middle: string;
}

function predict(
  predictors: Predictors,
  bt: number,
  lo: number,
  hi: number,
  p: number,
  b: number,
  rows: number,
  summary: EmitSummary,
): Predicted {
  const inside = bt >= lo && bt <= hi;
  if (!inside) {
    const factor = bt > hi ? bt / hi : lo / bt;
    if (summary.maxExtrapolation === null || factor > summary.maxExtrapolation.factor) {
      summary.maxExtrapolation = { factor, prompt_size: p, batch_size: b };
    }
  }
  const at: At = { bt, inside, range: [lo, hi], p, b, rows, summary };
  const promptTime = predictMetric(predictors, 'prompt_time', at) as number;
  const tokenTime = predictMetric(predictors, 'token_time', at) as number;
  const peak = formatNumber(predictMetric(predictors, 'peak_power', at));
  const average = formatNumber(predictMetric(predictors, 'average_power', at));
  return { source: inside ? 'interpolated' : 'extrapolated', promptTime, tokenTime, middle: `,${peak},${average},${promptTime},${tokenTime},` };
}

interface At {
  bt: number;
  inside: boolean;
  range: [number, number];
  p: number;
  b: number;
  rows: number;
  summary: EmitSummary;
}

/** One metric's prediction; an impossible extrapolated value is clamped to the nearest end and counted. */
function predictMetric(predictors: Predictors, metric: FittedMetric, at: At): number | null {
  const predictor = predictors[metric];
  if (predictor === null) return null;
  const v = predictedValue(predictor, metric, at.bt, at.range);
  if (at.inside || isPossible(metric, predictor.f(at.bt))) return v;
  const clamp = at.summary.clamped[metric];
  clamp.points++;
  clamp.rows += at.rows;
  clamp.first ??= { prompt_size: at.p, batch_size: at.b, linear: predictor.f(at.bt), clampedTo: v };
  return v;
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
