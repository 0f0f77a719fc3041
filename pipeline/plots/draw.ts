import { join } from 'node:path';
import pLimit from 'p-limit';
import { readIfExists } from '../io/compare.js';
import { STUDIED } from '../report/numbers.js';
import type { FittedMetric, Grid, GroupResult } from '../types.js';
import { plotData } from './data.js';
import { isCurrentPlot, plotCacheKey, plotFile, plotFileName } from './files.js';
import { renderPlot } from './render.js';
import type { GroupChart, PlotSeries } from './types.js';

/** What a chart needs of a group: everything but its emitted rows' summary, so that charts can be drawn while the rows are written. */
export type ChartedGroup = Omit<GroupResult, 'emitted'>;

/** Where drawn plots go: a path relative to the output folder and its text. */
export type PlotWriter = (name: string, content: string) => Promise<void>;

/** Every group's charts, one per studied metric it fitted, in group order: what drawPlots draws and the report page shows. */
export function chartSeries(groups: readonly ChartedGroup[], grid: Grid): GroupChart[][] {
  return groups.map((g) =>
    STUDIED.flatMap((metric) => {
      const plotted = plotData(g, grid, metric);
      if (plotted === null) return [];
      const { method, ...data } = plotted;
      return [{ metric, series: { title: `${g.fit.model} / ${g.fit.hardware} / tp=${g.fit.tensor_parallel} — ${metric} (${method})`, metric, unit: 'ms', ...data } }];
    }),
  );
}

/**
 * The SVG file of each chart (`charts`: chartSeries of `groups`). Names are
 * given in group order first (so they never depend on timing); then charts
 * are read from `cacheDir` (an earlier output folder) when their cache key
 * (spec and chart library versions) is unchanged, or drawn, a few at a time,
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
      files[metric] = name;
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
