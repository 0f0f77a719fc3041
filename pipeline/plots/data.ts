import { pct } from '../core/format.js';
import { resolveGrid } from '../core/grid.js';
import { makePredictors, xOf, type Predictor } from '../fit/predict.js';
import type { Grid } from '../types.js';
import type { ChartedGroup } from './types.js';
import { emittedLine, LINE_POINTS } from './emitted.js';
import type { ChartMetric, PlotSeries, PointConfig } from './types.js';

export type PlotData = Omit<PlotSeries, 'title' | 'metric' | 'unit'> & { method: string | null; loo: { mape: number; knots: number } | null };

/**
 * What a chart of one group and metric shows, computed from the run; null when the metric was not
 * fitted, for e2e_time when the input has no e2e_time, and for a power the input holds only zeros
 * of (the h100 groups of the real data: a power that was not recorded).
 */
export function plotData(g: ChartedGroup, grid: Grid, metric: ChartMetric, skipBeyond: number | null = null): PlotData | null {
  if ((metric === 'peak_power' || metric === 'average_power') && !g.measurements.some((m) => (m.metrics[metric] ?? 0) > 0)) return null;
  const predictors = makePredictors(g.fit);
  const predictor = metric === 'e2e_time' ? predictors.prompt_time : predictors[metric];
  const fit = metric === 'e2e_time' ? null : g.fit.fits[metric];
  if (predictor === null || (metric !== 'e2e_time' && fit === null) || (metric === 'e2e_time' && (predictors.token_time === null || !g.measurements.some((m) => m.metrics.e2e_time !== null)))) return null;
  const repetitions: { x: number; y: number; config: PointConfig }[] = [];
  for (const m of g.measurements) {
    const y = m.metrics[metric];
    if (y !== null) repetitions.push({ x: xOf(predictor, m.prompt_size, m.batch_size), y, config: { prompt_size: m.prompt_size, batch_size: m.batch_size, token_size: m.token_size } });
  }
  // Equal points keep one order whatever the input's: their configurations tell them apart on the report page.
  repetitions.sort((a, b) => a.x - b.x || a.y - b.y || a.config.prompt_size - b.config.prompt_size || a.config.batch_size - b.config.batch_size || a.config.token_size - b.config.token_size);
  const { tokens } = resolveGrid(grid, g.configurations);
  // e2e_time grows with the token size: one line per token size; the others hold one value per (prompt, batch) except where a decode-model tail applies, drawn at the smallest.
  const lineTokens = metric === 'e2e_time' ? tokens : tokens.slice(0, 1);
  const emitted = emittedLine(g, grid, metric, predictors, lineTokens, metric === 'e2e_time' ? Math.ceil(LINE_POINTS / 4) : LINE_POINTS, skipBeyond);
  const medians = metric === 'e2e_time' ? configurationMedians(g, predictor) : knotMedians(fit!.knots, repetitions);
  const xs = [...emitted.map((e) => e.x), ...medians.map((m) => m.x)];
  const extent: [number, number] = [Math.min(...xs), Math.max(...xs)];
  const anomalies = g.measuredMonotonicity.first
    .filter((v) => v.metric === metric)
    .map((v) => ({ x: xOf(predictor, v.to.prompt_size, v.to.batch_size), y: v.to.value, label: `-${pct(v.drop)}`, config: { prompt_size: v.to.prompt_size, batch_size: v.to.batch_size, token_size: v.to.token_size }, along: v.along }));
  const xTitle = predictor.key === 'batch_tokens' ? 'batch_tokens = prompt_size × batch_size (tokens)' : 'batch_size (requests)';
  const loo = fit === null || fit.loo.ape.length === 0 ? null : { mape: fit.loo.ape.reduce((s, v) => s + v, 0) / fit.loo.ape.length, knots: fit.loo.ape.length };
  return { repetitions, medians, emitted, measuredRange: predictor.range, extent, anomalies, xTitle, method: fit === null ? null : fit.method, loo };
}

/** Per knot: its median, and the min and max of the repetitions pooled there. */
function knotMedians(knots: { x: readonly number[]; y: readonly number[] }, repetitions: readonly { x: number; y: number }[]): PlotSeries['medians'] {
  const byX = new Map<number, number[]>();
  for (const r of repetitions) byX.set(r.x, [...(byX.get(r.x) ?? []), r.y]);
  return knots.x.map((x, i) => {
    const ys = byX.get(x) ?? [];
    return { x, y: knots.y[i] as number, min: Math.min(...ys), max: Math.max(...ys) };
  });
}

/** e2e_time has no knots: each measured configuration's median (what its row holds), with its repetitions' min and max. */
function configurationMedians(g: ChartedGroup, predictor: Predictor): PlotSeries['medians'] {
  const out: PlotSeries['medians'] = [];
  for (const c of g.configurations) {
    const spread = c.metrics.e2e_time;
    const reps = c.repetitions.e2e_time;
    if (spread === null || reps.length === 0) continue;
    out.push({ x: xOf(predictor, c.prompt_size, c.batch_size), y: spread.median, min: reps[0] as number, max: reps[reps.length - 1] as number });
  }
  return out.sort((a, b) => a.x - b.x || a.y - b.y);
}
