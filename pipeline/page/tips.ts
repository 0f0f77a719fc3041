/**
 * The hover tooltip of every point on the report page's charts: the
 * configuration it stands for, its value, its source and, where the run
 * states one, its uncertainty (the err columns' interval and basis). Built
 * field by field: a run makes some 15,000 of them.
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

/** The report's precision (6 significant digits) for fractions; integers stay exact (round would write 2^20 as 1.04858e6). */
const six = (v: number) => (Number.isInteger(v) ? v : round(v));
const configText = (c: PointConfig) => `prompt ${c.prompt_size}, batch ${c.batch_size}, tokens ${c.token_size}`;

/**
 * The series with a tip on each repetition, median, emitted row and anomaly,
 * and its coordinates at the report's precision (the page's data is a third
 * the size); a new object, `series` untouched.
 */
export function withTips(series: PlotSeries, context: TipContext): PlotSeries {
  const predictor = makePredictors(context.group.fit)[context.metric];
  if (predictor === null) return series;
  const { metric, unit } = context;
  const value = (v: number) => (unit === '' ? String(six(v)) : `${six(v)} ${unit}`);
  const measured = new Set(context.group.configurations.map(configText));
  const tip = (title: string, config: PointConfig | undefined, y: number, source: string): Record<string, string> => {
    const out: Record<string, string> = { title };
    if (config !== undefined) out.configuration = configText(config);
    out[metric] = value(y);
    out.source = source;
    return out;
  };
  return {
    ...series,
    repetitions: series.repetitions.map((p) => ({ ...p, x: six(p.x), y: six(p.y), tip: tip('measured repetition', p.config, p.y, 'measured') })),
    medians: series.medians.map((p) => ({ ...p, x: six(p.x), y: six(p.y), min: six(p.min), max: six(p.max), tip: medianTip(p, predictor, context, value) })),
    fitted: series.fitted.map((p) => ({ x: six(p.x), y: six(p.y) })),
    emitted: series.emitted.map((p) => {
      const out = tip('emitted row', p.config, p.y, p.source);
      if (out.configuration !== undefined && measured.has(out.configuration)) out.source = 'measured (the row holds the median; this is the fit)';
      return { x: six(p.x), y: six(p.y), source: p.source, ...(p.config === undefined ? {} : { config: p.config }), tip: withUncertainty(out, p, predictor, context) };
    }),
    anomalies: series.anomalies.map((p) => {
      const out = tip('anomaly', p.config, p.y, 'measured');
      out.finding = `the measured median falls ${p.label.replace(/^-/, '')}${p.along === undefined ? '' : ` as ${p.along} grows`}`;
      return { ...p, x: six(p.x), y: six(p.y), tip: out };
    }),
  };
}

/** A knot: every configuration pooled at its x, the repetitions' spread, the median's interval and the knot's leave-one-out error. */
function medianTip(p: PlotSeries['medians'][number], predictor: Predictor, context: TipContext, value: (v: number) => string): Tip {
  const { group, metric } = context;
  // One entry per (prompt, batch) with its token sizes: the real data measures each at up to 7.
  const byPoint = new Map<string, number[]>();
  for (const c of group.configurations) {
    if (xOf(predictor, c.prompt_size, c.batch_size) !== p.x) continue;
    const key = `prompt ${c.prompt_size}, batch ${c.batch_size}`;
    byPoint.set(key, [...(byPoint.get(key) ?? []), c.token_size]);
  }
  const points = [...byPoint].map(([key, tokens]) => `${key}, tokens ${tokens.sort((a, b) => a - b).join('/')}`);
  const values: number[] = [];
  for (const m of group.measurements) {
    const v = m.metrics[metric];
    if (v !== null && xOf(predictor, m.prompt_size, m.batch_size) === p.x) values.push(v);
  }
  const fit = group.fit.fits[metric];
  const loo = fit === null ? -1 : fit.loo.x.indexOf(p.x);
  const err = measuredError(values, context.coverage);
  const out: Record<string, string> = { title: 'median (min–max)' };
  out[predictor.key] = String(six(p.x));
  out.configurations = points.length > 4 ? `${points.slice(0, 4).join('; ')}; and ${points.length - 4} more` : points.join('; ');
  out.repetitions = String(values.length);
  out[metric] = value(p.y);
  out['min–max'] = `${value(p.min)} – ${value(p.max)}`;
  out.source = 'measured';
  out.uncertainty = err === null ? 'none stated (one repetition)' : `±${percent(err)} (repetitions)`;
  if (loo >= 0 && fit !== null) out['leave-one-out error'] = percent(fit.loo.ape[loo]);
  return out;
}

/** An emitted row's extrapolation factor and the interval the err columns give it, added to its tip. */
function withUncertainty(out: Record<string, string>, p: PlotSeries['emitted'][number], predictor: Predictor, context: TipContext): Tip {
  const f = extrapolationFactor(p.x, predictor.range);
  const c = p.config;
  const { err, validated } = c === undefined ? { err: null, validated: f === 1 } : predictedError(context.bands, predictor, c.prompt_size, c.batch_size);
  const basis = f === 1 ? 'leave-one-out' : validated ? 'backtest' : 'unvalidated';
  if (f > 1) out['beyond the range'] = `${six(f)}x`;
  out.uncertainty = err !== null ? `±${percent(err)} (${basis})` : basis === 'unvalidated' ? 'none stated (unvalidated)' : 'none stated';
  return out;
}
