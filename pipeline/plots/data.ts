import { pct } from '../core/format.js';
import { resolveGrid } from '../core/grid.js';
import { makePredictors, predictedValue, xOf } from '../fit/predict.js';
import type { FitKey, FittedMetric, Grid, GroupResult } from '../types.js';
import type { PlotSeries, PointConfig } from './types.js';

/** What a chart of one group and metric shows, computed from the run; null when the metric was not fitted. */
export function plotData(g: Omit<GroupResult, 'emitted'>, grid: Grid, metric: FittedMetric): (Omit<PlotSeries, 'title' | 'metric' | 'unit'> & { method: string }) | null {
  const f = g.fit.fits[metric];
  const predictor = makePredictors(g.fit)[metric];
  if (f === null || predictor === null) return null;
  const range = predictor.range;
  const repetitions: { x: number; y: number; config: PointConfig }[] = [];
  const byX = new Map<number, number[]>();
  for (const m of g.measurements) {
    const y = m.metrics[metric];
    if (y === null) continue;
    const x = xOf(predictor, m.prompt_size, m.batch_size);
    repetitions.push({ x, y, config: { prompt_size: m.prompt_size, batch_size: m.batch_size, token_size: m.token_size } });
    const list = byX.get(x);
    if (list === undefined) byX.set(x, [y]);
    else list.push(y);
  }
  // Equal points keep one order whatever the input's: their configurations tell them apart on the report page.
  repetitions.sort((a, b) => a.x - b.x || a.y - b.y || a.config.prompt_size - b.config.prompt_size || a.config.batch_size - b.config.batch_size || a.config.token_size - b.config.token_size);
  const medians = f.knots.x.map((x, i) => {
    const ys = byX.get(x) ?? [];
    return { x, y: f.knots.y[i] as number, min: Math.min(...ys), max: Math.max(...ys) };
  });
  const tokens = Math.min(...g.configurations.map((c) => c.token_size));
  const emitted = sampleX(g, grid, 240, f.key).map(([x, p, b]) => ({
    x,
    y: predictedValue(predictor, metric, p, b, tokens),
    source: (x >= range[0] && x <= range[1] ? 'interpolated' : 'extrapolated') as 'interpolated' | 'extrapolated',
    config: { prompt_size: p, batch_size: b, token_size: tokens },
  }));
  const xs = [...emitted.map((e) => e.x), ...f.knots.x];
  const extent: [number, number] = [Math.min(...xs), Math.max(...xs)];
  const fitted = sampleLog(extent, 200, f.knots.x).map((x) => ({ x, y: predictor.f(x) }));
  const anomalies = g.measuredMonotonicity.first
    .filter((v) => v.metric === metric)
    .map((v) => ({ x: xOf(predictor, v.to.prompt_size, v.to.batch_size), y: v.to.value, label: `-${pct(v.drop)}`, config: { prompt_size: v.to.prompt_size, batch_size: v.to.batch_size, token_size: v.to.token_size }, along: v.along }));
  const xTitle = f.key === 'batch_tokens' ? 'batch_tokens = prompt_size × batch_size (tokens)' : 'batch_size (requests)';
  return { repetitions, medians, fitted, emitted, measuredRange: range, extent, anomalies, xTitle, method: f.method };
}

/** Distinct x of a group's grid with the first (prompt, batch) giving each, thinned to about `most` points spread evenly on a log scale. */
function sampleX(g: Omit<GroupResult, 'emitted'>, grid: Grid, most: number, key: FitKey): [number, number, number][] {
  const { prompts, batches } = resolveGrid(grid, g.configurations);
  const all = new Map<number, [number, number]>();
  for (const p of prompts) {
    for (const b of batches) {
      const x = key === 'batch_tokens' ? p * b : b;
      if (!all.has(x)) all.set(x, [p, b]);
    }
  }
  const sorted = [...all.keys()].sort((a, b) => a - b);
  const at = (x: number): [number, number, number] => [x, ...(all.get(x) as [number, number])];
  if (sorted.length <= most) return sorted.map(at);
  const lo = Math.log(sorted[0] as number);
  const hi = Math.log(sorted[sorted.length - 1] as number);
  const picked = new Set<number>();
  let i = 0;
  for (let k = 0; k < most; k++) {
    const target = Math.exp(lo + ((hi - lo) * k) / (most - 1));
    while (i < sorted.length - 1 && (sorted[i] as number) < target) i++;
    picked.add(sorted[i] as number);
  }
  return [...picked].map(at);
}

function sampleLog([lo, hi]: [number, number], n: number, include: readonly number[]): number[] {
  const points = new Set(include);
  for (let k = 0; k < n; k++) points.add(Math.exp(Math.log(lo) + ((Math.log(hi) - Math.log(lo)) * k) / (n - 1)));
  return [...points].sort((a, b) => a - b);
}
