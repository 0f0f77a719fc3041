import { join } from 'node:path';
import pLimit from 'p-limit';
import { readIfExists } from '../io/compare.js';
import { STUDIED } from '../report/numbers.js';
import type { FittedMetric, Grid, GroupResult } from '../types.js';
import { plotData } from './data.js';
import { isCurrentPlot, plotCacheKey, plotFile, plotFileName } from './files.js';
import { renderPlot } from './render.js';
import type { PlotSeries } from './types.js';

/** Where drawn plots go: a path relative to the output folder and its text. */
export type PlotWriter = (name: string, content: string) => Promise<void>;

/**
 * One chart per group and studied metric. Names are given in group order
 * first (so they never depend on timing); then charts are read from
 * `cacheDir` (an earlier output folder) when their cache key (spec and chart
 * library versions) is unchanged, or drawn, a few at a time, so that reading
 * files overlaps with drawing. Returns the file of each group's charts.
 */
export async function drawPlots(groups: readonly GroupResult[], grid: Grid, cacheDir: string, write: PlotWriter): Promise<Map<string, Partial<Record<FittedMetric, string>>>> {
  const plots = new Map<string, Partial<Record<FittedMetric, string>>>();
  const used = new Set<string>();
  const jobs: { name: string; series: PlotSeries }[] = [];
  for (const g of groups) {
    const files: Partial<Record<FittedMetric, string>> = {};
    for (const metric of STUDIED) {
      const plotted = plotData(g, grid, metric);
      if (plotted === null) continue;
      const { method, ...data } = plotted;
      const series: PlotSeries = { title: `${g.fit.model} / ${g.fit.hardware} / tp=${g.fit.tensor_parallel} — ${metric} (${method})`, metric, unit: 'ms', ...data };
      const name = `plots/${plotFileName([g.fit.model, g.fit.hardware, `tp${g.fit.tensor_parallel}`, metric], used)}`;
      jobs.push({ name, series });
      files[metric] = name;
    }
    plots.set(g.fit.id, files);
  }
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
