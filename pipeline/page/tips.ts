/**
 * The hover tooltip of every point on the report page's charts: the
 * configuration it stands for, its value, its source and its uncertainty
 * (the err columns' interval and basis). Repetitions and emitted rows, the
 * bulk of a chart, carry a compact code (TipCode) that the page's script
 * spells out in the browser; knots and anomalies, a few per chart, carry
 * their text.
 */
import { configKey } from '../core/keys.js';
import { extrapolationFactor } from '../core/extrapolation.js';
import { makePredictors, xOf, type Predictor, type Predictors } from '../fit/predict.js';
import { measuredError, predictedError, type MetricBands } from '../fit/uncertainty.js';
import { percent } from '../report/markdown-text.js';
import { round } from '../report/numbers.js';
import type { ChartMetric, PlotSeries, Tip, TipCode } from '../plots/types.js';
import type { Configuration, FittedMetric, GroupPlan } from '../types.js';

/** What the tips of one group's charts share, built once per group (tipGroup), not once per chart. */
export interface TipGroup {
  group: GroupPlan;
  bands: Partial<Record<FittedMetric, MetricBands | null>>;
  coverage: number;
  predictors: Predictors;
  /** Each configuration's measured err per err metric, at the report's precision; null for one repetition. */
  errs: Partial<Record<ChartMetric, Map<string, number | null>>>;
}

/** What the tips of one chart need beyond its series. */
export interface TipContext extends TipGroup {
  metric: ChartMetric;
  unit: string;
}

/** Codes of TipCode's source and basis fields; the page's script holds the same lists (script.ts). */
export const TIP_SOURCES = ['measured', 'interpolated', 'extrapolated'] as const;
export const TIP_BASES = ['repetitions', 'leave-one-out', 'backtest', 'unvalidated', 'one repetition', 'no err column for this metric'] as const;

/** The report's precision (6 significant digits) for fractions; integers stay exact (round would write 2^20 as 1.04858e6). */
const six = (v: number) => (Number.isInteger(v) ? v : round(v));
const ERR_METRICS: readonly ChartMetric[] = ['prompt_time', 'token_time'];

export function tipGroup(group: GroupPlan, bands: TipGroup['bands'], coverage: number): TipGroup {
  const errs: TipGroup['errs'] = {};
  for (const metric of ERR_METRICS as FittedMetric[]) {
    errs[metric] = new Map(group.configurations.map((c) => {
      const err = measuredError(c.repetitions[metric], coverage);
      return [configKey(c.prompt_size, c.batch_size, c.token_size), err === null ? null : six(err)];
    }));
  }
  return { group, bands, coverage, predictors: makePredictors(group.fit), errs };
}

/**
 * The series with a tip on each repetition, median, emitted row and anomaly,
 * and its coordinates at the report's precision; a new object, `series` untouched.
 */
export function withTips(series: PlotSeries, context: TipContext): PlotSeries {
  const { predictors, metric, unit } = context;
  const predictor = metric === 'e2e_time' ? predictors.prompt_time : predictors[metric];
  if (predictor === null) return series;
  const value = (v: number) => (unit === '' ? String(six(v)) : `${six(v)} ${unit}`);
  const errs = context.errs[metric];
  const noErr = TIP_BASES.indexOf(ERR_METRICS.includes(metric) ? 'one repetition' : 'no err column for this metric');
  return {
    ...series,
    repetitions: series.repetitions.map((p) => {
      const c = p.config;
      const err = c === undefined || errs === undefined ? null : (errs.get(configKey(c.prompt_size, c.batch_size, c.token_size)) ?? null);
      const y = six(p.y);
      const tip: TipCode = [0, c?.prompt_size ?? 0, c?.batch_size ?? 0, c?.token_size ?? 0, y, 0, err, err === null ? noErr : 0, null];
      return { ...p, x: six(p.x), y, tip };
    }),
    medians: medianTips(series.medians, predictor, context, value),
    emitted: series.emitted.map((p) => {
      const y = six(p.y);
      return { ...p, x: six(p.x), y, tip: emittedTip(p, y, context) };
    }),
    anomalies: series.anomalies.map((p) => {
      const out: Record<string, string> = { title: 'anomaly' };
      if (p.config !== undefined) out.configuration = `prompt ${p.config.prompt_size}, batch ${p.config.batch_size}, tokens ${p.config.token_size}`;
      out[metric] = value(p.y);
      out.source = 'measured';
      out.finding = `the measured median falls ${p.label.replace(/^-/, '')}${p.along === undefined ? '' : ` as ${p.along} grows`}`;
      return { ...p, x: six(p.x), y: six(p.y), tip: out };
    }),
  };
}

