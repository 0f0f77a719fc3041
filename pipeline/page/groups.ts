/**
 * What the report page shows of each group beyond its report section: its
 * charts as vega-lite specs (the SVG charts' specs, with hover tooltips), and
 * its frontier backtest errors with the tails it uses.
 */
import type { TopLevelSpec } from 'vega-lite';
import { plotSpec } from '../plots/spec.js';
import type { ChartMetric, GroupChart } from '../plots/types.js';
import { STUDIED } from '../report/numbers.js';
import type { Trust } from '../fit/trust.js';
import type { FittedMetric, GroupPlan, PipelineResult } from '../types.js';
import { tipGroup, withTips, type TipGroup } from './tips.js';

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
  charts: { metric: ChartMetric; unit: string; spec: TopLevelSpec }[];
  backtests: Partial<Record<FittedMetric, { upper: Backtest; lower: Backtest }>>;
}

/** The bands and coverage the tips state, from the fit stage's verdict. */
export type TipBands = { bands: TipGroup['bands']; coverage: number };

export function tipBands(trust: Trust): TipBands {
  return { bands: Object.fromEntries(STUDIED.map((m) => [m, trust.metrics[m]?.bands ?? null])), coverage: trust.coverage };
}

/** One group's charts as the page shows them: the SVG charts' specs with hover tooltips. Needs only the group's plan. */
export function pageCharts(group: GroupPlan, charts: readonly GroupChart[], { bands, coverage }: TipBands): PageGroup['charts'] {
  const shown: PageGroup['charts'] = [];
  let tips: TipGroup | undefined;
  for (const { metric, series } of charts) {
    tips ??= tipGroup(group, bands, coverage);
    shown.push({ metric, unit: series.unit, spec: plotSpec(withTips(series, { ...tips, metric, unit: series.unit }), { tooltips: true }) });
  }
  return shown;
}

/**
 * The page's part of each group, in the report's group order; `charts` are
 * the run's chart series (plots/draw.ts chartSeries), `specs` each charted
 * group's pageCharts when the plot worker made them already.
 */
export function pageGroups(result: PipelineResult, charts: readonly (readonly GroupChart[])[], specs?: readonly PageGroup['charts'][]): PageGroup[] {
  const tipping = tipBands(result.trust);
  return result.groups.map((g, i) => {
    const shown = specs?.[i] ?? pageCharts(g, charts[i] ?? [], tipping);
    const backtests: PageGroup['backtests'] = {};
    for (const metric of STUDIED) {
      const tails = g.fit.fits[metric]?.tails ?? null;
      const residuals = g.evidence[metric] ?? [];
      const side = (kind: 'upper' | 'lower'): Backtest => {
        const tail = tails === null ? 'own' : tails[kind].kind;
        const errors = residuals.filter((r) => r.kind === kind && r.tail === tail).map((r) => ({ k: r.k, error: Math.abs(r.predicted - r.measured) / r.measured }));
        return { tail, mean: mean(errors.map((e) => e.error)), byK: [1, 2, 3].map((k) => mean(errors.filter((e) => e.k === k).map((e) => e.error))), points: errors.length };
      };
      if (g.fit.fits[metric] !== null) backtests[metric] = { upper: side('upper'), lower: side('lower') };
    }
    return { charts: shown, backtests };
  });
}

function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((s, v) => s + v, 0) / values.length;
}
