/**
 * The line of a chart: what perf_db.csv holds at a sample of the group's
 * predicted grid rows, computed as emit computes it (predictedValue: the fit
 * inside the measured range, the tails beyond it, with their holds), so the
 * chart never shows a curve the database does not hold.
 */
import { configKey } from '../core/keys.js';
import { resolveGrid } from '../core/grid.js';
import { dependsOnTokens, predictedValue, xOf, type Predictor, type Predictors } from '../fit/predict.js';
import type { FittedMetric, Grid } from '../types.js';
import type { ChartedGroup } from './types.js';
import type { ChartMetric, Held, PlotSeries } from './types.js';

type Emitted = PlotSeries['emitted'][number];

/** Points per line, about: enough for a smooth curve at 640 px, few enough for a small page. */
export const LINE_POINTS = 160;

/**
 * Per token size in `tokens`, the emitted value at about `most` distinct x of the grid (spread
 * evenly on a log scale, every knot's x kept so the line passes through the knots), each at the
 * first (prompt, batch) of the grid giving that x whose row is predicted, not measured.
 */
export function emittedLine(g: ChartedGroup, grid: Grid, metric: ChartMetric, predictors: Predictors, tokens: readonly number[], most: number): Emitted[] {
  const key = metric === 'e2e_time' ? predictors.prompt_time : predictors[metric];
  if (key === null) return [];
  const candidates = candidatesByX(g, grid, metric === 'e2e_time' ? predictors.token_time : predictors[metric], key);
  const replaced = new Set(g.emitted.replaced.map((c) => configKey(c.prompt_size, c.batch_size, c.token_size)));
  const measured = new Set(g.configurations.map((c) => configKey(c.prompt_size, c.batch_size, c.token_size)).filter((k) => !replaced.has(k)));
  const knots = new Set(metric === 'e2e_time' ? [] : (g.fit.fits[metric]?.knots.x ?? []));
  const [lo, hi] = g.fit.range;
  const out: Emitted[] = [];
  for (const t of tokens) {
    const byX = new Map<number, [number, number]>();
    for (const [x, list] of candidates) {
      const first = list.find(([p, b]) => !measured.has(configKey(p, b, t)));
      if (first !== undefined) byX.set(x, first);
    }
    for (const x of thinLog([...byX.keys()], most, knots)) {
      const [p, b] = byX.get(x) as [number, number];
      const { y, held } = valueAt(predictors, metric, p, b, t);
      const source = p * b >= lo && p * b <= hi ? 'interpolated' : 'extrapolated';
      out.push({ x, y, source, config: { prompt_size: p, batch_size: b, token_size: t }, ...(held === undefined ? {} : { held }) });
    }
  }
  return out;
}

/**
 * Each distinct x of the grid, ascending, with the (prompt, batch) points giving it in grid order.
 * Where a value depends on the configuration, not on x alone (a decode-model tail), only the largest
 * batch is kept wherever it reaches: picking whichever point comes first would zigzag between batch sizes.
 */
function candidatesByX(g: ChartedGroup, grid: Grid, shaped: Predictor | null, key: Predictor): [number, [number, number][]][] {
  const { prompts, batches } = resolveGrid(grid, g.configurations);
  const bMax = Math.max(...batches);
  const reach = Math.min(...prompts) * bMax;
  const byX = new Map<number, [number, number][]>();
  for (const p of prompts) {
    for (const b of batches) {
      const x = xOf(key, p, b);
      if (b !== bMax && x >= reach && shaped !== null && dependsOnTokens(shaped, p, b)) continue;
      const list = byX.get(x);
      if (list === undefined) byX.set(x, [[p, b]]);
      else list.push([p, b]);
    }
  }
  return [...byX].sort((a, b) => a[0] - b[0]);
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

/** About `most` of the sorted `xs`, spread evenly on a log scale, plus every x in `keep`. */
function thinLog(xs: readonly number[], most: number, keep: ReadonlySet<number>): number[] {
  if (xs.length <= most) return [...xs];
  const lo = Math.log(xs[0] as number);
  const hi = Math.log(xs[xs.length - 1] as number);
  const picked = new Set<number>(xs.filter((x) => keep.has(x)));
  let i = 0;
  for (let k = 0; k < most; k++) {
    const target = Math.exp(lo + ((hi - lo) * k) / (most - 1));
    while (i < xs.length - 1 && (xs[i] as number) < target) i++;
    picked.add(xs[i] as number);
  }
  return [...picked].sort((a, b) => a - b);
}