/** The medians with their tips: each knot's configurations found in one pass over the group's, not one per knot. */
function medianTips(medians: PlotSeries['medians'], predictor: Predictor, context: TipContext, value: (v: number) => string): PlotSeries['medians'] {
  const atX = new Map<number, Configuration[]>();
  for (const c of context.group.configurations) {
    const x = xOf(predictor, c.prompt_size, c.batch_size);
    const list = atX.get(x);
    if (list === undefined) atX.set(x, [c]);
    else list.push(c);
  }
  // A NaN x matches no configuration (x !== x), where a Map would find those at NaN.
  const at = (x: number) => (Number.isNaN(x) ? [] : (atX.get(x) ?? []));
  return medians.map((p) => ({ ...p, x: six(p.x), y: six(p.y), min: six(p.min), max: six(p.max), tip: medianTip(p, at(p.x), predictor, context, value) }));
}

/** A knot: every configuration pooled at its x, the repetitions' spread, the median's interval and the knot's leave-one-out error. */
function medianTip(p: PlotSeries['medians'][number], atX: readonly Configuration[], predictor: Predictor, context: TipContext, value: (v: number) => string): Tip {
  const { group, metric } = context;
  // One entry per (prompt, batch) with its token sizes: the real data measures each at up to 7.
  const byPoint = new Map<string, number[]>();
  const values: number[] = [];
  for (const c of atX) {
    if (metric === 'e2e_time' && c.metrics.e2e_time?.median !== p.y) continue;
    const key = `prompt ${c.prompt_size}, batch ${c.batch_size}`;
    byPoint.set(key, [...(byPoint.get(key) ?? []), c.token_size]);
    values.push(...c.repetitions[metric]);
  }
  const points = [...byPoint].map(([key, tokens]) => `${key}, tokens ${tokens.sort((a, b) => a - b).join('/')}`);
  const fit = metric === 'e2e_time' ? null : group.fit.fits[metric];
  const loo = fit === null ? -1 : fit.loo.x.indexOf(p.x);
  const err = ERR_METRICS.includes(metric) ? measuredError(values, context.coverage) : null;
  const out: Record<string, string> = { title: metric === 'e2e_time' ? 'measured median' : 'median (min–max)' };
  out[predictor.key] = String(six(p.x));
  out.configurations = points.length > 4 ? `${points.slice(0, 4).join('; ')}; and ${points.length - 4} more` : points.join('; ');
  out.repetitions = String(values.length);
  out[metric] = value(p.y);
  out['min–max'] = `${value(p.min)} – ${value(p.max)}`;
  out.source = 'measured';
  out.uncertainty = !ERR_METRICS.includes(metric) ? 'none stated (no err column for this metric)' : err === null ? 'none stated (one repetition)' : `±${percent(err)} (repetitions)`;
  if (loo >= 0 && fit !== null) out['leave-one-out error'] = percent(fit.loo.ape[loo]);
  return out;
}

/** An emitted row: its configuration, value, source, the interval its err column gives (with the row's basis, as emit writes it) and its extrapolation factor. */
function emittedTip(p: PlotSeries['emitted'][number], y: number, context: TipContext): TipCode {
  const { predictors, metric } = context;
  const c = p.config ?? { prompt_size: 0, batch_size: 0, token_size: 0 };
  const at = (m: FittedMetric) => {
    const predictor = predictors[m];
    return predictor === null ? { err: null, validated: true } : predictedError(context.bands[m] ?? null, predictor, c.prompt_size, c.batch_size);
  };
  // Only the err metrics' charts show an err and its basis; an interpolated row's basis needs no factor check.
  let own: number | null = null;
  let basis: (typeof TIP_BASES)[number] = 'no err column for this metric';
  if (metric === 'prompt_time' || metric === 'token_time') {
    const mine = at(metric);
    own = mine.err;
    basis = p.source === 'interpolated' ? 'leave-one-out' : mine.validated && at(metric === 'prompt_time' ? 'token_time' : 'prompt_time').validated ? 'backtest' : 'unvalidated';
  }
  const key = (metric === 'e2e_time' ? predictors.prompt_time : predictors[metric]) as Predictor;
  const f = extrapolationFactor(xOf(key, c.prompt_size, c.batch_size), key.range);
  return [1, c.prompt_size, c.batch_size, c.token_size, y, TIP_SOURCES.indexOf(p.source), own === null ? null : six(own), TIP_BASES.indexOf(basis), f > 1 ? six(f) : null, p.held ?? null];
}
