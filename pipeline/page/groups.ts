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
import type { FittedMetric, GroupPlan } from '../types.js';
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

/** The page's part of each group, in the report's group order; `charts` are the run's chart series (plots/draw.ts chartSeries). */
export function pageGroups(groups: readonly GroupPlan[], trust: Trust, charts: readonly (readonly GroupChart[])[]): PageGroup[] {
  return [...pageGroupPieces(groups, trust, charts)].flat();
}

/**
 * pageGroups in small pieces, for a thread that does other work between them:
 * nothing after each chart's spec, a group after its last.
 */
export function* pageGroupPieces(groups: readonly GroupPlan[], trust: Trust, charts: readonly (readonly GroupChart[])[]): Generator<PageGroup[]> {
  const bands = Object.fromEntries(STUDIED.map((m) => [m, trust.metrics[m]?.bands ?? null]));
  for (const [i, g] of groups.entries()) {
    const shown: PageGroup['charts'] = [];
    const backtests: PageGroup['backtests'] = {};
    let tips: TipGroup | undefined;
    for (const { metric, series } of charts[i] ?? []) {
      tips ??= tipGroup(g, bands, trust.coverage);
      shown.push({ metric, unit: series.unit, spec: plotSpec(withTips(series, { ...tips, metric, unit: series.unit }), { tooltips: true }) });
      yield [];
    }
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
    yield [{ charts: shown, backtests }];
  }
}

function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((s, v) => s + v, 0) / values.length;
}
