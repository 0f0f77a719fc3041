/**
 * The line of a chart: what perf_db.csv holds at a sample of the group's
 * predicted grid rows, computed as emit computes it (predictedValue: the fit
 * inside the measured range, the tails beyond it, with their holds), so the
 * chart never shows a curve the database does not hold.
 */
import { beyondFactor } from '../core/extrapolation.js';
import { configKey } from '../core/keys.js';
import { resolveGrid } from '../core/grid.js';
import { predictedValue, xOf, type Predictor, type Predictors } from '../fit/predict.js';
import type { FittedMetric, Grid } from '../types.js';
import { lineCandidates, type LineCandidates } from './candidates.js';
import type { ChartedGroup } from './types.js';
import type { ChartMetric, Held, PlotSeries } from './types.js';

type Emitted = PlotSeries['emitted'][number];

/** Points per line, about: enough for a smooth curve at 640 px, few enough for a small page. */
export const LINE_POINTS = 160;

/**
 * Per token size in `tokens`, the emitted value at about `most` distinct x of the grid (spread
 * evenly on a log scale, every knot's x kept so the line passes through the knots), each at the
 * first (prompt, batch) of the grid giving that x whose row is predicted, not measured. Rows
 * --max-extrapolation skips (beyond `skipBeyond` times the measured range) are not in perf_db.csv:
 * they are not drawn.
 */
export function emittedLine(g: ChartedGroup, grid: Grid, metric: ChartMetric, predictors: Predictors, tokens: readonly number[], most: number, skipBeyond: number | null = null): Emitted[] {
  const key = metric === 'e2e_time' ? predictors.prompt_time : predictors[metric];
  if (key === null) return [];
  const replaced = new Set(g.emitted.replaced.map((c) => configKey(c.prompt_size, c.batch_size, c.token_size)));
  const measured = new Set(g.configurations.map((c) => configKey(c.prompt_size, c.batch_size, c.token_size)).filter((k) => !replaced.has(k)));
  const { prompts, batches } = resolveGrid(grid, g.configurations);
  const candidates = lineCandidates(prompts, batches, metric === 'e2e_time' ? predictors.token_time : predictors[metric], key, measured);
  const knots = metric === 'e2e_time' ? [] : (g.fit.fits[metric]?.knots.x ?? []);
  const [lo, hi] = g.fit.range;
  const out: Emitted[] = [];
  for (const t of tokens) {
    for (const x of thinLog(candidates, t, most, knots)) {
      const [p, b] = candidates.first(x, t) as [number, number];
      if (skipBeyond !== null && beyondFactor(p * b, g.fit.range, skipBeyond)) continue;
      const { y, held } = valueAt(predictors, metric, p, b, t);
      const source = p * b >= lo && p * b <= hi ? 'interpolated' : 'extrapolated';
      out.push({ x, y, source, config: { prompt_size: p, batch_size: b, token_size: t }, ...(held === undefined ? {} : { held }) });
    }
  }
  return out;
}

/** The row's value as emit writes it, and whether a hold (tail or impossible-value clamp) made it. */
function valueAt(predictors: Predictors, metric: ChartMetric, p: number, b: number, t: number): { y: number; held: Held | undefined } {
  if (metric !== 'e2e_time') return metricValue(predictors[metric] as Predictor, metric, p, b, t);
  const pt = metricValue(predictors.prompt_time as Predictor, 'prompt_time', p, b, t);
  const tt = metricValue(predictors.token_time as Predictor, 'token_time', p, b, t);
  return { y: pt.y + (t - 1) * tt.y, held: pt.held ?? tt.held };
}

function metricValue(predictor: Predictor, metric: FittedMetric, p: number, b: number, t: number): { y: number; held: Held | undefined } {
  let clamped = false;
  const y = predictedValue(predictor, metric, p, b, t, () => (clamped = true));
  if (clamped) return { y, held: 'impossible' };
  const x = xOf(predictor, p, b);
  const [lo, hi] = predictor.range;
  if (predictor.model !== null || predictor.tails === null || (x >= lo && x <= hi)) return { y, held: undefined };
  // A tail holds at its end knot's value (or, below the range, at the group's smallest median) where its shape would fall.
  const tail = x > hi ? predictor.tails.upper : predictor.tails.lower;
  if (tail.side === 'lower' && y === tail.floor && tail.floor !== tail.y) return { y, held: 'floor' };
  return { y, held: y === tail.y ? 'end' : undefined };
}

/**
 * About `most` of the x the line may use at token size t (all of them when there are no more),
 * spread evenly on a log scale from the smallest to the largest: at each of `most` targets the
 * smallest x at or above it (the largest x past the last); plus every knot among them.
 */
function thinLog(candidates: LineCandidates, t: number, most: number, knots: readonly number[]): number[] {
  const few: number[] = [];
  for (const x of candidates.walk(-Infinity, t)) if (few.push(x) > most) break;
  if (few.length <= most) return few;
  const lo = Math.log(few[0] as number);
  const largest = candidates.walk(Infinity, t, true).next().value as number;
  const hi = Math.log(largest);
  const picked = new Set<number>(knots.filter((x) => candidates.first(x, t) !== undefined));
  for (let k = 0; k < most; k++) {
    const target = Math.exp(lo + ((hi - lo) * k) / (most - 1));
    picked.add(candidates.nearest(target, t) ?? largest);
  }
  return [...picked].sort((a, b) => a - b);
}
