/**
 * What the report page shows of each group beyond its report section: its
 * charts as vega-lite specs (the SVG charts' specs, with hover tooltips), and
 * its frontier backtest errors with the tails it uses.
 */
import type { TopLevelSpec } from 'vega-lite';
import { plotData } from '../plots/data.js';
import { plotSpec } from '../plots/spec.js';
import { STUDIED } from '../report/numbers.js';
import type { FittedMetric, Grid, PipelineResult } from '../types.js';
import { withTips } from './tips.js';

export interface Backtest {
  /** The tail the rows beyond the range use on this side: a tail kind, or `own` (the method's own line). */
  tail: string;
  /** Mean relative error |predicted - measured| / measured over the held-out configurations; null without any. */
  mean: number | null;
  /** The same with k = 1, 2, 3 knots held out. */
  byK: (number | null)[];
  points: number;
}

export interface PageGroup {
  charts: { metric: FittedMetric; spec: TopLevelSpec }[];
  backtests: Partial<Record<FittedMetric, { upper: Backtest; lower: Backtest }>>;
}

/** The page's part of each group, in the report's group order. */
export function pageGroups(result: PipelineResult, grid: Grid): PageGroup[] {
  return result.groups.map((g) => {
    const charts: PageGroup['charts'] = [];
    const backtests: PageGroup['backtests'] = {};
    for (const metric of STUDIED) {
      const plotted = plotData(g, grid, metric);
      if (plotted === null) continue;
      const { method, ...data } = plotted;
      const unit = 'ms';
      const series = { title: `${g.fit.model} / ${g.fit.hardware} / tp=${g.fit.tensor_parallel} — ${metric} (${method})`, metric, unit, ...data };
      const bands = result.trust.metrics[metric]?.bands ?? null;
      charts.push({ metric, spec: plotSpec(withTips(series, { group: g, metric, unit, bands, coverage: result.trust.coverage }), { tooltips: true }) });
      const tails = g.fit.fits[metric]?.tails ?? null;
      const residuals = g.evidence[metric] ?? [];
      const side = (kind: 'upper' | 'lower'): Backtest => {
        const tail = tails === null ? 'own' : tails[kind].kind;
        const errors = residuals.filter((r) => r.kind === kind && r.tail === tail).map((r) => ({ k: r.k, error: Math.abs(r.predicted - r.measured) / r.measured }));
        return { tail, mean: mean(errors.map((e) => e.error)), byK: [1, 2, 3].map((k) => mean(errors.filter((e) => e.k === k).map((e) => e.error))), points: errors.length };
      };
      backtests[metric] = { upper: side('upper'), lower: side('lower') };
    }
    return { charts, backtests };
  });
}

function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((s, v) => s + v, 0) / values.length;
}
