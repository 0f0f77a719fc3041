import { join } from 'node:path';
import pLimit from 'p-limit';
import { pct } from '../core/format.js';
import { readIfExists } from '../io/compare.js';
import { STUDIED } from '../report/numbers.js';
import type { FittedMetric, Grid } from '../types.js';
import type { ChartedGroup } from './types.js';
import { plotData, type PlotData } from './data.js';
import { isCurrentPlot, plotCacheKey, plotFile, plotFileName } from './files.js';
import { renderPlot } from './render.js';
import { LOG_RATIO } from './style.js';
import type { ChartMetric, GroupChart, PlotSeries } from './types.js';

/** Where drawn plots go: a path relative to the output folder and its text. */
export type PlotWriter = (name: string, content: string) => Promise<void>;

/** The metrics charted, in order: the two the report studies, the end-to-end time they give, then the powers where recorded. */
export const CHARTED: readonly ChartMetric[] = [...STUDIED, 'e2e_time', 'peak_power', 'average_power'];

/**
 * Every group's charts, one per charted metric it has, in group order: what drawPlots draws and the
 * report page shows. The y scale follows one rule for every group: a metric's charts are all
 * logarithmic when any group's chart of it spans more than a decade (LOG_RATIO) and none holds a
 * value <= 0 (which a log scale cannot show), else all linear.
 */
export function chartSeries(groups: readonly ChartedGroup[], grid: Grid, skipBeyond: number | null = null): GroupChart[][] {
  const data = groups.map((g) => CHARTED.map((metric) => ({ metric, plotted: plotData(g, grid, metric, skipBeyond) })));
  const spans = (metric: ChartMetric) => data.flatMap((charts) => charts.filter((c) => c.metric === metric && c.plotted !== null).map((c) => spansDecade(c.plotted as PlotData)));
  const scales = new Map(CHARTED.map((metric): [ChartMetric, Scale] => [metric, spans(metric).includes(null) ? 'linear, a value <= 0' : spans(metric).includes(true) ? 'log' : 'linear']));
  return groups.map((g, i) =>
    (data[i] ?? []).flatMap(({ metric, plotted }) => {
      if (plotted === null) return [];
      const { method, loo, ...rest } = plotted;
      const scale = scales.get(metric) as Scale;
      const yLog = scale === 'log';
      const subtitle = subtitleOf(g, metric, method, loo, scale, plotted.emitted);
      return [{ metric, series: { title: `${g.fit.model} / ${g.fit.hardware} / tp=${g.fit.tensor_parallel} — ${metric}${method === null ? '' : ` (${method})`}`, subtitle, metric, unit: metric.endsWith('_power') ? '' : 'ms', ...rest, yLog } }];
    }),
  );
}

/** Whether a chart's values span more than a decade (null: some value is zero or negative, which a log scale cannot show). */
function spansDecade(p: PlotData): boolean | null {
  const ys = [...p.repetitions.map((r) => r.y), ...p.medians.flatMap((m) => [m.min, m.max]), ...p.emitted.map((e) => e.y)].filter((y) => Number.isFinite(y));
  if (ys.some((y) => y <= 0)) return null;
  return ys.length > 0 && Math.max(...ys) / Math.min(...ys) > LOG_RATIO;
}

/** The y scale of a metric in every group, and why. */
type Scale = 'log' | 'linear' | 'linear, a value <= 0';

/** The fit, how well it predicts a left-out knot, what the line is and which scale the y axis has. */
function subtitleOf(g: ChartedGroup, metric: ChartMetric, method: string | null, loo: PlotData['loo'], scale: Scale, emitted: PlotData['emitted']): string[] {
  const fit = metric === 'e2e_time' ? null : g.fit.fits[metric];
  const tails = fit?.tails ?? null;
  const beyond = tails === null ? '' : `; beyond the measured range: ${tails.upper.kind} above, ${tails.lower.kind} below`;
  const error = loo === null ? (metric === 'e2e_time' ? 'computed from the two fits' : 'no interior knot to leave out') : `leave-one-out error ${pct(loo.mape)} (mean over ${loo.knots} interior knots, each left out and predicted from the rest)`;
  const tokens = [...new Set(emitted.map((e) => e.config?.token_size))].filter((t) => t !== undefined);
  const line = tokens.length > 1 ? `one line per token size (${tokens.join(', ')})` : `at token_size ${tokens[0] ?? '—'}`;
  const why = { log: 'y logarithmic in every group (the values span more than a decade)', linear: 'y linear in every group (none spans more than a decade)', 'linear, a value <= 0': 'y linear in every group (some values are 0 or less)' }[scale];
  return [`fit: ${method === null || fit === null ? 'prompt_time + (token_size − 1) × token_time, as emit computes it' : `${method} on ${fit.key}`}${beyond}`, error, `line: the values perf_db.csv holds, ${line}; ${why}`];
}

/**
 * The SVG file of each chart (`charts`: chartSeries of `groups`). Names are
 * given in group order first (so they never depend on timing); then charts
 * are read from `cacheDir` (an earlier output folder) when their cache key
 * (spec and renderer version) is unchanged, or drawn, a few at a time,
 * so that reading files overlaps with drawing. Returns the file of each
 * group's charts.
 */
export async function drawPlots(groups: readonly ChartedGroup[], charts: readonly (readonly GroupChart[])[], cacheDir: string, write: PlotWriter): Promise<Map<string, Partial<Record<FittedMetric, string>>>> {
  const plots = new Map<string, Partial<Record<FittedMetric, string>>>();
  const used = new Set<string>();
  const jobs: { name: string; series: PlotSeries }[] = [];
  groups.forEach((g, i) => {
    const files: Partial<Record<FittedMetric, string>> = {};
    for (const { metric, series } of charts[i] ?? []) {
      const name = `plots/${plotFileName([g.fit.model, g.fit.hardware, `tp${g.fit.tensor_parallel}`, metric], used)}`;
      jobs.push({ name, series });
      // e2e_time is drawn but not listed: the report's plots (its schema) name the fitted metrics' charts.
      if (metric !== 'e2e_time') files[metric] = name;
    }
    plots.set(g.fit.id, files);
  });
  const limit = pLimit(4);
  await Promise.all(
    jobs.map(({ name, series }) =>
      limit(async () => {
        const key = plotCacheKey(series);
        const previous = await readIfExists(join(cacheDir, name));
        await write(name, previous !== null && isCurrentPlot(previous, key) ? previous : plotFile(key, await renderPlot(series)));
      }),
    ),
  );
  return plots;
}
