/**
 * The hover tooltip of every point on the report page's charts: the
 * configuration it stands for, its value, its source and, where the run
 * states one, its uncertainty (the err columns' interval and basis).
 */
import { extrapolationFactor } from '../core/extrapolation.js';
import { makePredictors, xOf, type Predictor } from '../fit/predict.js';
import { measuredError, predictedError, type MetricBands } from '../fit/uncertainty.js';
import { percent } from '../report/markdown-text.js';
import { round } from '../report/numbers.js';
import type { PlotSeries, PointConfig, Tip } from '../plots/types.js';
import type { FittedMetric, GroupResult } from '../types.js';

/** What the tips of one chart need beyond its series. */
export interface TipContext {
  group: GroupResult;
  metric: FittedMetric;
  unit: string;
  bands: MetricBands | null;
  coverage: number;
}

const num = (v: number) => String(round(v));
const configText = (c: PointConfig) => `prompt ${c.prompt_size}, batch ${c.batch_size}, tokens ${c.token_size}`;

/** The series with a tip on each repetition, median, emitted row and anomaly; a new object, `series` untouched. */
export function withTips(series: PlotSeries, context: TipContext): PlotSeries {
  const predictor = makePredictors(context.group.fit)[context.metric];
  if (predictor === null) return series;
  const { metric, unit } = context;
  const value = (v: number) => (unit === '' ? num(v) : `${num(v)} ${unit}`);
  const measured = new Set(context.group.configurations.map((c) => configText(c)));
  return {
    ...series,
    repetitions: series.repetitions.map((p) => ({
      ...p,
      tip: { title: 'measured repetition', ...(p.config ? { configuration: configText(p.config) } : {}), [metric]: value(p.y), source: 'measured' },
    })),
    medians: series.medians.map((p) => ({ ...p, tip: medianTip(p, predictor, context, value) })),
    emitted: series.emitted.map((p) => ({ ...p, tip: emittedTip(p, predictor, context, value, measured) })),
    anomalies: series.anomalies.map((p) => ({
      ...p,
      tip: {
        title: 'anomaly',
        ...(p.config ? { configuration: configText(p.config) } : {}),
        [metric]: value(p.y),
        source: 'measured',
        finding: `the measured median falls ${p.label.replace(/^-/, '')}${p.along === undefined ? '' : ` as ${p.along} grows`}`,
      },
    })),
  };
}

/** A knot: every configuration pooled at its x, the repetitions' spread, the median's interval and the knot's leave-one-out error. */
function medianTip(p: PlotSeries['medians'][number], predictor: Predictor, context: TipContext, value: (v: number) => string): Tip {
  const { group, metric } = context;
  const at = group.configurations.filter((c) => xOf(predictor, c.prompt_size, c.batch_size) === p.x);
  const values = group.measurements.filter((m) => xOf(predictor, m.prompt_size, m.batch_size) === p.x).map((m) => m.metrics[metric]).filter((v): v is number => v !== null);
  // One entry per (prompt, batch) with its token sizes: the real data measures each at up to 7.
  const byPoint = new Map<string, number[]>();
  for (const c of at) {
    const key = `prompt ${c.prompt_size}, batch ${c.batch_size}`;
    byPoint.set(key, [...(byPoint.get(key) ?? []), c.token_size]);
  }
  const points = [...byPoint].map(([key, tokens]) => `${key}, tokens ${tokens.sort((a, b) => a - b).join('/')}`);
  const shown = points.slice(0, 4);
  const fit = group.fit.fits[metric];
  const loo = fit === null ? -1 : fit.loo.x.indexOf(p.x);
  const err = measuredError(values, context.coverage);
  return {
    title: 'median (min–max)',
    [predictor.key]: num(p.x),
    configurations: points.length > shown.length ? `${shown.join('; ')}; and ${points.length - shown.length} more` : shown.join('; '),
    repetitions: String(values.length),
    [metric]: value(p.y),
    'min–max': `${value(p.min)} – ${value(p.max)}`,
    source: 'measured',
    uncertainty: err === null ? 'none stated (one repetition)' : `±${percent(err)} (repetitions)`,
    ...(loo >= 0 && fit !== null ? { 'leave-one-out error': percent(fit.loo.ape[loo]) } : {}),
  };
}

/** An emitted row: its source, its extrapolation factor and the interval the err columns give it. */
function emittedTip(p: PlotSeries['emitted'][number], predictor: Predictor, context: TipContext, value: (v: number) => string, measured: ReadonlySet<string>): Tip {
  const f = extrapolationFactor(p.x, predictor.range);
  const c = p.config;
  const isMeasured = c !== undefined && measured.has(configText(c));
  const { err, validated } = c === undefined ? { err: null, validated: f === 1 } : predictedError(context.bands, predictor, c.prompt_size, c.batch_size);
  const basis = f === 1 ? 'leave-one-out' : validated ? 'backtest' : 'unvalidated';
  return {
    title: 'emitted row',
    ...(c ? { configuration: configText(c) } : {}),
    [context.metric]: value(p.y),
    source: isMeasured ? 'measured (the row holds the median; this is the fit)' : p.source,
    ...(f > 1 ? { 'beyond the range': `${num(f)}x` } : {}),
    uncertainty: err !== null ? `±${percent(err)} (${basis})` : basis === 'unvalidated' ? 'none stated (unvalidated)' : 'none stated',
  };
}
