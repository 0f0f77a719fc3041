import { FITTED_METRICS } from '../core/columns.js';
import type { ExtrapolationPolicy, FitKey, FittedMetric, GroupFit, Knots, MethodName } from '../types.js';
import type { Interpolator } from './interpolate.js';
import { FACTORIES } from './methods.js';

/** A fitted metric ready to evaluate: its interpolator, x range, and values at both ends. */
export interface Predictor {
  f: Interpolator;
  key: FitKey;
  range: [number, number];
  ends: [number, number];
}

export type Predictors = Record<FittedMetric, Predictor | null>;

/**
 * The interpolator of one method through the knots. The end values are the
 * knots' own for linear (so clamping repeats the measured medians exactly) and
 * the method's values at the end knots otherwise (isotonic's pooled means).
 */
export function makePredictor(method: MethodName, knots: Knots, key: FitKey = 'batch_tokens'): Predictor {
  const { x, y, count } = knots;
  const f = FACTORIES[method](x, y, count);
  const lo = x[0] as number;
  const hi = x[x.length - 1] as number;
  const ends: [number, number] = method === 'linear' ? [y[0] as number, y[y.length - 1] as number] : [f(lo), f(hi)];
  return { f, key, range: [lo, hi], ends };
}

/** Builds each fitted metric's predictor once per group. */
export function makePredictors(group: GroupFit): Predictors {
  const out = {} as Predictors;
  for (const metric of FITTED_METRICS) {
    const fitted = group.fits[metric];
    out[metric] = fitted === null ? null : makePredictor(fitted.method, fitted.knots, fitted.key);
  }
  return out;
}

/** The predictor's x for a (prompt_size, batch_size) point. */
export function xOf(predictor: Predictor, prompt: number, batch: number): number {
  return predictor.key === 'batch_tokens' ? prompt * batch : batch;
}

/** Whether a predicted value can be real: times > 0, powers >= 0, and finite. */
export function isPossible(metric: FittedMetric, value: number): boolean {
  return (metric === 'prompt_time' || metric === 'token_time' ? value > 0 : value >= 0) && Number.isFinite(value);
}

/**
 * The value a row gets at `x`: inside the measured range, the fit's. Outside:
 * with policy `clamp`, the value at the nearest end; otherwise the method's
 * own extrapolation, unless that is impossible (see isPossible), in which case
 * the value at the nearest end as well. (Policy `error` never gets here with
 * an x outside: the run stops before emitting.)
 */
export function predictedValue(predictor: Predictor, metric: FittedMetric, x: number, policy: ExtrapolationPolicy = 'linear'): number {
  const [lo, hi] = predictor.range;
  if (x >= lo && x <= hi) return predictor.f(x);
  const end = x < lo ? predictor.ends[0] : predictor.ends[1];
  if (policy === 'clamp') return end;
  const v = predictor.f(x);
  return isPossible(metric, v) ? v : end;
}

/** A metric whose extrapolation gave an impossible value, with that value (the row took the nearest end's instead). */
export interface Clamp {
  metric: FittedMetric;
  raw: number;
}

/** What one (prompt_size, batch_size) point is predicted to be, per fitted metric (null: not in the input). */
export interface PointPrediction {
  values: Record<FittedMetric, number | null>;
  /** Metrics whose own extrapolation was impossible here; empty almost always. */
  clamped: readonly Clamp[];
}

const NONE: readonly Clamp[] = Object.freeze([]);

/**
 * Every fitted metric's value at (prompt, batch), as emit writes it (see
 * predictedValue), and which ones were clamped because their extrapolation
 * was impossible. Pure: the caller counts what it needs.
 */
export function predictPoint(predictors: Predictors, prompt: number, batch: number, policy: ExtrapolationPolicy): PointPrediction {
  const values = {} as Record<FittedMetric, number | null>;
  let clamped = NONE;
  for (const metric of FITTED_METRICS) {
    const predictor = predictors[metric];
    if (predictor === null) {
      values[metric] = null;
      continue;
    }
    const x = xOf(predictor, prompt, batch);
    const [lo, hi] = predictor.range;
    if ((x >= lo && x <= hi) || policy === 'clamp') {
      values[metric] = predictedValue(predictor, metric, x, policy);
      continue;
    }
    const raw = predictor.f(x);
    if (isPossible(metric, raw)) {
      values[metric] = raw;
    } else {
      values[metric] = x < lo ? predictor.ends[0] : predictor.ends[1];
      clamped = [...clamped, { metric, raw }];
    }
  }
  return { values, clamped };
}
